package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.api.app.TestCertificate;
import io.lvsdirector.lab.ExecResult;
import io.lvsdirector.lab.Ipvsadm;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged service with its API over TLS, on the lab kernel: a certificate made with keytool for dir1's
 * address, the key store's password from the environment (${LVS_DIRECTOR_KEYSTORE_PASSWORD}), the admin
 * connector configured without a bindHost. The client namespace creates a DR service with curl --cacert;
 * ipvsadm shows it and requests through the VIP reach the real servers. The admin port answers inside dir1
 * only: from the client it is not there at all.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsKernelIT {

    private static final String TOKEN = "tls-it-admin-token-0123456789";
    private static final String DIR1 = Topology.address("dir1");
    private static final String API = "https://" + DIR1 + ":9440";
    private static final String WEB = """
            {"vip": "198.18.0.100", "port": 80, "protocol": "tcp", "scheduler": "rr", "forwarding": "dr",
             "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1},
                                        {"address": "198.18.0.22", "port": 80, "weight": 1}]},
             "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "intervalMs": 200, "timeoutMs": 200,
                             "rise": 1, "fall": 2}}
            """;

    private static Topology topo;
    private static Path dir;
    private static TestCertificate cert;
    private static PackagedService server;

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(1, 2);
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-it-");
        cert = TestCertificate.generate(dir, "tls-it-keystore-pass", DIR1, "127.0.0.1");
        Path tokens = Lab.privateFile(dir.resolve("tokens"), "admin it " + TOKEN + "\n");
        Path config = dir.resolve("director.yml");
        Files.writeString(config, PackagedService.config(dir.resolve("state/state.json"), "2s", tokens, "server:\n"
                + "  applicationConnectors:\n"
                + "    - type: https\n      port: 9440\n"
                + "      keyStorePath: " + cert.keyStore() + "\n      keyStoreType: PKCS12\n"
                + "      keyStorePassword: ${LVS_DIRECTOR_KEYSTORE_PASSWORD}\n"
                + "      supportedProtocols: [TLSv1.3, TLSv1.2]\n"
                // No bindHost: the director puts the admin port on 127.0.0.1.
                + "  adminConnectors:\n    - type: http\n      port: 9441\n"
                + "  registerDefaultExceptionMappers: false\n",
                dir.resolve("director.log")));
        server = PackagedService.run("dir1", config, dir.resolve("server.out"), TOKEN,
                Map.of("LVS_DIRECTOR_KEYSTORE_PASSWORD", cert.password()), Duration.ofSeconds(120));
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
    void theClientCreatesADirectRoutingServiceOverHttps() {
        String out = topo.curl("client", "-sS", "--cacert", cert.certificatePem().toString(), "-w", "\n%{http_code}",
                "-X", "PUT", "-H", "Authorization: Bearer " + TOKEN, "-H", "Content-Type: application/json",
                "--data-binary", WEB, API + "/v1/services/web").orThrow().stdout();
        assertThat(out).endsWith("201");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(topo.ipvsadm("dir1", "-Ln"))
                .contains("TCP  198.18.0.100:80 rr").contains("-> 198.18.0.21:80").contains("-> 198.18.0.22:80"));
        String read = topo.curl("client", "-sS", "--cacert", cert.certificatePem().toString(),
                "-H", "Authorization: Bearer " + TOKEN, API + "/v1/services/web").orThrow().stdout();
        assertThat(read).contains("\"198.18.0.21\"");
    }

    @Test
    @Order(2)
    void requestsThroughTheVipReachTheRealServers() {
        Set<String> seen = new HashSet<>();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String body = topo.get("http://" + Lab.VIP + "/");
            assertThat(body).isNotNull();
            seen.add(body);
            assertThat(seen).containsExactlyInAnyOrder("rs1", "rs2");
        });
    }

    /** {@code bin/lvs-director ctl ARGS} in the client namespace with the client config written for it. */
    private static ExecResult ctl(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "client", "env", "JAVA=" + java,
                "HOME=" + dir, Path.of("bin/lvs-director").toAbsolutePath().toString(), "ctl"));
        cmd.addAll(List.of(args));
        return Lab.run(120, cmd);
    }

    /** address:port → weight of the VIP's real servers, from ipvsadm. */
    private static Map<String, Integer> weights() {
        return Ipvsadm.weights(topo.ipvsadm("dir1", "-Ln", "-t", Lab.VIP + ":80"));
    }

    @Test
    @Order(3)
    void ctlAppliesListsAndDrainsOverHttpsWithTheClientConfig() throws Exception {
        // ~/.config/lvs-director/client.yaml of the operator in the client namespace: the https URL, the CA
        // that signed the director's certificate, a token file of their own.
        Path home = dir.resolve(".config/lvs-director");
        Files.createDirectories(home);
        Lab.privateFile(home.resolve("token"), TOKEN + "\n");
        Files.writeString(home.resolve("client.yaml"), "server: " + API + "\ncaFile: " + cert.certificatePem()
                + "\ntokenFile: ~/.config/lvs-director/token\n");
        Path file = dir.resolve("web.yaml");
        Files.writeString(file, """
                name: web
                spec:
                  vip: 198.18.0.100
                  port: 80
                  scheduler: rr
                  realServers:
                    static:
                      - {address: 198.18.0.21, port: 80, weight: 1}
                      - {address: 198.18.0.22, port: 80, weight: 3}
                  healthCheck: {type: http, port: 8080, path: /ping, intervalMs: 200, timeoutMs: 200, rise: 1, fall: 2}
                """);
        long t0 = System.nanoTime();
        ExecResult apply = ctl("apply", "-f", file.toString());
        System.out.printf("tls-it: ctl apply took %d ms (a JVM start in the lab kernel)%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(apply.exitCode()).as(apply.stderr()).isZero();
        assertThat(apply.stdout()).isEqualTo("service/web configured\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights())
                .containsEntry("198.18.0.21:80", 1).containsEntry("198.18.0.22:80", 3));

        ExecResult services = ctl("services").orThrow();
        System.out.println("tls-it: ctl services:\n" + services.stdout());
        assertThat(services.stdout()).containsPattern("(?m)^TCP +198\\.18\\.0\\.100:80 +rr +web +in step$")
                .containsPattern("(?m)^  -> 198\\.18\\.0\\.22:80 +Route +3 +3 +\\d+ +\\d+ +healthy ");

        ExecResult drain = ctl("drain", "web", "198.18.0.21").orThrow();
        assertThat(drain.stdout()).isEqualTo("service/web real server 198.18.0.21: draining\n");
        // Weight 0 while connections from the requests above remain, out once they are gone.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights().get("198.18.0.21:80"))
                .isIn(0, null));
        assertThat(ctl("drain", "web", "198.18.0.21", "--undo").orThrow().stdout()).contains("drain ended");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(weights())
                .containsEntry("198.18.0.21:80", 1));

        // A scheduler the running 6.1 kernel lacks: refused with the API's message, exit 1, the kernel unchanged.
        Map<String, Integer> before = weights();
        Files.writeString(file, Files.readString(file).replace("scheduler: rr", "scheduler: twos"));
        ExecResult refused = ctl("apply", "-f", file.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("422").contains("[field scheduler]").contains("nothing applied");
        assertThat(topo.ipvsadm("dir1", "-Ln")).contains("TCP  198.18.0.100:80 rr");
        assertThat(weights()).isEqualTo(before);

        // Without the CA the client refuses the server's certificate: exit 3, no request made.
        ExecResult untrusted = ctl("--config", home.resolve("client.yaml").toString(), "--server", API,
                "--ca-file", "/etc/ssl/certs/ca-certificates.crt", "services");
        assertThat(untrusted.exitCode()).as(untrusted.stderr()).isEqualTo(3);
        assertThat(untrusted.stderr()).contains("TLS with " + API + " failed");
    }

    @Test
    @Order(4)
    void withoutTheCertificateOrWithoutTlsTheApiGivesNothing() {
        // curl 60: the peer's certificate is not trusted.
        assertThat(topo.curl("client", "-sS", "-H", "Authorization: Bearer " + TOKEN, API + "/v1/services").exitCode())
                .isEqualTo(60);
        ExecResult plain = topo.curl("client", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                "-H", "Authorization: Bearer " + TOKEN, "http://" + DIR1 + ":9440/v1/services");
        assertThat(plain.ok() && plain.stdout().equals("200")).as(plain.stdout() + plain.stderr()).isFalse();
    }

    @Test
    @Order(5)
    void theAdminPortAnswersInsideTheDirectorNamespaceOnly() {
        assertThat(topo.curl("dir1", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9441/healthcheck")
                .stdout()).isEqualTo("200");
        assertThat(topo.curl("dir1", "-s", "http://127.0.0.1:9441/metrics").orThrow().stdout())
                .contains("lvs_director_");
        // Tasks are off: nobody can raise a logger to DEBUG, not even locally.
        assertThat(topo.curl("dir1", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                "http://127.0.0.1:9441/tasks/log-level?logger=org.eclipse.jetty&level=DEBUG").stdout()).isEqualTo("404");
        // From the client, and on dir1's own segment address, nothing listens on 9441: curl 7, refused.
        for (String url : new String[] {"http://" + DIR1 + ":9441/healthcheck", "http://" + DIR1 + ":9441/metrics"}) {
            assertThat(topo.curl("client", "-s", "-o", "/dev/null", url).exitCode()).as("client " + url).isEqualTo(7);
            assertThat(topo.curl("dir1", "-s", "-o", "/dev/null", url).exitCode()).as("dir1 " + url).isEqualTo(7);
        }
    }

    @Test
    @Order(6)
    void theLogHasNeitherTheTokenNorTheKeyStorePassword() throws Exception {
        String log = Files.readString(dir.resolve("director.log")) + Files.readString(dir.resolve("server.out"));
        assertThat(log).contains("event=admin_endpoints tasks=false diagnostics=false");
        assertThat(log).doesNotContain(TOKEN).doesNotContain(cert.password());
    }
}
