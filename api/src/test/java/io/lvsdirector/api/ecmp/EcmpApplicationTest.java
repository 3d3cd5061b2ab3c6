package io.lvsdirector.api.ecmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.DropwizardTestSupport;
import io.lvsdirector.api.LvsDirectorApplication;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.app.AppConfig;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.IpAddresses;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The ecmp mode in the whole application on a fake kernel, with {@code ip} replaced by a script that
 * keeps the dummy interface's addresses in a file (the real {@code ip} and BIRD run in the lab test): a
 * non-mh service on an announced range is refused; an mh service's VIP goes on the interface once a real
 * server is healthy, off within a recheck of the last one failing, with the reason in {@code /v1/ecmp}
 * and {@code /metrics}; BIRD's socket absent is a state; a clean stop leaves the interface empty.
 */
class EcmpApplicationTest {

    public static final class App extends LvsDirectorApplication {
        static final TestDirector DIRECTOR = new TestDirector();

        /** What the interface held when the first managed object began to stop (the last registered). */
        static final java.util.concurrent.atomic.AtomicReference<java.util.List<String>> AT_FIRST_STOP =
                new java.util.concurrent.atomic.AtomicReference<>();
        static volatile Path addrs;

        @Override
        protected Director buildDirector(LvsDirectorConfiguration config, Measurements measurements) {
            return DIRECTOR.director;
        }

        @Override
        public void run(LvsDirectorConfiguration config, io.dropwizard.core.setup.Environment environment)
                throws Exception {
            super.run(config, environment);
            // Managed objects stop in the reverse order of registration: this one before every other.
            environment.lifecycle().manage(new io.dropwizard.lifecycle.Managed() {
                @Override
                public void stop() throws Exception {
                    AT_FIRST_STOP.set(addrs == null ? null : Files.readAllLines(addrs));
                }
            });
        }
    }

    // Enough of iproute2's ip for VipInterface: link show/add/set, -o addr show, addr add/del.
    static final String FAKE_IP = """
            #!/bin/sh
            d=$(dirname "$0")
            case "$*" in
              "link show dev lvs-vips") [ -e "$d/link" ] || { echo 'Device "lvs-vips" does not exist.' >&2; exit 1; } ;;
              "link add lvs-vips type dummy") touch "$d/link" ;;
              "link set lvs-vips up") [ -e "$d/link" ] || exit 1 ;;
              "-o addr show dev lvs-vips scope global")
                touch "$d/addrs"
                while read a; do echo "5: lvs-vips    inet $a scope global lvs-vips\\       valid_lft forever"; done < "$d/addrs" ;;
              "addr add "*) grep -qx "$3" "$d/addrs" 2>/dev/null && { echo 'RTNETLINK answers: File exists' >&2; exit 2; }
                echo "$3" >> "$d/addrs" ;;
              "addr del "*) grep -vx "$3" "$d/addrs" > "$d/addrs.new"; mv "$d/addrs.new" "$d/addrs" ;;
              *) echo "fake ip: $*" >&2; exit 1 ;;
            esac
            """;

    static final String WEB = """
            {"vip": "192.0.2.10", "port": 80, "protocol": "tcp", "scheduler": "mh", "schedulerFlags": ["mh-port"],
             "healthCheck": {"type": "tcp"},
             "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1}]}}
            """;

    final ObjectMapper json = new ObjectMapper();

