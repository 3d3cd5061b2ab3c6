package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS probes against real TLS servers on loopback (127.0.13.x) with certificates made by keytool:
 * the certificate is verified against the check's CA file or the JVM's trust, by chain and by name;
 * skip-verify accepts anything; SNI and Host carry the check's host; the handshake happens once per
 * kept connection; a CA file that cannot be loaded fails only its own check.
 */
class HttpsProbeTest {

    @TempDir
    static Path dir;

    private static NettyChecker checker;
    private static SelfSignedCert edge;
    private static SelfSignedCert stranger;

    @BeforeAll
    static void start() throws Exception {
        edge = SelfSignedCert.create(dir, "edge", "edge.example", "dns:edge.example,ip:127.0.13.1,ip:127.0.13.2,"
                + "ip:127.0.13.3,ip:127.0.13.4,ip:127.0.13.5,ip:127.0.13.6,ip:127.0.13.7,ip:127.0.13.8");
        stranger = SelfSignedCert.create(dir, "stranger", "edge.example", "dns:edge.example,ip:127.0.13.2");
        checker = NettyChecker.create(1);
    }

    @AfterAll
    static void stop() {
        checker.close();
    }

    private static HealthCheck.Https https(ScriptedServer server) {
        // Generous: a loaded build machine must not turn a handshake into a timeout.
        return HealthCheck.https().withPort(server.port())
                .withTiming(new HealthCheck.Timing(Duration.ofSeconds(3), Duration.ofSeconds(3), 1, 1));
    }

    private static ProbeResult probe(InetAddress address, HealthCheck check) throws Exception {
        return checker.probe(new ProbeTarget(address, check)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void verifiedAgainstTheRightCaIsUpAndSniAndHostCarryTheCheckHost() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.13.1", edge.serverContext()).answer(200)) {
            ProbeResult r = probe(server.address(), https(server).withHost("edge.example")
                    .withCaFile(edge.certPem().toString()));
            assertThat(r.reason()).isEqualTo("ok");
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(server.serverNames).containsExactly("edge.example");
            assertThat(server.hostHeaders).containsExactly("edge.example");
            assertThat(server.requestLines).containsExactly("GET /ping HTTP/1.1");
        }
    }

    @Test
    void aCertificateFromAnotherCaIsDownWithATlsReason() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.13.2", stranger.serverContext()).answer(200)) {
            ProbeResult r = probe(server.address(), https(server).withHost("edge.example")
                    .withCaFile(edge.certPem().toString()));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            // Both certificates name CN=edge.example: the CA found by name did not sign this one.
            assertThat(r.reason()).isEqualTo("tls: certificate not trusted (signature check failed)");
            // Nothing was asked over a connection that failed to verify.
            assertThat(server.requests.get()).isZero();
            // Without a caFile the JVM's default trust applies, and does not know a self-signed cert.
            assertThat(probe(server.address(), https(server).withHost("edge.example")).reason())
                    .isEqualTo("tls: certificate not trusted (no path to a trusted CA)");
        }
    }

    @Test
    void aNameTheCertificateDoesNotCarryIsDown() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.13.3", edge.serverContext()).answer(200)) {
            ProbeResult r = probe(server.address(), https(server).withHost("other.example")
                    .withCaFile(edge.certPem().toString()));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(r.reason()).startsWith("tls: certificate name does not match");
        }
    }

    @Test
    void withoutAHostTheCertificateMustNameTheAddressAndNoSniIsSent() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.13.4", edge.serverContext()).answer(200)) {
            ProbeResult r = probe(server.address(), https(server).withCaFile(edge.certPem().toString()));
            assertThat(r.reason()).isEqualTo("ok");
            assertThat(server.serverNames).containsExactly("");
            assertThat(server.hostHeaders).containsExactly("127.0.13.4:" + server.port());
        }
    }

    @Test
    void skipVerifyAcceptsAnyCertificate() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.13.5", stranger.serverContext()).answer(200)) {
            ProbeResult r = probe(server.address(), https(server).withHost("nobody.example")
                    .withInsecureSkipVerify(true));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(server.serverNames).containsExactly("nobody.example");
            server.status = 503;
            assertThat(probe(server.address(), https(server).withHost("nobody.example").withInsecureSkipVerify(true))
                    .reason()).isEqualTo("draining: 503");
        }
    }

    @Test
    void aKeptConnectionHandshakesOnce() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.13.6", edge.serverContext()).answer(200)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE;
            HealthCheck check = https(server).withHost("edge.example").withCaFile(edge.certPem().toString());
            for (int i = 0; i < 5; i++) {
                assertThat(probe(server.address(), check).reason()).as("probe %d", i).isEqualTo("ok");
            }
            assertThat(server.requests.get()).isEqualTo(5);
            assertThat(server.connections.get()).isEqualTo(1);
            assertThat(server.serverNames).hasSize(1);
        }
    }

    @Test
    void aCaFileThatCannotBeLoadedFailsOnlyItsOwnCheck() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.13.7", edge.serverContext()).answer(200)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE;
            ProbeResult broken = probe(server.address(), https(server).withHost("edge.example")
                    .withCaFile(dir.resolve("gone.pem").toString()));
            assertThat(broken.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(broken.reason()).startsWith("tls: cannot load caFile " + dir.resolve("gone.pem"));
            ProbeResult fine = probe(server.address(), https(server).withHost("edge.example").withPath("/other")
                    .withCaFile(edge.certPem().toString()));
            assertThat(fine.reason()).isEqualTo("ok");
        }
    }
}
