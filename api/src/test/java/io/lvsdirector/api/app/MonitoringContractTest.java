package io.lvsdirector.api.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.metrics.MetricsText;
import io.lvsdirector.api.monitoring.MonitoringKit;
import io.lvsdirector.api.monitoring.PromQl;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitoring kit against the real application: the alert rules ({@code monitoring/alerts.yml}) and the
 * Grafana dashboard ({@code monitoring/grafana/lvs-director.json}) may only read metrics the service
 * exports. The whole application runs (connectors, auth, Jersey, the admin servlet, HA on, a Kubernetes
 * node source) on a fake kernel; the test drives it through the API (services, a refused one, a VRRP
 * report, requests that answer 2xx, 401 and 404) and through the health board, then scrapes
 * {@code /metrics} over HTTP and compares every name the rules and panels use with the scrape.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class MonitoringContractTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String NOTIFY_TOKEN = "notify-monitoring-token-0123456789";
    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"scheduler\": \"rr\","
            + " \"healthCheck\": {\"type\": \"tcp\", \"port\": 80},"
            + " \"realServers\": {\"static\": [{\"address\": \"198.18.0.21\"}, {\"address\": \"198.18.0.22\","
            + " \"weight\": 3}]}}";
    static final AppConfig CONFIG;

    static {
        try {
            Path dir = Files.createTempDirectory("lvs-director-monitoring");
            CONFIG = AppConfig.write(AppConfig.randomPorts(), "ha:\n  enabled: true\n  syncInterface: eth0\n"
                    + "  syncId: 7\n  stateFile: " + dir.resolve("ha.json") + "\n");
            Files.writeString(CONFIG.dir.resolve("tokens"), "notify keepalived " + NOTIFY_TOKEN + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(MonitoredApplication.class, CONFIG.file.toString());
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static String scrape;

    static HttpResponse<String> api(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String metrics() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + "/metrics"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @BeforeAll
    static void driveTheServiceThroughWhatAnEdgeDoes() throws Exception {
        MonitoredApplication.ipvs.injectFailure(op -> op instanceof IpvsOp.AddService a
                && a.service().equals(VirtualServerKey.tcp("198.18.0.101", 80)), 2, "");
        assertThat(api("PUT", "/v1/services/web", TestDirector.ADMIN_TOKEN, WEB).statusCode()).isEqualTo(201);
        assertThat(api("PUT", "/v1/services/bad", TestDirector.ADMIN_TOKEN, WEB.replace("198.18.0.100",
                "198.18.0.101")).statusCode()).isEqualTo(201);
        assertThat(api("PUT", "/v1/ha/instances/VI_1", NOTIFY_TOKEN, "{\"state\": \"MASTER\", \"priority\": 150,"
                + " \"at\": " + Instant.now().toEpochMilli() + "}").statusCode()).isEqualTo(200);
        // The probes' part, by hand: one real server healthy, one that failed after a probe.
        HealthCheck check = MonitoredApplication.director.store().get("web").orElseThrow().healthCheck()
                .resolvePort(80);
        ProbeTarget rs1 = new ProbeTarget(IpAddresses.parse("198.18.0.21"), check);
        ProbeTarget rs2 = new ProbeTarget(IpAddresses.parse("198.18.0.22"), check);
        MonitoredApplication.health.onHealth(rs1, new HealthStatus(HealthState.HEALTHY, "ok", Instant.now()));
        MonitoredApplication.health.onHealth(rs2, new HealthStatus(HealthState.FAILED, "connect refused",
                Instant.now()));
        MonitoredApplication.measurements.probeCompleted(rs1, Duration.ofMillis(2), true);
        MonitoredApplication.measurements.probeCompleted(rs2, Duration.ofMillis(900), false);
        MonitoredApplication.measurements.healthTransition(rs2, HealthState.HEALTHY, HealthState.FAILED);
        MonitoredApplication.director.loop().requestSync();
        assertThat(api("GET", "/v1/services", TestDirector.READ_TOKEN, null).statusCode()).isEqualTo(200);
        assertThat(api("GET", "/v1/services", null, null).statusCode()).isEqualTo(401);
        assertThat(api("GET", "/v1/no-such-thing", TestDirector.READ_TOKEN, null).statusCode()).isEqualTo(404);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            String text = metrics();
            return text.contains("lvs_director_apply_failures_total{op=\"add_service\",service=\"bad\"}")
                    && text.contains("lvs_director_backend_kernel_weight{remote_address=\"198.18.0.21\"")
                    && text.contains("lvs_director_ha_sync_daemons_in_step 1.0")
                    && text.contains("lvs_director_ipvs_backend_weight{");
        });
        scrape = metrics();
    }

    @Test
    void everyMetricTheRulesAndTheDashboardReadIsExported() throws Exception {
        Set<String> exported = MonitoringKit.exported(scrape);
        // "up" is Prometheus's own series for every target.
        exported.add("up");
        Map<String, String> exprs = MonitoringKit.expressions(REPO);
        assertThat(exprs.keySet()).anyMatch(k -> k.startsWith("alerts.yml"))
                .anyMatch(k -> k.startsWith("dashboard "));
        Map<String, Set<String>> missing = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        exprs.forEach((where, expr) -> {
            Set<String> names = PromQl.metricNames(expr);
            assertThat(names).as("%s reads no metric: %s", where, expr).isNotEmpty();
            used.addAll(names);
            names.stream().filter(n -> !exported.contains(n))
                    .forEach(n -> missing.computeIfAbsent(where, k -> new TreeSet<>()).add(n));
        });
        assertThat(missing).as("metric names used but not in the scrape").isEmpty();
        // The check has teeth: the scrape really carries the conditional families the rules need.
        assertThat(used).contains("lvs_director_kubernetes_sync_age_seconds", "lvs_director_ha_instance_state",
                "lvs_director_ha_sync_daemons_in_step", "lvs_director_http_requests_total",
                "lvs_director_build_info");
    }

    @Test
    void oneMetricPrefix() {
        // jvm_* and process_* are the Prometheus client's standard names (shared dashboards expect them).
        assertThat(MonitoringKit.exported(scrape)).allMatch(n -> n.startsWith("lvs_director_") || n.startsWith("jvm_")
                || n.startsWith("process_"), "starts with lvs_director_, jvm_ or process_");
    }

    @Test
    void buildInfoCarriesTheVersion() {
        assertThat(scrape).containsPattern(
                "lvs_director_build_info\\{java_version=\"17[^\"]*\",version=\"[0-9]+\\.[0-9]+\\.[0-9]+[^\"]*\"} 1");
    }

    @Test
    void apiRequestsAreCountedByRouteTemplateAndStatus() {
        assertThat(scrape).contains(
                "lvs_director_http_requests_total{method=\"PUT\",route=\"/v1/services/{name}\",status=\"201\"} 2.0");
        assertThat(scrape).contains(
                "lvs_director_http_requests_total{method=\"PUT\",route=\"/v1/ha/instances/{name}\",status=\"200\"} 1.0");
        assertThat(scrape).contains(
                "lvs_director_http_requests_total{method=\"GET\",route=\"/v1/services\",status=\"401\"} 1.0");
        assertThat(scrape).contains(
                "lvs_director_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1.0");
        assertThat(scrape).doesNotContain("route=\"/v1/services/web\"");
        assertThat(scrape).containsPattern("lvs_director_http_request_duration_seconds_count\\{method=\"PUT\","
                + "route=\"/v1/services/\\{name}\"} 2");
    }

    @Test
    void theScrapeIsCleanForPromtool() throws Exception {
        MetricsText.assertPromtoolClean(scrape);
    }
}
