package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NettyCheckerTest {

    private static NettyChecker checker;

    @BeforeAll
    static void start() throws Exception {
        checker = NettyChecker.create(1);
        // One probe to warm the JIT and the class loader; later timings are about the code.
        try (ScriptedServer warm = new ScriptedServer("127.0.10.254").answer(200)) {
            checker.probe(new ProbeTarget(warm.address(), http(warm.port()))).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        checker.close();
    }

    private static HealthCheck.Http http(int port) {
        // Generous: a loaded build machine must not turn an answer into a timeout.
        return HealthCheck.http().withPort(port)
                .withTiming(new HealthCheck.Timing(Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 1));
    }

    private static ProbeResult probe(InetAddress address, HealthCheck check) throws Exception {
        return checker.probe(new ProbeTarget(address, check)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void usesEpollOnLinux() {
        assertThat(checker.transport()).isEqualTo("epoll");
    }

    @Test
    void a200IsUpAndTheRequestCarriesPathAndHost() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.1").answer(200)) {
            ProbeResult r = probe(server.address(), http(server.port()).withPath("/ping").withHost("edge.example"));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(r.reason()).isEqualTo("ok");
            assertThat(server.requestLines).containsExactly("GET /ping HTTP/1.1");
            assertThat(server.hostHeaders).containsExactly("edge.example");
        }
    }

    @Test
    void withoutAHostTheHostHeaderIsTheProbedAddressAndPort() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.2").answer(200)) {
            probe(server.address(), http(server.port()));
            assertThat(server.hostHeaders).containsExactly("127.0.10.2:" + server.port());
        }
    }

    @Test
    void a500IsDownWithItsCode() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.3").answer(500)) {
            ProbeResult r = probe(server.address(), http(server.port()));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(r.reason()).isEqualTo("HTTP 500");
        }
    }

    @Test
    void a503IsDrainingNotDown() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.4").answer(503)) {
            ProbeResult r = probe(server.address(), http(server.port()));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DRAINING);
            assertThat(r.reason()).isEqualTo("draining: 503");
        }
    }

    @Test
    void acceptedStatusesAreConfigurable() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.5").answer(204)) {
            HealthCheck check = http(server.port()).withStatuses(Set.of(200, 204), Set.of(503));
            assertThat(probe(server.address(), check).outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(probe(server.address(), http(server.port())).reason()).isEqualTo("HTTP 204");
        }
    }

    @Test
    void aSlowAnswerIsATimeoutAtTheCheckTimeout() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.6")) {
            server.mode = ScriptedServer.Mode.SLOW;
            server.delayMillis = 1_000;
            long t0 = System.nanoTime();
            ProbeResult r = probe(server.address(), http(server.port())
                    .withTiming(Duration.ofMillis(500), Duration.ofMillis(300), 1, 1));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(r.reason()).isEqualTo("timeout");
            assertThat(tookMs).isBetween(280L, 900L);
            assertThat(r.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        }
    }

    @Test
    void aSilentServerIsATimeout() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.7")) {
            server.mode = ScriptedServer.Mode.SILENT;
            assertThat(probe(server.address(), http(server.port())
                    .withTiming(Duration.ofMillis(500), Duration.ofMillis(300), 1, 1)).reason()).isEqualTo("timeout");
        }
    }

    @Test
    void aResetIsDownAsAReset() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.8")) {
            server.mode = ScriptedServer.Mode.RESET;
            ProbeResult r = probe(server.address(), http(server.port()));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(r.reason()).isEqualTo("connection reset");
        }
    }

    @Test
    void aClosedPortIsARefusalForHttpAndTcp() throws Exception {
        int port;
        InetAddress address = InetAddress.getByName("127.0.10.9");
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            port = s.getLocalPort();
        }
        ProbeResult httpResult = probe(address, http(port));
        ProbeResult tcpResult = probe(address, HealthCheck.tcp().withPort(port));
        assertThat(httpResult.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
        assertThat(httpResult.reason()).isEqualTo("connect refused");
        assertThat(tcpResult.reason()).isEqualTo("connect refused");
    }

    @Test
    void aTcpCheckOnlyConnects() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.10")) {
            server.mode = ScriptedServer.Mode.SILENT;
            ProbeResult r = probe(server.address(), HealthCheck.tcp().withPort(server.port()));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(server.requests.get()).isZero();
        }
    }

    @Test
    void anHttpAndATcpCheckOfOnePortAreTwoTargetsEachProbedItsOwnWay() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.24").answer(500)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE;
            HealthCheck tcp = HealthCheck.tcp().withPort(server.port());
            for (int i = 0; i < 2; i++) {
                assertThat(probe(server.address(), http(server.port())).reason()).isEqualTo("HTTP 500");
                assertThat(probe(server.address(), tcp).reason()).isEqualTo("ok");
            }
            // The HTTP target kept its connection; each TCP probe connected and said nothing. A TCP
            // probe is done once the kernel has the connection, maybe before the server accepts it.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connections.get() >= 3);
            assertThat(server.connections.get()).isEqualTo(3);
            assertThat(server.requests.get()).isEqualTo(2);
        }
    }

    @Test
    void aKeptAliveConnectionCarriesProbeAfterProbe() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.12").answer(200)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE;
            HealthCheck check = http(server.port());
            for (int i = 0; i < 5; i++) {
                assertThat(probe(server.address(), check).outcome()).isEqualTo(ProbeResult.Outcome.UP);
            }
            assertThat(server.requests.get()).isEqualTo(5);
            assertThat(server.connections.get()).isEqualTo(1);
            // The answer changes on the same connection: 503 is seen at once.
            server.status = 503;
            assertThat(probe(server.address(), check).reason()).isEqualTo("draining: 503");
            server.status = 500;
            assertThat(probe(server.address(), check).reason()).isEqualTo("HTTP 500");
        }
    }

    @Test
    void aKeptConnectionTheServerDroppedIsRetriedFreshAndNotReportedAsAFailure() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.13").answer(200)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE_THEN_DROP;
            HealthCheck check = http(server.port());
            for (int i = 0; i < 4; i++) {
                ProbeResult r = probe(server.address(), check);
                assertThat(r.outcome()).as("probe %d: %s", i, r.reason()).isEqualTo(ProbeResult.Outcome.UP);
            }
            // Every second request on a connection was dropped and retried on a new one.
            assertThat(server.connections.get()).isEqualTo(4);
        }
    }

    @Test
    void aStoppedKeepAliveServerIsRefusedOnTheNextProbe() throws Exception {
        ProbeTarget target;
        try (ScriptedServer server = new ScriptedServer("127.0.10.14").answer(200)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE;
            target = new ProbeTarget(server.address(), http(server.port()));
            assertThat(checker.probe(target).toCompletableFuture().get(5, TimeUnit.SECONDS).outcome())
                    .isEqualTo(ProbeResult.Outcome.UP);
        }
        // Let the client's event loop see the server's FIN on the kept connection first: this test is
        // about a server that is gone. A close racing the request itself is the KEEP_ALIVE_THEN_DROP test.
        Thread.sleep(300);
        ProbeResult r = checker.probe(target).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
        assertThat(r.reason()).isEqualTo("connect refused");
    }

    @Test
    void withoutReuseEveryProbeHasItsOwnConnection() throws Exception {
        try (NettyChecker fresh = NettyChecker.create(1, true, false);
                ScriptedServer server = new ScriptedServer("127.0.10.15").answer(200)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE;
            ProbeTarget target = new ProbeTarget(server.address(), http(server.port()));
            for (int i = 0; i < 3; i++) {
                assertThat(fresh.probe(target).toCompletableFuture().get(5, TimeUnit.SECONDS).outcome())
                        .isEqualTo(ProbeResult.Outcome.UP);
            }
            assertThat(server.connections.get()).isEqualTo(3);
        }
    }

    @Test
    void nioWorksWhereEpollIsMissing() throws Exception {
        try (NettyChecker nio = NettyChecker.create(1, false)) {
            assertThat(nio.transport()).isEqualTo("nio");
            ProbeTarget target;
            try (ScriptedServer server = new ScriptedServer("127.0.10.11").answer(503)) {
                target = new ProbeTarget(server.address(), http(server.port()));
                ProbeResult r = nio.probe(target).toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(r.reason()).isEqualTo("draining: 503");
            }
            ProbeResult refused = nio.probe(target).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(refused.reason()).isEqualTo("connect refused");
        }
    }

    @Test
    void aChunkedAnswerSplitAcrossReadsIsReadToItsEndAndTheConnectionKept() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.16").raw(20,
                "HTTP/1.1 200 OK\r\nTransfer-", "Encoding: chunked\r\n\r\n4\r\nst",
                "at\r\n3\r\nus!\r\n0\r\n", "\r\n")) {
            HealthCheck check = http(server.port());
            for (int i = 0; i < 3; i++) {
                ProbeResult r = probe(server.address(), check);
                assertThat(r.outcome()).as("probe %d: %s", i, r.reason()).isEqualTo(ProbeResult.Outcome.UP);
                // The answer is given only once the last chunk is in, not at the status line.
                assertThat(r.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(55));
            }
            assertThat(server.requests.get()).isEqualTo(3);
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void a503WithABodyDrainsAndTheNextAnswerOnTheSameConnectionIsReadCleanly() throws Exception {
        String drain = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 17\r\n\r\n";
        try (ScriptedServer server = new ScriptedServer("127.0.10.17").raw(20, drain, "draining, bye ", "now")) {
            HealthCheck check = http(server.port());
            assertThat(probe(server.address(), check).reason()).isEqualTo("draining: 503");
            // A reader that stopped at the status line would take "draining, bye now" as the next answer.
            server.raw(0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            assertThat(probe(server.address(), check).reason()).isEqualTo("ok");
            assertThat(probe(server.address(), check).reason()).isEqualTo("ok");
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.18").raw(0,
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")) {
            HealthCheck check = http(server.port());
            assertThat(probe(server.address(), check).outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(probe(server.address(), check).outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void anExtraAnswerIsNeverTakenForTheNextProbe() throws Exception {
        String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        String extra = "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
        // Two answers to each request in one write: the second arrives with the first.
        try (ScriptedServer server = new ScriptedServer("127.0.10.19").raw(0, ok + extra)) {
            HealthCheck check = http(server.port());
            for (int i = 0; i < 3; i++) {
                assertThat(probe(server.address(), check).reason()).as("probe %d", i).isEqualTo("ok");
            }
            // The connection that talked out of turn was not kept.
            assertThat(server.connections.get()).isEqualTo(3);
        }
        // The second a little later, while the connection is idle between probes.
        try (ScriptedServer server = new ScriptedServer("127.0.10.23").raw(30, ok, extra)) {
            HealthCheck check = http(server.port());
            for (int i = 0; i < 3; i++) {
                assertThat(probe(server.address(), check).reason()).as("probe %d", i).isEqualTo("ok");
                Thread.sleep(300);
            }
            assertThat(server.connections.get()).isEqualTo(3);
        }
    }

    @Test
    void garbageIsABadAnswer() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.20").raw(0, "SSH-2.0-OpenSSH_9.2\r\n")) {
            ProbeResult r = probe(server.address(), http(server.port()));
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(r.reason()).isEqualTo("bad HTTP answer");
        }
    }

    @Test
    void anAnswerOverTheBodyCapStillCountsButItsConnectionIsNotKept() throws Exception {
        int big = HttpAnswerReader.MAX_BODY + 1;
        try (ScriptedServer server = new ScriptedServer("127.0.10.21").raw(0,
                "HTTP/1.1 200 OK\r\nContent-Length: " + big + "\r\n\r\n", "x".repeat(big))) {
            HealthCheck check = http(server.port());
            assertThat(probe(server.address(), check).outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(probe(server.address(), check).outcome()).isEqualTo(ProbeResult.Outcome.UP);
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void theRequestIsTheSameBytesProbeAfterProbe() throws Exception {
        // The request is encoded once per target and written as a view: every write must send it whole.
        try (ScriptedServer server = new ScriptedServer("127.0.10.22").answer(200)) {
            server.mode = ScriptedServer.Mode.KEEP_ALIVE;
            HealthCheck check = http(server.port()).withPath("/ping").withHost("edge.example");
            for (int i = 0; i < 20; i++) {
                assertThat(probe(server.address(), check).outcome()).isEqualTo(ProbeResult.Outcome.UP);
            }
            assertThat(server.requestLines).hasSize(20).containsOnly("GET /ping HTTP/1.1");
            assertThat(server.hostHeaders).hasSize(20).containsOnly("edge.example");
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aTimeoutOnAKeptConnectionKeepsItAndItsLateAnswerIsNotTakenForTheNextProbe() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.24")) {
            server.mode = ScriptedServer.Mode.SLOW_KEEP_ALIVE;
            server.status = 500;
            server.delayMillis = 900;
            HealthCheck check = http(server.port()).withTiming(Duration.ofSeconds(1), Duration.ofMillis(600), 1, 1);
            ProbeResult first = probe(server.address(), check);
            assertThat(first.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(first.reason()).isEqualTo("timeout");
            // The server wakes up: the 500 still owed for the first probe arrives while the second
            // waits on the same connection; the second gets its own answer, 200, not that 500.
            server.status = 200;
            server.delayMillis = 0;
            ProbeResult second = probe(server.address(), check);
            assertThat(second.reason()).isEqualTo("ok");
            assertThat(server.requests.get()).isEqualTo(2);
            assertThat(server.connections.get()).isEqualTo(1);
            assertThat(probe(server.address(), check).reason()).isEqualTo("ok");
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aServerSlowerThanTheTimeoutFailsEveryProbeOnOneConnection() throws Exception {
        try (ScriptedServer server = new ScriptedServer("127.0.10.25").answer(200)) {
            server.mode = ScriptedServer.Mode.SLOW_KEEP_ALIVE;
            server.delayMillis = 450;
            HealthCheck check = http(server.port()).withTiming(Duration.ofSeconds(1), Duration.ofMillis(300), 1, 1);
            for (int i = 0; i < 6; i++) {
                ProbeResult r = probe(server.address(), check);
                assertThat(r.outcome()).as("probe %d", i).isEqualTo(ProbeResult.Outcome.DOWN);
                assertThat(r.reason()).as("probe %d", i).isEqualTo("timeout");
            }
            // Before, each timeout closed the connection: six probes, six connections.
            assertThat(server.connections.get()).isEqualTo(1);
            // Every probe that found the connection free wrote one request; one that waited behind a
            // late answer and timed out wrote none. Never two requests outstanding.
            assertThat(server.requests.get()).isBetween(3, 6);
        }
    }

    @Test
    void aConnectionSilentPastTheLimitIsReplacedAndReconnectsBackOff() throws Exception {
        assertThat(NettyChecker.reconnectBackoff(1)).isZero();
        assertThat(NettyChecker.reconnectBackoff(2)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(NettyChecker.reconnectBackoff(3)).isEqualTo(TimeUnit.SECONDS.toNanos(2));
        assertThat(NettyChecker.reconnectBackoff(40)).isEqualTo(TimeUnit.SECONDS.toNanos(10));
        try (ScriptedServer server = new ScriptedServer("127.0.10.26").answer(200)) {
            server.mode = ScriptedServer.Mode.SLOW_KEEP_ALIVE;
            server.delayMillis = 60_000;
            HealthCheck check = http(server.port()).withTiming(Duration.ofMillis(200), Duration.ofMillis(150), 1, 1);
            ProbeTarget target = new ProbeTarget(server.address(), check);
            assertThat(NettyChecker.silenceLimit(target)).isEqualTo(NettyChecker.MIN_SILENCE.toNanos());
            long t0 = System.nanoTime();
            int probes = 0;
            while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(6_500)) {
                assertThat(checker.probe(target).toCompletableFuture().get(5, TimeUnit.SECONDS).reason())
                        .isEqualTo("timeout");
                probes++;
                Thread.sleep(50);
            }
            // ~30 probes over 6.5 s. Each connection is replaced after owing an answer for 1 s; the
            // reconnects wait 0, 1 s, 2 s: connections at about 0, 1, 3 and 6 s. Closing on every
            // timeout would have opened one per probe.
            assertThat(probes).isGreaterThan(10);
            assertThat(server.connections.get()).isBetween(3, 5);
            checker.release(target);
        }
    }

    @Test
    void aProbeOwedOnAKeptConnectionWhenTheCheckerClosesEndsThereWithoutAReconnect() throws Exception {
        NettyChecker own = NettyChecker.create(1);
        try (ScriptedServer server = new ScriptedServer("127.0.10.27")) {
            server.mode = ScriptedServer.Mode.SLOW_KEEP_ALIVE;
            ProbeTarget target = new ProbeTarget(server.address(), http(server.port())
                    .withTiming(Duration.ofSeconds(10), Duration.ofSeconds(5), 1, 1));
            assertThat(own.probe(target).toCompletableFuture().get(5, TimeUnit.SECONDS).outcome())
                    .isEqualTo(ProbeResult.Outcome.UP);
            server.delayMillis = 3_000;
            var owed = own.probe(target).toCompletableFuture();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.requests.get() == 2);
            // The loop closes the kept connection under the probe. A reused connection that closes
            // unanswered is otherwise retried on a fresh one: not on a loop that is stopping.
            own.close();
            ProbeResult r = owed.get(5, TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(r.reason()).isEqualTo("closed before answering");
            assertThat(server.connections.get()).isEqualTo(1);
        } finally {
            own.close();
        }
    }
}
