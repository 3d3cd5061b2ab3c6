package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.lab.ExecResult;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The connection sync daemons driven by the packaged service on the lab kernel: {@code java -jar
 * api-*-all.jar server} in {@code dir1} with {@code ha.enabled}, keepalived's part played by the real
 * {@code bin/lvs-director-notify} script, {@code ipvsadm -L --daemon} as the witness. The steps build on
 * each other, so they run in order.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaKernelIT {

    private static final String ADMIN_TOKEN = "ha-it-admin-token-0123456789";
    private static final String NOTIFY_TOKEN = "ha-it-notify-token-0123456789";
    private static final String API = PackagedService.API;
    private static final String ADMIN = PackagedService.ADMIN;
    private static final int SYNC_ID = 42;
    // ipvsadm: "master sync daemon (mcast=eth0, syncid=42, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)"
    private static final Pattern DAEMON = Pattern.compile("(master|backup) sync daemon \\(mcast=([^,]+), syncid=(\\d+)");
    // The kernel names a daemon's thread ipvs-m:GEN:ID / ipvs-b:GEN:ID (ip_vs_sync.c, start_sync_thread).
    private static final Pattern THREAD = Pattern.compile("^\\s*(\\d+)\\s+ipvs-([mb]):", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Topology topo;
    private static Path dir;
    private static Path config;
    private static Path notifyTokenFile;
    private static PackagedService server;

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(1, 1);
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ha-it-");
        Path tokens = Lab.privateFile(dir.resolve("tokens"),
                "admin it " + ADMIN_TOKEN + "\nnotify keepalived " + NOTIFY_TOKEN + "\n");
        notifyTokenFile = Lab.privateFile(dir.resolve("notify-token"), NOTIFY_TOKEN + "\n");
        config = dir.resolve("director.yml");
        Files.writeString(config, PackagedService.config(dir.resolve("state/state.json"), "2s", tokens,
                "ha:\n  enabled: true\n  syncInterface: eth0\n  syncId: " + SYNC_ID + "\n  stateFile: "
                        + dir.resolve("run/ha.json") + "\n",
                dir.resolve("director.log")));
        server = start();
    }

    @AfterAll
    static void down() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (topo != null) {
            for (String state : new String[] {"master", "backup"}) {
                topo.exec("dir1", "ipvsadm", "--stop-daemon", state);
            }
            topo.close();
        }
    }

    private static PackagedService start() throws Exception {
        return PackagedService.run("dir1", config, dir.resolve("server.out"), ADMIN_TOKEN);
    }

    private static JsonNode ha() throws IOException {
        String out = server.curl("-s", "-f", "-H", "Authorization: Bearer " + ADMIN_TOKEN, API + "/v1/ha").orThrow().stdout();
        return JSON.readTree(out);
    }

    /** keepalived's notify call, through the real script, in dir1 as keepalived would run it. */
    private static ExecResult notify(String state, String priority) {
        Path script = Path.of("bin/lvs-director-notify").toAbsolutePath();
        return topo.exec(60, "dir1", "env", "LVS_DIRECTOR_NOTIFY_TOKEN_FILE=" + notifyTokenFile,
                "LVS_DIRECTOR_NOTIFY_URL=" + API, "sh", script.toString(), "INSTANCE", "VI_1", state, priority);
    }

    /** state → "interface/syncid", from ipvsadm -L --daemon. */
    private static Map<String, String> kernelDaemons() {
        Map<String, String> out = new TreeMap<>();
        Matcher m = DAEMON.matcher(topo.ipvsadm("dir1", "-L", "--daemon"));
        while (m.find()) {
            out.put(m.group(1), m.group(2) + "/" + m.group(3));
        }
        return out;
    }

    /** "m"/"b" → PID of the daemon's kernel thread. */
    private static Map<String, Long> threads() {
        Map<String, Long> out = new TreeMap<>();
        Matcher m = THREAD.matcher(topo.exec("dir1", "ps", "-eo", "pid=,comm=").orThrow().stdout());
        while (m.find()) {
            out.put(m.group(2), Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** GET /v1/ha says what ipvsadm says, and is in step. */
    private static void assertViewAgreesWithKernel(String role, List<String> wanted) throws IOException {
        Map<String, String> kernel = kernelDaemons();
        JsonNode v = ha();
        Map<String, String> seen = new TreeMap<>();
        for (JsonNode d : v.at("/syncDaemons/kernel")) {
            seen.put(d.get("state").asText(), d.get("interface").asText() + "/" + d.get("syncId").asInt());
        }
        assertThat(seen).as("GET /v1/ha vs ipvsadm -L --daemon").isEqualTo(kernel);
        assertThat(v.get("role").asText()).isEqualTo(role);
        List<String> w = new ArrayList<>();
        v.at("/syncDaemons/wanted").forEach(n -> w.add(n.asText()));
        assertThat(w).isEqualTo(wanted);
        assertThat(v.get("inStep").asBoolean()).as(v.toString()).isTrue();
        assertThat(v.get("lastError").isNull()).as(v.toString()).isTrue();
    }

    private static long logCount(String event) throws IOException {
        try (Stream<String> lines = Files.lines(dir.resolve("director.log"))) {
            return lines.filter(l -> l.contains(event)).count();
        }
    }

    @Test
    @Order(1)
    void atStartOnlyTheBackupDaemonRuns() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kernelDaemons()).containsExactly(Map.entry("backup", "eth0/" + SYNC_ID)));
        assertViewAgreesWithKernel("backup", List.of("backup"));
        assertThat(threads()).containsOnlyKeys("b");
    }

    @Test
    @Order(2)
    void aNotifyTokenMayReportButNotReadTheServices() {
        String code = server.curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer " + NOTIFY_TOKEN,
                API + "/v1/services").stdout();
        assertThat(code).isEqualTo("403");
    }

    @Test
    @Order(3)
    void masterFromKeepalivedStartsTheMasterDaemon() throws Exception {
        ExecResult r = notify("MASTER", "150");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kernelDaemons()).containsExactly(
                Map.entry("backup", "eth0/" + SYNC_ID), Map.entry("master", "eth0/" + SYNC_ID)));
        assertViewAgreesWithKernel("master", List.of("backup", "master"));
        assertThat(ha().at("/instances/0/priority").asInt()).isEqualTo(150);
        assertThat(threads()).containsOnlyKeys("b", "m");
        assertThat(Files.readString(dir.resolve("run/ha.json"))).contains("\"MASTER\"");
        assertThat(Files.readString(dir.resolve("director.log")))
                .contains("event=vrrp_transition instance=VI_1 state=none->MASTER");
    }

    @Test
    @Order(4)
    void aRestartLeavesTheDaemonsAlone() throws Exception {
        Map<String, Long> before = threads();
        long startsBefore = logCount("event=sync_daemon_started");
        long stopsBefore = logCount("event=sync_daemon_stopped");
        server.stop();
        // While the service is down the daemons keep running: the kernel runs them, not the JVM.
        assertThat(threads()).isEqualTo(before);
        server = start();
        // Several resync passes (every 2 s) of the restarted service.
        Thread.sleep(6000);
        assertThat(threads()).as("the same kernel threads: no stop and start").isEqualTo(before);
        assertThat(logCount("event=sync_daemon_started")).isEqualTo(startsBefore);
        assertThat(logCount("event=sync_daemon_stopped")).isEqualTo(stopsBefore);
        assertViewAgreesWithKernel("master", List.of("backup", "master"));
        String metrics = server.curl("-s", ADMIN + "/metrics").orThrow().stdout();
        assertThat(metrics).contains("lvs_director_ha_master 1.0")
                .contains("lvs_director_ha_sync_daemon_operations_total{op=\"start\",result=\"ok\",state=\"master\"} 0.0")
                .contains("lvs_director_ha_sync_daemon_running{state=\"master\"} 1.0");
    }

    @Test
    @Order(5)
    void backupFromKeepalivedStopsTheMasterDaemon() throws Exception {
        long backupThread = threads().get("b");
        ExecResult r = notify("BACKUP", "100");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(kernelDaemons()).containsExactly(Map.entry("backup", "eth0/" + SYNC_ID)));
        assertViewAgreesWithKernel("backup", List.of("backup"));
        assertThat(threads()).containsExactly(Map.entry("b", backupThread));
    }

    @Test
    @Order(6)
    void aDaemonStoppedByHandIsRestartedByTheNextResync() throws Exception {
        long old = threads().get("b");
        topo.ipvsadm("dir1", "--stop-daemon", "backup");
        // No event tells the service: the periodic resync (2 s here) finds and repairs it.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(kernelDaemons()).containsExactly(Map.entry("backup", "eth0/" + SYNC_ID)));
        assertThat(threads().get("b")).isNotEqualTo(old);
        assertViewAgreesWithKernel("backup", List.of("backup"));
    }

    @Test
    @Order(7)
    void aRepeatedReportChangesNothing() throws Exception {
        String saved = Files.readString(dir.resolve("run/ha.json"));
        Map<String, Long> before = threads();
        assertThat(notify("BACKUP", "100").exitCode()).isZero();
        Thread.sleep(3000);
        assertThat(Files.readString(dir.resolve("run/ha.json"))).isEqualTo(saved);
        assertThat(threads()).isEqualTo(before);
    }
}
