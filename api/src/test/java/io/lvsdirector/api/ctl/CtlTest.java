package io.lvsdirector.api.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
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
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ctl} against the whole application served over HTTP in this JVM (connectors, auth, the
 * REST API as {@code server} runs it) on a fake kernel: each test runs the client's real code path
 * (argument parsing, client config, JDK HttpClient, table or JSON output, exit status).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class CtlTest {

    /** The application with a director whose fake kernel and health board the tests can reach. */
    public static final class App extends LvsDirectorApplication {
        static final TestDirector DIRECTOR = new TestDirector();

        @Override
        protected Director buildDirector(LvsDirectorConfiguration config, Measurements measurements) {
            return DIRECTOR.director;
        }
    }

    static final Path DIR;
    static final Path CONFIG;

    static {
        AppConfig config = AppConfig.write(AppConfig.randomLoopbackPorts(), "");
        DIR = config.dir;
        CONFIG = config.file;
    }

    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(App.class, CONFIG.toString());

    static final String WEB_YAML = """
            # a DR service as an operator would write it
            name: web
            spec:
              vip: 198.18.0.100
              port: 80
              scheduler: rr
              realServers:
                static:
                  - address: 198.18.0.21
                  - address: 198.18.0.22
                    weight: 3
              healthCheck:
                type: tcp
                port: 80
            """;

    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {}

    Path adminToken;
    Path readToken;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws IOException {
        App.DIRECTOR.reset();
        adminToken = write("admin.token", TestDirector.ADMIN_TOKEN + "\n");
        readToken = write("read.token", "# the dashboard's token\n" + TestDirector.READ_TOKEN + "\n");
        env = new HashMap<>();
        // No stray ~/.config/lvs-director/client.yaml of the machine running the tests.
        env.put("HOME", Files.createTempDirectory(DIR, "home").toString());
        env.put("LVS_DIRECTOR_URL", "http://127.0.0.1:" + APP.getLocalPort());
    }

    static Path write(String name, String content) throws IOException {
        Path p = DIR.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    Run ctl(String... args) {
        return ctlWithInput(null, args);
    }

    Run ctlWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Ctl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env,
                new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    void applyWeb() throws IOException {
        Run r = ctl("apply", "-f", write("web.yaml", WEB_YAML).toString(), "--token-file", adminToken.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("service/web created\n");
    }

    void health(String address, HealthState state, String reason) {
        var check = App.DIRECTOR.store.get("web").orElseThrow().healthCheck().resolvePort(80);
        App.DIRECTOR.health.onHealth(new ProbeTarget(IpAddresses.parse(address), check),
                new HealthStatus(state, reason, Instant.now().minusSeconds(75)));
    }

    @Test
    void servicesPrintsTheIpvsadmLikeTableWithDesiredAndKernelWeightAndHealthWithItsReason() throws Exception {
        applyWeb();
        health("198.18.0.21", HealthState.HEALTHY, "ok");
        health("198.18.0.22", HealthState.FAILED, "connect refused");
        App.DIRECTOR.director.loop().requestSync();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(App.DIRECTOR.ipvs.snapshot().byKey()
                .get(VirtualServerKey.tcp("198.18.0.100", 80)).realServers()).hasSize(1));
        App.DIRECTOR.ipvs.setRealServerCounters(VirtualServerKey.tcp("198.18.0.100", 80),
                new RealServerKey(IpAddresses.parse("198.18.0.21"), 80), 5, 7, 0,
                new io.lvsdirector.ipvs.Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        App.DIRECTOR.director.loop().requestSync();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Run r = ctl("services", "--token-file", readToken.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines.get(0)).startsWith("lvs-director http://127.0.0.1:" + APP.getLocalPort()
                    + "  state version ");
            assertThat(lines.get(1)).matches("Prot +LocalAddress:Port +Scheduler +Flags +Service +State");
            assertThat(lines.get(2)).matches("  -> RemoteAddress:Port +Forward +Weight +Kernel +ActiveConn +InActConn"
                    + " +Health +Since +Reason");
            assertThat(lines.get(3)).matches("TCP +198\\.18\\.0\\.100:80 +rr +web +in step");
            // rs1 healthy at 1/1 with the kernel's connections; rs2 wanted at 3 by its spec, failed, so out.
            assertThat(lines.get(4)).matches("  -> 198\\.18\\.0\\.21:80 +Route +1 +1 +5 +7 +healthy +1m[0-9]+s +ok");
            assertThat(lines.get(5)).matches("  -> 198\\.18\\.0\\.22:80 +Route +- +- +0 +0 +failed +1m[0-9]+s"
                    + " +\\S+: connect refused");
            assertThat(lines).hasSize(6);
            // Columns line up: every real-server row's Health starts under the header's.
            int col = lines.get(2).indexOf("Health");
            assertThat(lines.get(4).substring(col)).startsWith("healthy");
            assertThat(lines.get(5).substring(col)).startsWith("failed");
        });
    }

    @Test
    void jsonOutputIsTheApisAnswer() throws Exception {
        applyWeb();
        Run r = ctl("services", "-o", "json", "--token-file", readToken.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertThat(list.at("/services/0/name").asText()).isEqualTo("web");
        assertThat(list.at("/services/0/spec/realServers/static/1/weight").asInt()).isEqualTo(3);

        Run get = ctl("get", "web", "--output=json", "--token-file", readToken.toString());
        assertThat(get.exit()).isZero();
        JsonNode view = new ObjectMapper().readTree(get.out());
        assertThat(view.path("name").asText()).isEqualTo("web");
        assertThat(view.at("/spec/vip").asText()).isEqualTo("198.18.0.100");

        // What get -o json printed applies again, unchanged: the round trip an operator edits through.
        Path saved = write("saved.json", get.out());
        Run again = ctl("apply", "-f", saved.toString(), "--token-file", adminToken.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo("service/web unchanged\n");
    }

    @Test
    void getShowsTheSettingsAndTheTable() throws Exception {
        applyWeb();
        Run r = ctl("get", "web", "--token-file", readToken.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Service web: TCP 198.18.0.100:80, scheduler rr, forwarding dr")
                .contains("health check:  tcp :80").contains("when all down: fail-open");
        Run missing = ctl("get", "nope", "--token-file", readToken.toString());
        assertThat(missing.exit()).isEqualTo(Ctl.REFUSED);
        assertThat(missing.err()).contains("404").contains("no service named 'nope'");
    }

    @Test
    void a422IsPrintedWithItsFieldAndNothingIsApplied() throws Exception {
        applyWeb();
        Path bad = write("bad.json", """
                {"services": {
                  "api": {"vip": "198.18.0.101", "port": 80, "realServers": {"static": [{"address": "198.18.0.31"}]}},
                  "mail": {"vip": "198.18.0.102", "port": 25, "realServers": {"static": [{"address": "0.0.0.0"}]}}}}
                """);
        Run r = ctl("apply", "-f", bad.toString(), "--token-file", adminToken.toString());
        assertThat(r.exit()).isEqualTo(Ctl.REFUSED);
        assertThat(r.err()).isEqualTo("lvs-director ctl: PUT /v1/services/mail?dryRun=true: 422 must be a unicast"
                + " address, not an unspecified (0.0.0.0/8) address: 0.0.0.0 [field realServers.static[0].address];"
                + " nothing applied\n");
        assertThat(r.out()).isEmpty();
        // "api" was fine, but the file is applied whole or not at all.
        assertThat(App.DIRECTOR.store.get("api")).isEmpty();
    }

    @Test
    void a409NamesTheFieldAndNothingIsApplied() throws Exception {
        applyWeb();
        // The kernel has a service on .101 that the director does not own: the PUT's own check finds it.
        App.DIRECTOR.ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(VirtualServerKey.tcp("198.18.0.101", 80),
                "wlc"));
        App.DIRECTOR.director.loop().runOnce();
        Path three = write("three.yaml", """
                services:
                  api: {vip: 198.18.0.103, port: 80, realServers: {static: [{address: 198.18.0.31}]}}
                  clash: {vip: 198.18.0.101, port: 80, realServers: {static: [{address: 198.18.0.32}]}}
                  later: {vip: 198.18.0.104, port: 80, realServers: {static: [{address: 198.18.0.33}]}}
                """);
        Run r = ctl("apply", "-f", three.toString(), "--token-file", adminToken.toString());
        assertThat(r.exit()).isEqualTo(Ctl.REFUSED);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("lvs-director ctl: PUT /v1/services/clash?dryRun=true: 409 TCP 198.18.0.101:80"
                + " already exists in the kernel and is not the director's (scheduler wlc, 0 real servers")
                .endsWith("[field vip]; nothing applied\n");
        assertThat(App.DIRECTOR.store.get("api")).isEmpty();

        // Another service on web's VIP:port, from standard input: refused before anything is written.
        Run same = ctlWithInput("{\"name\": \"web2\", \"spec\": {\"vip\": \"198.18.0.100\", \"port\": 80,"
                + " \"realServers\": {\"static\": [{\"address\": \"198.18.0.29\"}]}}}",
                "apply", "-f", "-", "--token-file", adminToken.toString());
        assertThat(same.exit()).isEqualTo(Ctl.REFUSED);
        assertThat(same.err()).contains("409").contains("as service 'web'").contains("nothing applied");
        assertThat(App.DIRECTOR.store.get("web2")).isEmpty();
        assertThat(ctlWithInput("\"web2\"", "apply", "-f", "-", "--token-file", adminToken.toString()).exit())
                .isEqualTo(Ctl.USAGE);
    }

    @Test
    void a401Or403IsExitFourWithAHint() throws Exception {
        Path wrong = write("wrong.token", "not-a-known-token-0123456789\n");
        Run r = ctl("services", "--token-file", wrong.toString());
        assertThat(r.exit()).isEqualTo(Ctl.UNAUTHORIZED);
        assertThat(r.err()).contains("GET /v1/services: 401").contains("the server does not know this token");
        assertThat(r.err()).doesNotContain("not-a-known-token");

        Run none = ctl("services");
        assertThat(none.exit()).isEqualTo(Ctl.UNAUTHORIZED);
        assertThat(none.err()).contains("no token given");

        Run readOnly = ctl("delete", "web", "--token-file", readToken.toString());
        assertThat(readOnly.exit()).isEqualTo(Ctl.UNAUTHORIZED);
        assertThat(readOnly.err()).contains("403").contains("role");
    }

    @Test
    void anUnreachableServerIsExitThree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = ctl("services", "--server", "http://127.0.0.1:" + port, "--token-file", readToken.toString());
        assertThat(r.exit()).isEqualTo(Ctl.UNREACHABLE);
        assertThat(r.err()).isEqualTo("lvs-director ctl: cannot reach the API at http://127.0.0.1:" + port
                + ": connection refused (is lvs-director running, and is this its address? --server or server: in"
                + " client.yaml)\n");
    }

    @Test
    void usageErrorsAreExitTwoAndSendNothing() throws Exception {
        assertThat(ctl().exit()).isEqualTo(Ctl.USAGE);
        assertThat(ctl("frobnicate").err()).contains("unknown command 'frobnicate'");
        assertThat(ctl("get").err()).contains("get takes a service NAME; got 0");
        assertThat(ctl("apply").err()).contains("apply needs -f FILE");
        assertThat(ctl("services", "-o", "yaml").exit()).isEqualTo(Ctl.USAGE);
        assertThat(ctl("drain", "web").exit()).isEqualTo(Ctl.USAGE);
        assertThat(ctl("services", "--token-file", DIR.resolve("missing").toString()).err())
                .contains("token file " + DIR.resolve("missing") + " does not exist");
        Path serverFile = write("server-tokens", "admin ops " + TestDirector.ADMIN_TOKEN + "\n");
        Run r = ctl("services", "--token-file", serverFile.toString());
        assertThat(r.exit()).isEqualTo(Ctl.USAGE);
        assertThat(r.err()).contains("must hold just the token").doesNotContain(TestDirector.ADMIN_TOKEN);
        assertThat(ctl("apply", "-f", write("x.yaml", "name: [").toString()).err()).contains("is not YAML");
        Run help = ctl("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Exit status: 0 ok, 1 the API refused");
    }

    @Test
    void drainAndUndo() throws Exception {
        applyWeb();
        Run r = ctl("drain", "web", "198.18.0.21", "--token-file", adminToken.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("service/web real server 198.18.0.21: draining\n");
        assertThat(App.DIRECTOR.store.drains()).hasSize(1);
        assertThat(ctl("drain", "web", "198.18.0.21", "--token-file", adminToken.toString()).out()).contains("(already)");
        Run undo = ctl("drain", "web", "198.18.0.21", "--undo", "--token-file", adminToken.toString());
        assertThat(undo.exit()).isZero();
        assertThat(undo.out()).isEqualTo("service/web real server 198.18.0.21: drain ended\n");
        assertThat(App.DIRECTOR.store.drains()).isEmpty();
        Run again = ctl("drain", "web", "198.18.0.21", "--undo", "--token-file", adminToken.toString());
        assertThat(again.exit()).isEqualTo(Ctl.REFUSED);
        assertThat(again.err()).contains("404").contains("is not drained by hand");
    }

    @Test
    void theClientConfigGivesServerAndTokenFileAndTheEnvironmentTheToken() throws Exception {
        applyWeb();
        env.remove("LVS_DIRECTOR_URL");
        Path home = Path.of(env.get("HOME"));
        Files.createDirectories(home.resolve(".config/lvs-director"));
        Files.writeString(home.resolve(".config/lvs-director/client.yaml"), "server: http://127.0.0.1:"
                + APP.getLocalPort() + "\ntokenFile: ~/read.token\n");
        Files.copy(readToken, home.resolve("read.token"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run r = ctl("services");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("198.18.0.100:80");

        // LVS_DIRECTOR_TOKEN wins over the config's token file: an admin token may delete.
        env.put("LVS_DIRECTOR_TOKEN", TestDirector.ADMIN_TOKEN);
        Run del = ctl("delete", "web");
        assertThat(del.exit()).as(del.err()).isZero();
        assertThat(del.out()).isEqualTo("service/web deleted\n");
        assertThat(App.DIRECTOR.store.get("web")).isEmpty();

        Files.writeString(home.resolve(".config/lvs-director/client.yaml"), "server: http://x\ntoken: abc\n");
        assertThat(ctl("services").err()).contains("unknown key 'token'");
        Files.writeString(home.resolve(".config/lvs-director/client.yaml"), "server: http://x:9440\ncaFile: ca.pem\n");
        assertThat(ctl("services").err()).contains("is for an https server");
    }

    @Test
    void planShowsTheOperationsApplyingTheFileWouldCauseAndAppliesNothing() throws Exception {
        applyWeb();
        Path api = write("api.yaml", """
                name: api
                spec: {vip: 198.18.0.101, port: 443, realServers: {static: [{address: 198.18.0.31, weight: 2}]}}
                """);
        Run r = ctl("plan", "-f", api.toString(), "--token-file", readToken.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        // The file's service is added; web, already there and not in the file, is left as it is.
        assertThat(r.out()).containsPattern("(?m)^ipvsadm -A -t 198\\.18\\.0\\.101:443 .*# api ")
                .containsPattern("(?m)^ipvsadm -a -t 198\\.18\\.0\\.101:443 -r 198\\.18\\.0\\.31:443 .*-w 2 .*# api ")
                .doesNotContain("# web").contains("none applied");
        assertThat(App.DIRECTOR.store.get("api")).isEmpty();
        Run json = ctl("plan", "-f", api.toString(), "-o", "json", "--token-file", readToken.toString());
        assertThat(new ObjectMapper().readTree(json.out()).path("operations").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aDryRunPutStoresNothingAndAnUnknownDryRunValueIsRefusedNotTakenAsAWrite() throws Exception {
        String body = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"realServers\": {\"static\": [{\"address\":"
                + " \"198.18.0.21\"}]}}";
        var http = java.net.http.HttpClient.newHttpClient();
        for (String q : new String[] {"?dryRun=true", "?dryRun=yes"}) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + APP.getLocalPort() + "/v1/services/web" + q)).header("Authorization", "Bearer "
                    + TestDirector.ADMIN_TOKEN).header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(q + " " + r.body()).isEqualTo(q.endsWith("true") ? 201 : 400);
            assertThat(App.DIRECTOR.store.get("web")).as(q).isEmpty();
        }
    }
}