    HttpResponse<String> call(DropwizardTestSupport<?> app, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + path))
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN).header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode ecmp(DropwizardTestSupport<?> app) throws Exception {
        return json.readTree(call(app, "GET", "/v1/ecmp", null).body());
    }

    void health(HealthState state) {
        var check = App.DIRECTOR.store.get("web").orElseThrow().healthCheck().resolvePort(80);
        App.DIRECTOR.health.onHealth(new ProbeTarget(IpAddresses.parse("198.18.0.21"), check),
                new HealthStatus(state, "test", Instant.now()));
        App.DIRECTOR.director.loop().requestSync();
    }

    @Test
    void announcesWhileServableAndWithdrawsOnFailureAndOnStop() throws Exception {
        AppConfig config = AppConfig.write(AppConfig.randomLoopbackPorts(), "ecmp:\n  enabled: true\n"
                + "  vipRanges: [192.0.2.0/24]\n  recheckInterval: 200ms\n  birdSocket: /nonexistent/bird.ctl\n"
                + "  ipCommand: PLACEHOLDER\n");
        Path ipDir = Files.createDirectory(config.dir.resolve("ip"));
        Path ip = ipDir.resolve("ip");
        Files.writeString(ip, FAKE_IP);
        Files.setPosixFilePermissions(ip, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(config.file, Files.readString(config.file).replace("PLACEHOLDER", ip.toString()));
        Path addrs = ipDir.resolve("addrs");
        App.addrs = addrs;

        DropwizardTestSupport<LvsDirectorConfiguration> app = new DropwizardTestSupport<>(App.class,
                config.file.toString());
        app.before();
        try {
            HttpResponse<String> rr = call(app, "PUT", "/v1/services/bad", WEB.replace("\"mh\", \"schedulerFlags\": [\"mh-port\"]",
                    "\"rr\""));
            assertThat(rr.statusCode()).as(rr.body()).isEqualTo(422);
            assertThat(json.readTree(rr.body()).get("field").asText()).isEqualTo("scheduler");
            assertThat(json.readTree(rr.body()).get("message").asText()).contains("mh");
            // Outside the announced ranges any scheduler is the operator's business.
            assertThat(call(app, "PUT", "/v1/services/other", WEB.replace("192.0.2.10", "198.51.100.1")
                    .replace("\"mh\", \"schedulerFlags\": [\"mh-port\"]", "\"rr\"")).statusCode()).isEqualTo(201);

            assertThat(call(app, "PUT", "/v1/services/web", WEB).statusCode()).isEqualTo(201);
            // Not probed yet: below quorum, withdrawn.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode v = vip(ecmp(app), "192.0.2.10");
                assertThat(v.get("announced").asBoolean()).as("%s", call(app, "GET", "/v1/services/web", null).body())
                        .isFalse();
                assertThat(v.get("reason").asText()).isEqualTo("below_quorum");
                assertThat(v.get("service").asText()).isEqualTo("web");
            });
            assertThat(vip(ecmp(app), "198.51.100.1").get("reason").asText()).isEqualTo("outside_ranges");
            assertThat(Files.readAllLines(addrs)).isEmpty();

            health(HealthState.HEALTHY);
            // The address goes on the interface before the announcer publishes the run's view.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(Files.readAllLines(addrs)).containsExactly("192.0.2.10/32");
                assertThat(vip(ecmp(app), "192.0.2.10").get("reason").asText()).isEqualTo("serving");
            });
            JsonNode e = ecmp(app);
            assertThat(e.get("onInterface").toString()).isEqualTo("[\"192.0.2.10\"]");
            assertThat(e.at("/bird/reachable").asBoolean(true)).isFalse();
            assertThat(e.at("/bird/error").asText()).isNotBlank();
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + app.getAdminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("lvs_director_ecmp_vip_announced{reason=\"serving\",vip=\"192.0.2.10\"} 1.0")
                    .contains("lvs_director_ecmp_bird_reachable 0.0")
                    .contains("lvs_director_ecmp_vip_transitions_total{to=\"announced\",vip=\"192.0.2.10\"} 1.0");

            long t0 = System.nanoTime();
            health(HealthState.FAILED);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                    assertThat(Files.readAllLines(addrs)).isEmpty());
            // From the health change to the address gone: one pass and one announcer run, no recheck wait.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));

            health(HealthState.HEALTHY);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(Files.readAllLines(addrs)).containsExactly("192.0.2.10/32"));
        } finally {
            app.after();
        }
        assertThat(Files.readAllLines(addrs)).as("a clean stop withdraws every VIP").isEmpty();
        // ... first: when the server begins to stop, before any managed object (the director's loop,
        // the API's grace period) does.
        assertThat(App.AT_FIRST_STOP.get()).as("the interface when the first managed object stopped").isEmpty();
    }

    static JsonNode vip(JsonNode ecmp, String vip) {
        for (JsonNode v : ecmp.get("vips")) {
            if (v.get("vip").asText().equals(vip)) {
                return v;
            }
        }
        throw new AssertionError("no " + vip + " in " + ecmp);
    }
}
