package io.lvsdirector.api.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code monitoring/grafana/lvs-director.json} is a dashboard Grafana can import: unique panel ids, every
 * panel on the 24-column grid without overlapping another, every query with a refId, an expression and the
 * dashboard's data source variable, and the topics an operator looks for each have a panel. Which metrics
 * the panels read is {@code MonitoringContractTest}'s part.
 */
class DashboardTest {

    static final Path FILE = Path.of("..", "monitoring", "grafana", "lvs-director.json").toAbsolutePath().normalize();

    @Test
    void structureIsValid() throws Exception {
        JsonNode d = new ObjectMapper().readTree(FILE.toFile());
        assertThat(d.path("uid").asText()).isEqualTo("lvs-director");
        assertThat(d.path("title").asText()).isNotBlank();
        assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        Set<String> variables = new TreeSet<>();
        d.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).contains("datasource", "instance", "service");

        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        Set<String> exprs = new TreeSet<>();
        for (JsonNode p : d.get("panels")) {
            String title = p.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(ids.add(p.path("id").asInt())).as("panel id %s unique", p.path("id")).isTrue();
            JsonNode g = p.get("gridPos");
            int x = g.get("x").asInt();
            int y = g.get("y").asInt();
            int w = g.get("w").asInt();
            int h = g.get("h").asInt();
            assertThat(x).as(title).isBetween(0, 23);
            assertThat(w).as(title).isBetween(1, 24 - x);
            assertThat(h).as(title).isPositive();
            for (int[] b : boxes) {
                boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
                assertThat(overlap).as("%s overlaps another panel", title).isFalse();
            }
            boxes.add(new int[] {x, y, w, h});
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.path("type").asText()).as(title).isIn("timeseries", "stat", "table");
            assertThat(p.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
            assertThat(p.path("targets")).as(title).isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : p.get("targets")) {
                assertThat(refIds.add(t.path("refId").asText())).as("%s refId", title).isTrue();
                assertThat(t.path("expr").asText()).as(title).isNotBlank();
                assertThat(t.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
                exprs.add(t.path("expr").asText());
            }
        }
        String all = String.join("\n", exprs);
        // The topics of the dashboard, each by the metric that carries it.
        assertThat(all).contains("lvs_director_backend_health", "lvs_director_backend_desired_weight",
                "lvs_director_backend_kernel_weight", "lvs_director_ipvs_backend_connections_active",
                "lvs_director_ipvs_service_connections_total", "lvs_director_apply_failures_total",
                "lvs_director_health_transitions_total", "lvs_director_ha_master", "lvs_director_ha_instance_state",
                "lvs_director_probe_duration_seconds_bucket", "lvs_director_probe_duration_seconds_count",
                "lvs_director_http_requests_total", "lvs_director_http_request_duration_seconds_bucket",
                "lvs_director_build_info");
    }
}
