package io.lvsdirector.api.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code monitoring/alerts.yml} passes {@code promtool check rules}, and {@code promtool test rules
 * monitoring/alerts.test.yml} passes with a firing and a quiet case for every alert. Which metrics the
 * rules may read is {@code MonitoringContractTest}'s part.
 */
class AlertRulesTest {

    static final Path MONITORING = Path.of("..", "monitoring").toAbsolutePath().normalize();
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    static String promtool(String... args) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (lab/install-deps.sh)");
        List<String> cmd = new java.util.ArrayList<>(List.of(PROMTOOL.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(MONITORING.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
        return out;
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yml")).contains("SUCCESS");
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        assertThat(promtool("test", "rules", "alerts.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAFiringAndAQuietCase() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Set<String> alerts = new TreeSet<>();
        for (JsonNode g : yaml.readTree(MONITORING.resolve("alerts.yml").toFile()).get("groups")) {
            for (JsonNode r : g.get("rules")) {
                alerts.add(r.get("alert").asText());
                assertThat(r.path("labels").path("severity").asText()).as(r.get("alert").asText())
                        .isIn("critical", "warning");
                assertThat(r.path("annotations").path("summary").asText()).isNotBlank();
            }
        }
        assertThat(alerts).contains("LvsDirectorDown", "LvsDirectorServiceOutOfStep",
                "LvsDirectorServiceNoHealthyRealServer", "LvsDirectorRealServerFlapping",
                "LvsDirectorKubernetesSyncStale", "LvsDirectorHaSplitBrain", "LvsDirectorHaNoMaster",
                "LvsDirectorSyncDaemonMissing");
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode t : yaml.readTree(MONITORING.resolve("alerts.test.yml").toFile()).get("tests")) {
            for (JsonNode a : t.path("alert_rule_test")) {
                (a.path("exp_alerts").isEmpty() ? quiet : firing).add(a.get("alertname").asText());
            }
        }
        assertThat(firing).as("alerts with a firing case").isEqualTo(alerts);
        // Quiet: an eval with no alert, or a firing eval whose input holds a series that must not fire
        // (each test's input has one); an empty exp_alerts is the explicit form.
        Set<String> withoutExplicitQuiet = new TreeSet<>(alerts);
        withoutExplicitQuiet.removeAll(quiet);
        assertThat(withoutExplicitQuiet).as("alerts without an eval that expects none")
                .isSubsetOf(Set.of("LvsDirectorServiceNoHealthyRealServer"));
    }
}
