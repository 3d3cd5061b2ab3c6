package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.api.monitoring.MonitoringKit;
import io.lvsdirector.api.ui.HeadlessChromium;
import io.lvsdirector.api.ui.StatusPageTest;
import io.lvsdirector.lab.ExecResult;
import io.lvsdirector.lab.Ipvsadm;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged service end to end on the lab kernel: {@code java -jar api-*-all.jar server} runs in the
 * {@code dir1} namespace with a state file in a temp directory; the API is driven with curl; traffic comes
 * from the lab's client through the VIP to nginx real servers, and {@code ipvsadm} cross-checks the kernel.
 * The steps build on each other, so they run in order.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LvsDirectorKernelIT {

    private static final String TOKEN = "kernel-it-admin-token-0123456789";
    /** The status page's token: role read. */
    private static final String READ_TOKEN = "kernel-it-read-token-0123456789";
    private static final String ADMIN = PackagedService.ADMIN;
    private static final String WEB = """
            {"vip": "198.18.0.100", "port": 80, "protocol": "tcp", "scheduler": "rr", "forwarding": "dr",
             "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1},
                                        {"address": "198.18.0.22", "port": 80, "weight": 1},
                                        {"address": "198.18.0.23", "port": 80, "weight": 1}]},
             "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "intervalMs": 200, "timeoutMs": 200,
                             "rise": 1, "fall": 2}}
            """;

    private static Topology topo;
    private static Path dir;
    private static Path config;
    private static PackagedService server;

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(1, 3);
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kernel-it-");
        Path tokens = Lab.privateFile(dir.resolve("tokens"), "admin it " + TOKEN + "\nread page " + READ_TOKEN + "\n");
        config = dir.resolve("director.yml");
        Files.writeString(config, PackagedService.config(dir.resolve("state/state.json"), "2s", tokens, "",
                dir.resolve("director.log")));
        server = start();
    }

    @AfterAll
    static void down() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (topo != null) {
            topo.close();
        }
    }

    private static PackagedService start() throws Exception {
        return PackagedService.run("dir1", config, dir.resolve("server.out"), TOKEN);
    }

    /** address:port → weight of the VIP's real servers, from ipvsadm; empty while the service is absent. */
    private static java.util.Map<String, Integer> weights() {
        ExecResult r = topo.exec("dir1", "ipvsadm", "-Ln", "-t", Lab.VIP + ":80");
        if (!r.ok() && r.stderr().contains("No such service")) {
            return java.util.Map.of();
        }
        return Ipvsadm.weights(r.orThrow().stdout());
    }

    @Test
    @Order(1)
    void putADirectRoutingServiceWithCurl() {
        String answer = server.api("PUT", "/v1/services/web", WEB);
        assertThat(answer).endsWith("201");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights())
                .containsExactly(java.util.Map.entry("198.18.0.21:80", 1), java.util.Map.entry("198.18.0.22:80", 1),
                        java.util.Map.entry("198.18.0.23:80", 1)));
        assertThat(Files.exists(dir.resolve("state/state.json"))).isTrue();
    }

    @Test
    @Order(2)
    void trafficReachesEveryRealServerAndRepliesBypassTheDirector() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String body = topo.get("http://" + Lab.VIP + "/");
            assertThat(body).as("request %d through the VIP", i).isNotNull();
            seen.add(body);
        }
        assertThat(seen).containsExactlyInAnyOrder("rs1", "rs2", "rs3");
        // Counters are folded in every 2 s: poll. Under DR the director never sees a reply.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String stats = topo.ipvsadm("dir1", "-Ln", "--stats", "-t", Lab.VIP + ":80");
            Matcher m = Pattern.compile("TCP\\s+198\\.18\\.0\\.100:80\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(stats);
            assertThat(m.find()).as(stats).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("Conns").isGreaterThanOrEqualTo(30);
            assertThat(Long.parseLong(m.group(2))).as("InPkts").isPositive();
            assertThat(Long.parseLong(m.group(3))).as("OutPkts").isZero();
        });
    }

    @Test
    @Order(3)
    void theStatusPageInChromiumShowsARealServerFailedSecondsAfterItsNginxStops() throws Exception {
        // Debian's chromium, headless, in dir1 beside the service, on the page the API port serves.
        String row = "document.querySelector('[data-service=\"web\"] tr[data-address=\"198.18.0.22\"]')";
        String health = row + "?.querySelector('[data-field=health]')?.textContent";
        long started = System.nanoTime();
        try (HeadlessChromium chromium = HeadlessChromium.start(List.of("ip", "netns", "exec", "dir1"),
                dir.resolve("chromium"))) {
            chromium.open(PackagedService.API + "/ui/", StatusPageTest.CSP_WATCH);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(chromium.eval("!!document.getElementById('login') && !document.getElementById('login')"
                            + ".hidden").asBoolean()).isTrue());
            System.out.printf("kernel-it: chromium up and the page asking for a token after %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
            assertThat(chromium.eval("document.querySelectorAll('[data-service]').length").asInt()).isZero();
            chromium.eval("document.getElementById('token').focus()");
            chromium.type(READ_TOKEN);
            chromium.eval("document.querySelector('#login button').click()");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(chromium.eval(
                    "[...document.querySelectorAll('[data-service=\"web\"] [data-field=health]')].map(e => e.textContent)"
                    + ".join()").asText()).isEqualTo("healthy,healthy,healthy"));
            chromium.screenshot(StatusPageTest.SHOTS.resolve("status-page-lab-healthy.png"));

            long t0 = System.nanoTime();
            topo.stopRealServer(2);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(chromium.eval(health).asText()).isEqualTo("failed"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("kernel-it: the page showed 198.18.0.22 failed %d ms after its nginx stopped"
                    + " (probe every 200 ms, fall 2; page refresh 2 s)%n", ms);
            assertThat(ms).as("failed on the page after nginx stopped, ms").isLessThan(10_000);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(chromium.eval(
                    row + ".querySelector('[data-field=kernel]').textContent").asText()).isEqualTo("out"));
            assertThat(chromium.eval(row + ".querySelector('[data-field=reason]').textContent").asText())
                    .isNotBlank();
            assertThat(weights()).doesNotContainKey("198.18.0.22:80");
            assertThat(chromium.eval("window.__csp").toString()).isEqualTo("[]");
            assertThat(chromium.eval("location.href").asText()).doesNotContain(READ_TOKEN);
            chromium.screenshot(StatusPageTest.SHOTS.resolve("status-page-lab-failed.png"));
        } finally {
            topo.startRealServer(2);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights()).containsKey("198.18.0.22:80"));
    }

    @Test
    @Order(4)
    void aStoppedRealServerIsRemovedWhileRequestsKeepSucceeding() {
        topo.stopRealServer(2);
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(weights()).doesNotContainKey("198.18.0.22:80"));
            for (int i = 0; i < 20; i++) {
                assertThat(topo.get("http://" + Lab.VIP + "/")).as("request %d", i).isIn("rs1", "rs3");
            }
            assertThat(server.api("GET", "/v1/services/web", null)).contains("\"198.18.0.22\"").contains("\"failed\"");
        } finally {
            topo.startRealServer(2);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights()).containsKey("198.18.0.22:80"));
    }

    @Test
    @Order(5)
    void drainByApiSetsWeightZero() {
        assertThat(server.api("POST", "/v1/services/web/real-servers/198.18.0.21/drain", null)).endsWith("200");
        // rs1 still has connections (InActConn from the requests above): it stays in at weight 0.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(weights()).containsEntry("198.18.0.21:80", 0));
        assertThat(server.api("DELETE", "/v1/services/web/real-servers/198.18.0.21/drain", null)).endsWith("200");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(weights()).containsEntry("198.18.0.21:80", 1));
    }

    @Test
    @Order(6)
    void aFlushByHandIsRepairedWithinTheResyncPeriod() {
        // The repair is seen as the loop's own writes: the add_service counter goes up by one. Reading the
        // table right after the flush instead raced the 2 s resync, which can repair it before the read.
        double addsBefore = addServiceOps();
        long t0 = System.nanoTime();
        topo.exec("dir1", "ipvsadm", "-C").orThrow();
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    assertThat(addServiceOps()).isEqualTo(addsBefore + 1);
                    assertThat(weights()).hasSize(3);
                });
        System.out.printf("kernel-it: table restored %d ms after ipvsadm -C (resync 2 s)%n",
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** {@code lvs_director_reconcile_operations_total{kind="add_service",result="ok"}} from the admin port. */
    private double addServiceOps() {
        String text = server.curl("-s", ADMIN + "/metrics").orThrow().stdout();
        Matcher m = Pattern.compile("lvs_director_reconcile_operations_total\\{kind=\"add_service\",result=\"ok\"\\} ([0-9.eE+]+)")
                .matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    @Order(7)
    void metricsOnTheAdminPortCarryTheServicesCounter() throws Exception {
        // A scrape shows the loop's last kernel read (it never reads the kernel itself); after the flush
        // above, the service is back in that view by the next resync read (2 s here).
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(server.curl("-s", ADMIN + "/metrics").orThrow().stdout())
                        .contains("lvs_director_ipvs_service_connections_total{local_address=\"198.18.0.100\""));
        String text = server.curl("-s", ADMIN + "/metrics").orThrow().stdout();
        assertThat(text).containsPattern("lvs_director_kernel_view_age_seconds [0-9.]+");
        assertThat(text).contains("lvs_director_backend_health{");
        assertThat(text).contains("lvs_director_reconcile_duration_seconds_bucket");

        // The monitoring kit (monitoring/alerts.yml, the Grafana dashboard) reads only what the packaged
        // service exports. This boot has neither HA nor Kubernetes, and no service the kernel refused or
        // VRRP transition, so only those families may be missing (MonitoringContractTest has them all).
        Set<String> missing = new TreeSet<>(MonitoringKit.used(Path.of("..").toAbsolutePath().normalize()));
        missing.removeAll(MonitoringKit.exported(text));
        missing.remove("up");
        assertThat(missing).allMatch(n -> n.startsWith("lvs_director_kubernetes_")
                || n.equals("lvs_director_apply_failures_total") || n.equals("lvs_director_ha_master")
                || n.equals("lvs_director_ha_instance_state") || n.equals("lvs_director_ha_sync_daemons_in_step")
                || n.equals("lvs_director_ha_transitions_total"), "conditional on HA, Kubernetes or a failure");
        assertThat(text).containsPattern("lvs_director_build_info\\{java_version=\"[^\"]+\",version=\"[0-9][^\"]*\"} 1");
        assertThat(text).contains("lvs_director_http_requests_total{method=\"PUT\",route=\"/v1/services/{name}\"");
    }

    @Test
    @Order(8)
    void prometheusScrapesTheAdminPortAndAQueryReturnsTheConnectionCounter() throws Exception {
        Path promDir = dir.resolve("prometheus");
        Files.createDirectories(promDir);
        Path promConfig = promDir.resolve("prometheus.yml");
        Files.writeString(promConfig, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: lvs-director\n"
                + "    static_configs:\n      - targets: ['127.0.0.1:9441']\n");
        Process prom = new ProcessBuilder("ip", "netns", "exec", "dir1", "prometheus",
                "--config.file=" + promConfig, "--storage.tsdb.path=" + promDir.resolve("data"),
                "--web.listen-address=127.0.0.1:9090").redirectErrorStream(true)
                .redirectOutput(promDir.resolve("prometheus.out").toFile()).start();
        try {
            // The flush above recreated the service with zeroed counters: make some connections to count.
            // Each from its own client port below the ephemeral range, used by nothing else in this boot: in
            // DR the director never sees the server's FIN, so IPVS keeps an earlier connection in FIN_WAIT,
            // and a SYN from a reused port (conn_reuse_mode=1) would join that entry instead of counting.
            for (int i = 0; i < 10; i++) {
                assertThat(topo.exec(10, "client", "curl", "-s", "--max-time", "2", "--local-port",
                        Integer.toString(21000 + i), "http://" + Lab.VIP + "/").ok()).isTrue();
            }
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                ExecResult r = server.curl("-s", "-G", "http://127.0.0.1:9090/api/v1/query", "--data-urlencode",
                        "query=lvs_director_ipvs_service_connections_total{service=\"web\"}");
                assertThat(r.ok()).isTrue();
                var result = json.readTree(r.stdout()).at("/data/result");
                assertThat(result).as(r.stdout()).hasSize(1);
                assertThat(result.get(0).at("/metric/local_address").asText()).isEqualTo(Lab.VIP);
                assertThat(Double.parseDouble(result.get(0).at("/value/1").asText())).isGreaterThanOrEqualTo(10);
            });
        } finally {
            prom.descendants().forEach(ProcessHandle::destroy);
            prom.destroy();
            prom.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(9)
    void statusAndPlanCommandsReadTheSameTable() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path launcher = Path.of("bin/lvs-director").toAbsolutePath();
        ExecResult status = Lab.run(180, List.of("ip", "netns", "exec", "dir1", "env", "JAVA=" + java,
                launcher.toString(), "status", config.toString())).orThrow();
        assertThat(status.stdout()).contains("web  TCP 198.18.0.100:80  in kernel");
        assertThat(status.stdout()).containsPattern("198\\.18\\.0\\.21:80\\s+desired 1\\s+kernel 1 ");
        ExecResult plan = Lab.run(180, List.of("ip", "netns", "exec", "dir1", "env", "JAVA=" + java,
                launcher.toString(), "plan", config.toString())).orThrow();
        assertThat(plan.stdout()).contains("# 0 operations, none applied");
    }

    @Test
    @Order(10)
    void aRestartUnderLoadChangesNothingInTheKernel() throws Exception {
        // Connection counts move under load; the table itself (services, real servers, weights) must not.
        var before = weights();
        Path wrkOut = dir.resolve("wrk.out");
        Process wrk = new ProcessBuilder("ip", "netns", "exec", "client", "wrk", "-t2", "-c8", "-d20s",
                "http://" + Lab.VIP + "/").redirectErrorStream(true).redirectOutput(wrkOut.toFile()).start();
        Thread.sleep(2000);
        server.stop();
        assertThat(weights()).as("after stop").isEqualTo(before);
        server = start();
        // A few passes of the restarted director.
        Thread.sleep(3000);
        assertThat(weights()).as("after restart").isEqualTo(before);
        assertThat(wrk.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String report = Files.readString(wrkOut, StandardCharsets.UTF_8);
        System.out.println("kernel-it: wrk during restart:\n" + report);
        assertThat(report).contains("requests in");
        assertThat(report).doesNotContain("Socket errors").doesNotContain("Non-2xx");
    }

    @Test
    @Order(11)
    void theChangeLogHasOneLinePerRealServerChange() throws Exception {
        String log = Files.readString(dir.resolve("director.log"), StandardCharsets.UTF_8);
        assertThat(log).contains("event=real_server_changed service=web real_server=198.18.0.22:80 weight=1->out");
        assertThat(log).contains("event=drain_started service=web real_server=198.18.0.21 by=it(admin)");
        assertThat(log).doesNotContain(TOKEN);
        assertThat(new File(dir.resolve("server.out").toString())).exists();
        // The restart under load (step 9) wrote nothing to the kernel, and the change log says so: its first
        // view is compared with the kernel the first pass read, not with nothing ("weight=out->1
        // disposition=new->unknown" for every real server before).
        String afterRestart = log.substring(log.lastIndexOf("event=director_start"));
        assertThat(afterRestart).contains("event=change_log_started real_servers=3 changed_at_start=0")
                .doesNotContain("disposition=new->").doesNotContain("weight=out->");
        // logback-access's version check at every start found nothing to warn about.
        String out = Files.readString(dir.resolve("server.out"), StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("are different").doesNotContain("Expected version of");
    }

    /**
     * Issue #15's DR check, side by side on one VIP (198.18.0.101, which every real server also has on
     * its {@code lo}): service {@code vip-check} (:80) probes via the VIP, service {@code node-check}
     * (:8080) probes the nodes' own addresses. rs2 loses 198.18.0.101 from its {@code lo} while nginx
     * keeps answering on its own address: {@code vip-check} takes it out (it now drops every packet
     * sent to that VIP), {@code node-check} keeps it, wrongly. A curl loop through the VIP meanwhile
     * loses only the requests sent to rs2 before it left. First on a director that does not hold the
     * VIP (the probe's SYN leaves for a VIP that is not local: a backup), then on one that holds it,
     * where the answer from the VIP needs {@code accept_local}.
     */
    @Test
    @Order(12)
    void aNodeThatLostTheVipOnLoLeavesRotationWithAVipCheckAndStaysWithANodeCheck() throws Exception {
        String vip2 = Lab.VIP2;
        String check = "\"healthCheck\": {\"type\": \"http\", \"port\": 8080, \"path\": \"/ping\", \"intervalMs\": 200,"
                + " \"timeoutMs\": 200, \"rise\": 1, \"fall\": 2%s}";
        String servers = "\"realServers\": {\"static\": [{\"address\": \"198.18.0.21\", \"port\": %1$d},"
                + " {\"address\": \"198.18.0.22\", \"port\": %1$d}, {\"address\": \"198.18.0.23\", \"port\": %1$d}]}";
        assertThat(server.api("PUT", "/v1/services/vip-check", "{\"vip\": \"" + vip2 + "\", \"port\": 80, \"scheduler\": \"rr\", "
                + servers.formatted(80) + ", " + check.formatted(", \"via\": \"vip\"") + "}")).endsWith("201");
        assertThat(server.api("PUT", "/v1/services/node-check", "{\"vip\": \"" + vip2 + "\", \"port\": 8080, \"scheduler\": \"rr\", "
                + servers.formatted(8080) + ", " + check.formatted("") + "}")).endsWith("201");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(weights2(80)).containsOnlyKeys("198.18.0.21:80", "198.18.0.22:80", "198.18.0.23:80");
            assertThat(weights2(8080)).hasSize(3);
        });
        // One internal fwmark service per real server, each holding that server alone, by direct routing.
        String table = topo.ipvsadm("dir1", "-Ln");
        System.out.println("kernel-it: table with probe paths:\n" + table);
        for (String rs : List.of("198.18.0.21", "198.18.0.22", "198.18.0.23")) {
            assertThat(table).containsPattern("FWM  \\d+ rr\\s+-> " + Pattern.quote(rs) + ":0\\s+Route\\s+1 ");
        }
        // ... which are the director's own, not services anyone asked for.
        assertThat(server.api("GET", "/v1/services", null)).doesNotContain("vip-probe");
        assertThat(server.api("GET", "/v1/services/vip-check", null)).contains("\"via\":\"vip\"");

        // A director that does not hold the VIP (a backup): the probe's SYN leaves for a remote VIP.
        long outMs = loseAndRegainTheVip("backup", false);

        // A director holding the VIP (the master): the answer comes from an address of its own, a martian
        // while accept_local is off everywhere. Then every node's check via the VIP times out, and the
        // reason names the director's sysctl, not the nodes.
        topo.exec("dir1", "sh", "-c", "for f in /proc/sys/net/ipv4/conf/*/accept_local; do echo 0 > $f; done").orThrow();
        topo.exec("dir1", "ip", "addr", "add", vip2 + "/32", "dev", "eth0").orThrow();
        try {
            // Each real server's status reason (the newest of its state; a transition logged within a
            // second of the VIP arriving may still carry the node's wording).
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(Pattern.compile(Pattern.quote("no answer via VIP " + vip2 + ":8080 (timeout: this director "
                            + "holds the VIP and net.ipv4.conf.*.accept_local is 0"))
                            .matcher(server.api("GET", "/v1/services/vip-check", null)).results().count()).isEqualTo(3));
            topo.exec("dir1", "sysctl", "-qw", "net.ipv4.conf.all.accept_local=1", "net.ipv4.conf.eth0.accept_local=1")
                    .orThrow();
            // All three healthy again (rise 1; a kept connection that went silent is replaced with backoff,
            // up to 10 s) and in the kernel before the VIP leaves rs2's lo.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                String st = server.api("GET", "/v1/services/vip-check", null);
                assertThat(st).doesNotContain("accept_local");
                assertThat(Pattern.compile(Pattern.quote("\"health\":\"healthy\"")).matcher(st).results().count())
                        .isEqualTo(3);
                assertThat(weights2(80)).hasSize(3);
            });
            long masterOutMs = loseAndRegainTheVip("master", true);
            System.out.printf("kernel-it: dr check: out of rotation %d ms (backup), %d ms (master) after the VIP left lo%n",
                    outMs, masterOutMs);
        } finally {
            topo.exec("dir1", "ip", "addr", "del", vip2 + "/32", "dev", "eth0");
        }
        assertThat(server.api("DELETE", "/v1/services/vip-check", null)).endsWith("204");
        assertThat(server.api("DELETE", "/v1/services/node-check", null)).endsWith("204");
        // With no check via a VIP left, the probe paths go with it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(topo.ipvsadm("dir1", "-Ln"))
                .doesNotContain("FWM"));
    }

    /** rs2 loses VIP2 from lo and gets it back; returns ms from the loss to rs2 out of vip-check in ipvsadm. */
    private long loseAndRegainTheVip(String director, boolean traffic) throws Exception {
        String vip2 = Lab.VIP2;
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(weights2(80)).hasSize(3));
        Path log = dir.resolve("curl-" + director + ".log");
        Process loop = null;
        if (traffic) {
            // Four curl loops, a fresh connection per request (a forked curl is slow in the lab: one loop
            // alone makes about three requests a second); each line: start time (s), HTTP code (000: failed).
            String one = "for i in $(seq 1 300); do echo \"$EPOCHREALTIME $(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "
                    + "http://" + vip2 + "/)\"; done";
            loop = new ProcessBuilder("ip", "netns", "exec", "client", "bash", "-c",
                    "(" + one + ") & (" + one + ") & (" + one + ") & (" + one + ") & wait")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Thread.sleep(1500);
        }
        double lostAt = System.currentTimeMillis() / 1000.0;
        long t0 = System.nanoTime();
        topo.exec("rs2", "ip", "addr", "del", vip2 + "/32", "dev", "lo").orThrow();
        long outMs;
        double outAt;
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(weights2(80)).doesNotContainKey("198.18.0.22:80"));
            outMs = (System.nanoTime() - t0) / 1_000_000;
            outAt = System.currentTimeMillis() / 1000.0;
            // The node check keeps it: nginx still answers /ping on 198.18.0.22.
            assertThat(weights2(8080)).containsKey("198.18.0.22:8080");
            // The transition says what was seen; the status keeps the newest reason of the same state
            // (a later probe's may differ in wording, still via the VIP).
            assertThat(server.api("GET", "/v1/services/vip-check", null)).contains("via VIP " + vip2 + ":8080");
            String directorLog = Files.readString(dir.resolve("director.log"), StandardCharsets.UTF_8);
            assertThat(directorLog).contains("via 198.18.0.22 from=HEALTHY to=FAILED reason=\"no answer via VIP " + vip2
                    + ":8080 (timeout: is the VIP on the node's lo?)\"");
            if (traffic) {
                Thread.sleep(1500);
                // The loops are bash subshells of the process: stop the whole group of the namespace's curls.
                topo.exec("client", "pkill", "-P", Long.toString(loop.pid()));
                loop.destroy();
                loop.waitFor(10, TimeUnit.SECONDS);
                int before = 0;
                int lost = 0;
                int after = 0;
                int lostAfter = 0;
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 2) {
                        continue;
                    }
                    double at = Double.parseDouble(f[0]);
                    boolean ok = f[1].equals("200");
                    if (at < lostAt) {
                        before++;
                    } else if (at < outAt) {
                        lost += ok ? 0 : 1;
                    } else {
                        after++;
                        lostAfter += ok ? 0 : 1;
                    }
                }
                System.out.printf("kernel-it: dr check (%s): curl loop: %d requests before the VIP left rs2's lo, "
                        + "%d failed in the %d ms until rs2 left rotation, %d after it, %d of them failed%n",
                        director, before, lost, outMs, after, lostAfter);
                assertThat(after).as("requests after rs2 left").isPositive();
                // A request sent just before ipvsadm showed rs2 gone may have been scheduled to it (one per loop).
                assertThat(lostAfter).as("failed requests after rs2 left rotation").isLessThanOrEqualTo(4);
            }
        } finally {
            topo.exec("rs2", "ip", "addr", "add", vip2 + "/32", "dev", "lo");
            if (loop != null) {
                loop.destroy();
            }
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(weights2(80)).containsKey("198.18.0.22:80"));
        return outMs;
    }

    /** address:port → weight of VIP2:port's real servers, from ipvsadm; empty while the service is absent. */
    private static java.util.Map<String, Integer> weights2(int port) {
        ExecResult r = topo.exec("dir1", "ipvsadm", "-Ln", "-t", Lab.VIP2 + ":" + port);
        if (!r.ok() && r.stderr().contains("No such service")) {
            return java.util.Map.of();
        }
        return Ipvsadm.weights(r.orThrow().stdout());
    }
}
