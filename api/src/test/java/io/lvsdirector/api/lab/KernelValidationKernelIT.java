package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    private static final String FOREIGN = Lab.VIP2 + ":80";

    private static Topology topo;
    private static Path dir;
    private static PackagedService server;

    static String spec(String vip, String scheduler, String realServer, String extra) {
        return "{\"vip\": \"" + vip + "\", \"port\": 80, \"scheduler\": \"" + scheduler + "\", \"realServers\": "
                + "{\"static\": [{\"address\": \"" + realServer + "\"}]}" + extra + "}";
    }

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(1, 1);
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "validation-it-");
        Path tokens = Lab.privateFile(dir.resolve("tokens"), "admin it " + TOKEN + "\n");
        Path config = dir.resolve("director.yml");
        Files.writeString(config, PackagedService.config(dir.resolve("state/state.json"), "1s", tokens, "",
                dir.resolve("director.log")));
        server = PackagedService.run("dir1", config, dir.resolve("server.out"), TOKEN);
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

    @Test
    @Order(1)
    void aSchedulerThisKernelLacksIs422() {
        // A first service, once in the kernel, shows the loop has made passes (and so probed).
        assertThat(server.api("PUT", "/v1/services/web", spec(Lab.VIP, "mh", "198.18.0.21", ""))).endsWith("201");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(topo.ipvsadm("dir1", "-Ln")).contains("TCP  198.18.0.100:80 mh"));

        String answer = server.api("PUT", "/v1/services/web", spec(Lab.VIP, "twos", "198.18.0.21", ""));
        assertThat(answer).endsWith("\n422").contains("\"field\":\"scheduler\"").contains("'twos'").contains("wlc");
        String fresh = server.api("PUT", "/v1/services/other", spec("198.18.0.102", "twos", "198.18.0.21", ""));
        assertThat(fresh).endsWith("\n422");
        assertThat(server.api("GET", "/v1/services/other", null)).endsWith("\n404");
        assertThat(topo.ipvsadm("dir1", "-Ln")).contains("TCP  198.18.0.100:80 mh").doesNotContain("twos");
    }

    @Test
    @Order(2)
    void realServersThatCannotBeAre422WithTheirPath() {
        for (String bad : List.of("0.0.0.0", "224.0.0.1", Lab.VIP)) {
            String answer = server.api("PUT", "/v1/services/web", spec(Lab.VIP, "mh", bad, ""));
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

        String answer = server.api("PUT", "/v1/services/taken", spec(Lab.VIP2, "rr", "198.18.0.21", ""));
        assertThat(answer).endsWith("\n409").contains("\"field\":\"vip\"").contains("tcp 198.18.0.101:80")
                .contains("scheduler wlc").contains("1 real server").contains("adopt");
        assertThat(server.api("GET", "/v1/services/taken", null)).endsWith("\n404");
        Thread.sleep(3000); // more resyncs: the loop leaves the foreign service alone
        assertThat(topo.ipvsadm("dir1", "-Ln")).isEqualTo(before);

        // With adopt the PUT is accepted and written back with adopt. (Whether and when the loop then
        // takes the kernel service over is the loop's business, not asserted here.)
        String adopted = server.api("PUT", "/v1/services/taken", spec(Lab.VIP2, "rr", "198.18.0.21", ", \"adopt\": true"));
        assertThat(adopted).endsWith("\n201").contains("\"adopt\":true");
    }
}
