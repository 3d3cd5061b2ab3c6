package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.lab.ExecResult;
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
 * The packaged service on the lab kernel refuses at the API what the kernel would refuse or
 * what is not the director's: a scheduler the kernel lacks ({@code twos}: Linux 6.2+, never loaded in
 * the lab), real servers that cannot be, and a hand-made {@code ipvsadm} service at the same protocol:VIP:port
 * (409, the kernel entry untouched) unless the request says {@code adopt}. Then the ownership rules
 * across a restart of the packaged service (owned.json beside the state file): the hand-made service
 * survives it byte for byte and a DELETE of a director service on its key leaves it; a service
 * removed from the state file while the director was down is deleted at the start; a service the
 * kernel refuses at apply time marks only itself; {@code adopt} takes the hand-made one over.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelValidationKernelIT {

    private static final String TOKEN = "kernel-it-admin-token-0123456789";
    private static final String ADMIN = PackagedService.ADMIN;
    private static final String FOREIGN = Lab.VIP2 + ":80";
    /** A director service removed from the state file while the director is down. */
    private static final String GONE_VIP = "198.18.0.103";
    /** A service the 6.1 kernel refuses at apply time, and a good one created in the same pass. */
    private static final String BAD_VIP = "198.18.0.104";
    private static final String FRESH_VIP = "198.18.0.105";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Topology topo;
    private static Path dir;
    private static Path config;
    private static Path stateFile;
    private static Path ownedFile;
    private static PackagedService server;
    /** {@code ipvsadm -Ln -t FOREIGN} right after it was made by hand. */
    private static String foreignBefore;

    static String spec(String vip, String scheduler, String realServer, String extra) {
        return "{\"vip\": \"" + vip + "\", \"port\": 80, \"scheduler\": \"" + scheduler + "\", \"realServers\": "
                + "{\"static\": [{\"address\": \"" + realServer + "\"}]}" + extra + "}";
    }

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(1, 1);
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "validation-it-");
        stateFile = dir.resolve("state/state.json");
        ownedFile = dir.resolve("state/owned.json");
        Path tokens = Lab.privateFile(dir.resolve("tokens"), "admin it " + TOKEN + "\n");
        config = dir.resolve("director.yml");
        Files.writeString(config, PackagedService.config(stateFile, "1s", tokens, "", dir.resolve("director.log")));
        startServer();
    }

    /** Starts the packaged service and waits until its health check answers 200 (a pass has run). */
    private static void startServer() throws Exception {
        server = PackagedService.run("dir1", config, dir.resolve("server.out"), TOKEN);
    }

    /** SIGTERM, as systemd stops it. */
    private static void stopServer() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @AfterAll
    static void down() throws Exception {
        stopServer();
        if (topo != null) {
            topo.close();
        }
    }

    private static ExecResult curl(String... args) {
        return Lab.curl("dir1", args);
    }

    /** Body, a newline, the status. */
    private static String api(String method, String path, String body) {
        return server.api(method, path, body);
    }

    private static String ipvsadm() {
        return topo.ipvsadm("dir1", "-Ln");
    }

    private static String foreignNow() {
        return topo.ipvsadm("dir1", "-Ln", "-t", FOREIGN);
    }

    /** The value of the one sample of {@code /metrics} named {@code name} that has every one of {@code labels}. */
    private static double metric(String name, String... labels) {
        String scrape = curl("-s", ADMIN + "/metrics").orThrow().stdout();
        List<String> lines = scrape.lines()
                .filter(l -> l.startsWith(name + "{") && List.of(labels).stream().allMatch(l::contains)).toList();
        assertThat(lines).as(name + " with " + List.of(labels) + " in\n" + scrape).hasSize(1);
        String line = lines.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
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
    void aHandMadeServiceIs409AndStaysAsItIs() throws Exception {
        topo.exec("dir1", "ipvsadm", "-A", "-t", FOREIGN, "-s", "wlc").orThrow();
        topo.exec("dir1", "ipvsadm", "-a", "-t", FOREIGN, "-r", "198.18.0.21:80", "-g", "-w", "7").orThrow();
        String before = ipvsadm();
        foreignBefore = foreignNow();
        // The API reads the table the loop published; let a resync (1 s) read the new service.
        Thread.sleep(3000);

        String answer = api("PUT", "/v1/services/taken", spec(Lab.VIP2, "rr", "198.18.0.21", ""));
        assertThat(answer).endsWith("\n409").contains("\"field\":\"vip\"").contains("TCP 198.18.0.101:80")
                .contains("scheduler wlc").contains("1 real server").contains("adopt");
        assertThat(api("GET", "/v1/services/taken", null)).endsWith("\n404");
        Thread.sleep(3000); // more resyncs: the loop leaves the foreign service alone
        assertThat(ipvsadm()).isEqualTo(before);
    }

    /**
     * One restart (the expensive part) proves three things. While the director is down the state file
     * is replaced by the one from before {@code gone} was PUT, plus {@code squatter} (a director service
     * on the hand-made key, no adopt), {@code bad} (scheduler {@code twos}: the state file's loader
     * checks names, not the running kernel) and {@code fresh} (a good new one). The first pass deletes
     * {@code gone} (owned), leaves the hand-made service byte-identical, creates {@code fresh}, and
     * marks {@code bad} (ENOENT) and {@code squatter} (EEXIST) alone, the health check staying 200.
     */
    @Test
    @Order(4)
    void ownershipSurvivesARestartAndOneRefusedServiceMarksOnlyItself() throws Exception {
        byte[] beforeGone = Files.readAllBytes(stateFile);
        assertThat(api("PUT", "/v1/services/gone", spec(GONE_VIP, "wlc", "198.18.0.21", ""))).endsWith("\n201");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ipvsadm()).contains(GONE_VIP + ":80"));
        // The claim is saved before the service is created, so the file lists it by now.
        assertThat(Files.readString(ownedFile)).contains(GONE_VIP).contains(Lab.VIP + "\"").doesNotContain(Lab.VIP2);

        long version = JSON.readTree(stateFile.toFile()).get("version").asLong();
        stopServer();
        // Still there with the director stopped: a stop never flushes.
        assertThat(ipvsadm()).contains(GONE_VIP + ":80");
        assertThat(foreignNow()).isEqualTo(foreignBefore);

        ObjectNode state = (ObjectNode) JSON.readTree(beforeGone);
        assertThat(state.get("services").has("gone")).isFalse();
        state.put("version", version + 1);
        ObjectNode services = (ObjectNode) state.get("services");
        services.set("squatter", JSON.readTree(spec(Lab.VIP2, "rr", "198.18.0.21", "")));
        services.set("bad", JSON.readTree(spec(BAD_VIP, "twos", "198.18.0.21", "")));
        services.set("fresh", JSON.readTree(spec(FRESH_VIP, "wlc", "198.18.0.21", "")));
        Files.write(stateFile, JSON.writeValueAsBytes(state));

        startServer();
        // A 200 means a pass has run: the first pass did all this.
        String table = ipvsadm();
        assertThat(table).doesNotContain(GONE_VIP + ":80").contains("TCP  " + FRESH_VIP + ":80 wlc")
                .contains("TCP  198.18.0.100:80 mh").doesNotContain(BAD_VIP);
        assertThat(foreignNow()).isEqualTo(foreignBefore);
        assertThat(Files.readString(ownedFile)).doesNotContain(GONE_VIP).contains(FRESH_VIP).doesNotContain(Lab.VIP2);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(api("GET", "/v1/services/bad", null)).endsWith("\n200")
                    .contains("\"errno\":\"ENOENT\"");
            assertThat(api("GET", "/v1/services/squatter", null)).endsWith("\n200").contains("\"errno\":\"EEXIST\"");
            assertThat(api("GET", "/v1/services/fresh", null)).endsWith("\n200").contains("\"applyError\":null");
            assertThat(metric("lvs_director_service_in_step", "service=\"bad\"")).isEqualTo(0.0);
            assertThat(metric("lvs_director_service_in_step", "service=\"fresh\"")).isEqualTo(1.0);
            assertThat(metric("lvs_director_apply_failures_total", "service=\"bad\"", "op=\"add_service\""))
                    .isGreaterThan(0.0);
            // The hand-made service's series are not squatter's: it is not the director's.
            assertThat(metric("lvs_director_ipvs_backend_weight", "local_address=\"" + Lab.VIP2 + "\"", "service=\"\""))
                    .isEqualTo(7.0);
        });
        String health = curl("-s", "-w", "\n%{http_code}", ADMIN + "/healthcheck").stdout();
        assertThat(health).endsWith("\n200").contains("2 services out of step");

        // A DELETE of the director service on the hand-made key removes it from the desired state only.
        assertThat(api("DELETE", "/v1/services/squatter", null)).endsWith("\n204");
        assertThat(api("DELETE", "/v1/services/bad", null)).endsWith("\n204");
        Thread.sleep(3000); // resyncs
        assertThat(foreignNow()).isEqualTo(foreignBefore);
        assertThat(api("GET", "/v1/services/squatter", null)).endsWith("\n404");
        assertThat(Files.readString(dir.resolve("director.log")))
                .contains("kernel_entry=left reason=not_owned");
    }

    @Test
    @Order(5)
    void adoptTakesTheHandMadeServiceOverAndThenItsDeleteRemovesIt() throws Exception {
        String adopted = api("PUT", "/v1/services/taken", spec(Lab.VIP2, "rr", "198.18.0.22", ", \"adopt\": true"));
        assertThat(adopted).endsWith("\n201").contains("\"adopt\":true");
        // Edits in place: the director's scheduler and real server replace the hand-made ones.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(foreignNow())
                .contains("TCP  " + FOREIGN + " rr").contains("198.18.0.22:80").doesNotContain("198.18.0.21:80"));
        assertThat(Files.readString(ownedFile)).contains(Lab.VIP2);

        assertThat(api("DELETE", "/v1/services/taken", null)).endsWith("\n204");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(ipvsadm()).doesNotContain(FOREIGN));
        assertThat(Files.readString(ownedFile)).doesNotContain(Lab.VIP2);
        assertThat(ipvsadm()).contains("TCP  198.18.0.100:80 mh").contains("TCP  " + FRESH_VIP + ":80 wlc");
    }
}
