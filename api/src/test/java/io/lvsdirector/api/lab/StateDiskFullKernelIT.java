package io.lvsdirector.api.lab;

import static io.lvsdirector.api.lab.PackagedService.body;
import static io.lvsdirector.api.lab.PackagedService.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.lab.ExecResult;
import io.lvsdirector.lab.Ipvsadm;
import io.lvsdirector.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The disk under the state file fills up: the packaged service keeps its state file on a 64 KiB
 * tmpfs in the lab, the tmpfs is filled, and a PUT must answer 503 naming the file and the cause,
 * with the state file, the API's view and the kernel table all as they were; once there is room
 * again the same PUT works.
 */
@Tag("kernel")
class StateDiskFullKernelIT {

    private static final String NS = "diskfull" + ProcessHandle.current().pid();
    private static final String TOKEN = "kernel-it-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static Path small;
    private static PackagedService server;

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        Lab.check("ip", "netns", "add", NS);
        Lab.check("ip", "-n", NS, "link", "set", "lo", "up");
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "diskfull-it-");
        small = dir.resolve("small");
        Files.createDirectories(small);
        Lab.check("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString());
        Path tokens = Lab.privateFile(dir.resolve("tokens"), "admin it " + TOKEN + "\n");
        Path config = dir.resolve("director.yml");
        // The owned file goes beside the state file, on the same small disk, as it does by default.
        Files.writeString(config, PackagedService.config(small.resolve("state.json"), "1s", tokens, "",
                dir.resolve("director.log")));
        server = PackagedService.run(NS, config, dir.resolve("server.out"), TOKEN);
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            if (small != null) {
                Lab.run(30, List.of("umount", small.toString()));
            }
            Lab.run(30, List.of("ip", "netns", "del", NS));
        }
    }

    private static String service(int port, String realServer) {
        return "{\"vip\": \"198.18.0.100\", \"port\": " + port + ", \"scheduler\": \"rr\", \"forwarding\": \"dr\","
                + " \"realServers\": {\"static\": [{\"address\": \"" + realServer + "\", \"port\": " + port + "}]}}";
    }

    @Test
    void aFullDiskIsA503NamingTheFileAndChangesNothingUntilThereIsRoomAgain() throws Exception {
        Path state = small.resolve("state.json");
        assertThat(status(server.api("PUT", "/v1/services/web", service(80, "198.18.0.21")))).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ipvsadm()).contains("TCP 198.18.0.100:80 rr").contains("-> 198.18.0.21:80 Route"));
        String kernelBefore = ipvsadm();
        byte[] fileBefore = Files.readAllBytes(state);

        // Fill the disk: dd stops at ENOSPC.
        ExecResult dd = Lab.run(60, List.of("dd", "if=/dev/zero", "of=" + small.resolve("filler"), "bs=4k"));
        assertThat(dd.stderr()).contains("No space left on device");

        for (String[] change : new String[][] {
            {"PUT", "/v1/services/api", service(443, "198.18.0.22")},   // a new service
            {"PUT", "/v1/services/web", service(80, "198.18.0.23")},    // a replaced one
            {"POST", "/v1/services/web/real-servers/198.18.0.21/drain", null},
            {"DELETE", "/v1/services/web", null},
        }) {
            String answer = server.api(change[0], change[1], change[2]);
            assertThat(status(answer)).as("%s %s: %s", change[0], change[1], answer).isEqualTo(503);
            JsonNode body = JSON.readTree(body(answer));
            assertThat(body.get("code").asInt()).isEqualTo(503);
            assertThat(body.get("message").asText()).as(answer).contains(state.toString())
                    .contains("No space left on device").contains("not applied");
            assertThat(answer).doesNotContain("Exception").doesNotContain("\tat ");
        }

        // The file, the API's view and the kernel are as before.
        assertThat(Files.readAllBytes(state)).isEqualTo(fileBefore);
        JsonNode list = JSON.readTree(body(server.api("GET", "/v1/services", null)));
        assertThat(list.get("services")).hasSize(1);
        assertThat(list.at("/services/0/name").asText()).isEqualTo("web");
        assertThat(list.toString()).contains("198.18.0.21").doesNotContain("198.18.0.23");
        Thread.sleep(2500); // more than two resync periods
        assertThat(ipvsadm()).isEqualTo(kernelBefore);

        // Room again: the same PUT works and reaches the kernel.
        Files.delete(small.resolve("filler"));
        assertThat(status(server.api("PUT", "/v1/services/api", service(443, "198.18.0.22")))).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ipvsadm()).contains("TCP 198.18.0.100:443 rr").contains("-> 198.18.0.22:443 Route"));
        assertThat(JSON.readTree(state.toFile()).get("services").has("api")).isTrue();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** ipvsadm -Ln in the namespace, runs of blanks collapsed. */
    private static String ipvsadm() {
        return Ipvsadm.collapse(Lab.check("ip", "netns", "exec", NS, "ipvsadm", "-Ln"));
    }
}
