package io.lvsdirector.api.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's monitoring kit as tests read it: every PromQL expression, and a scrape's names. */
public final class MonitoringKit {

    private MonitoringKit() {
    }

    /** Sample names in an exposition ({@code _bucket}, {@code _total}, ...), as PromQL sees them. */
    public static Set<String> exported(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** Every expression of {@code monitoring/alerts.yml} and the dashboard's panels and variables, by where. */
    public static Map<String, String> expressions(Path repo) throws IOException {
        Map<String, String> out = new TreeMap<>();
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(repo.resolve("monitoring/alerts.yml").toFile());
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String name = rule.has("alert") ? rule.get("alert").asText() : rule.get("record").asText();
                out.put("alerts.yml " + name, rule.get("expr").asText());
            }
        }
        JsonNode dash = new ObjectMapper().readTree(repo.resolve("monitoring/grafana/lvs-director.json").toFile());
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.put("dashboard " + panel.get("title").asText() + " " + target.path("refId").asText(),
                        target.get("expr").asText());
            }
        }
        Pattern labelValues = Pattern.compile("label_values\\(\\s*([^,)]+)");
        for (JsonNode v : dash.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                String q = v.path("query").isObject() ? v.path("query").path("query").asText()
                        : v.path("query").asText();
                Matcher m = labelValues.matcher(q);
                assertThat(m.find()).as("variable %s: a label_values() query", v.path("name").asText()).isTrue();
                out.put("dashboard variable " + v.path("name").asText(), m.group(1));
            }
        }
        return out;
    }

    /** Every metric name the kit reads ("up" included: Prometheus's own). */
    public static Set<String> used(Path repo) throws IOException {
        Set<String> used = new TreeSet<>();
        expressions(repo).values().forEach(e -> used.addAll(PromQl.metricNames(e)));
        return used;
    }
}
