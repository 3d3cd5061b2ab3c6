package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.lab.ExecResult;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged service on the lab's Linux 6.1 refuses at the API what the kernel would refuse or
 * what is not the director's: a scheduler the kernel lacks ({@code twos} came with 6.2), real
 * servers that cannot be, and a hand-made {@code ipvsadm} service at the same protocol:VIP:port
 * (409, the kernel entry untouched) unless the request says {@code adopt}.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelValidationKernelIT {

    private static final String TOKEN = "kernel-it-admin-token-0123456789";
    private static final String API = "http://127.0.0.1:9440";
    private static final String ADMIN = "http://127.0.0.1:9441";
    private static final String FOREIGN = Lab.VIP2 + ":80";

    private static Topology topo;
    private static Path dir;
    private static Process server;

    static String spec(String vip, String scheduler, String realServer, String extra) {
        return "{\"vip\": \"" + vip + "\", \"port\": 80, \"scheduler\": \"" + scheduler + "\", \"realServers\": "
                + "{\"static\": [{\"address\": \"" + realServer + "\"}]}" + extra + "}";
    }

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(1, 1);
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "validation-it-");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "admin it " + TOKEN + "\n");
        Files.setPosixFilePermissions(tokens, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path config = dir.resolve("director.yml");
        Files.writeString(config, "state:\n  file: " + dir.resolve("state/state.json") + "\n  createIfMissing: true\n"
                + "kernel:\n  resyncInterval: 1s\n"
                + "auth:\n  tokenFile: " + tokens + "\n"
                + "logging:\n  level: INFO\n  appenders:\n    - type: file\n      currentLogFilename: "
                + dir.resolve("director.log") + "\n      archive: false\n");
        server = PackagedService.start("dir1", "256m", config, dir.resolve("server.out"));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(server.isAlive()).as("server exited; see " + dir.resolve("server.out")).isTrue();
            assertThat(curl("-s", "-o", "/dev/null", "-w", "%{http_code}", ADMIN + "/healthcheck").stdout())
                    .isEqualTo("200");
        });
    }

    @AfterAll
    static void down() throws Exception {
        if (server != null) {
            server.descendants().forEach(ProcessHandle::destroy);
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
            }
        }
        if (topo != null) {
            topo.close();
        }
    }

    private static ExecResult curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return topo.exec(30, "dir1", cmd.toArray(String[]::new));
    }

    /** Body, a newline, the status. */
    private static String api(String method, String path, String body) {
        List<String> cmd = new ArrayList<>(List.of("-s", "-w", "\n%{http_code}", "-X", method,
                "-H", "Authorization: Bearer " + TOKEN));
        if (body != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
        }
        cmd.add(API + path);
        return curl(cmd.toArray(String[]::new)).orThrow().stdout();
    }

    @Test
    @Order(1)
    void aSchedulerThisKernelLacksIs422() {
        // A first service, once in the kernel, shows the loop has made passes (and so probed).
        assertThat(api("PUT", "/v1/services/web", spec(Lab.VIP, "mh", "198.18.0.21", ""))).endsWith("201");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(topo.ipvsadm("dir1", "-Ln")).contains("TCP  198.18.0.100:80 mh"));

        String answer = api("PUT", "/v1/services/web", spec(Lab.VIP, "twos", "198.18.0.21", ""));
        assertThat(answer).endsWith("\n422").contains("\"field\":\"scheduler\"").contains("'twos'").contains("wlc");
        String fresh = api("PUT", "/v1/services/other", spec("198.18.0.102", "twos", "198.18.0.21", ""));
        assertThat(fresh).endsWith("\n422");
        assertThat(api("GET", "/v1/services/other", null)).endsWith("\n404");
        assertThat(topo.ipvsadm("dir1", "-Ln")).contains("TCP  198.18.0.100:80 mh").doesNotContain("twos");
    }

    @Test
    @Order(2)
    void realServersThatCannotBeAre422WithTheirPath() {
        for (String bad : List.of("0.0.0.0", "224.0.0.1", Lab.VIP)) {
            String answer = api("PUT", "/v1/services/web", spec(Lab.VIP, "mh", bad, ""));
            assertThat(answer).as(bad).endsWith("\n422").contains("\"field\":\"realServers.static[0].address\"");
        }
        assertThat(topo.ipvsadm("dir1", "-Ln", "-t", Lab.VIP + ":80")).contains("198.18.0.21:80");
    }

    @Test
    @Order(3)
    void aHandMadeServiceIs409AndStaysAsItIsUnlessAdopted() throws Exception {
        topo.exec("dir1", "ipvsadm", "-A", "-t", FOREIGN, "-s", "wlc").orThrow();
        topo.exec("dir1", "ipvsadm", "-a", "-t", FOREIGN, "-r", "198.18.0.21:80", "-g", "-w", "7").orThrow();
        String before = topo.ipvsadm("dir1", "-Ln");
        // The API reads the table the loop published; let a resync (1 s) read the new service.
        Thread.sleep(3000);

        String answer = api("PUT", "/v1/services/taken", spec(Lab.VIP2, "rr", "198.18.0.21", ""));
        assertThat(answer).endsWith("\n409").contains("\"field\":\"vip\"").contains("tcp 198.18.0.101:80")
                .contains("scheduler wlc").contains("1 real server").contains("adopt");
        assertThat(api("GET", "/v1/services/taken", null)).endsWith("\n404");
        Thread.sleep(3000); // more resyncs: the loop leaves the foreign service alone
        assertThat(topo.ipvsadm("dir1", "-Ln")).isEqualTo(before);

        // With adopt the PUT is accepted and written back with adopt. (Whether and when the loop then
        // takes the kernel service over is the loop's business, not asserted here.)
        String adopted = api("PUT", "/v1/services/taken", spec(Lab.VIP2, "rr", "198.18.0.21", ", \"adopt\": true"));
        assertThat(adopted).endsWith("\n201").contains("\"adopt\":true");
    }
}
