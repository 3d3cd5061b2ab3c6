package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.ProbeRoutes;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Probes via the VIP: their targets, their reasons, and what happens without a route. */
class ViaVipTest {

    private static final HealthCheck VIA_VIP = HealthCheck.http().withPort(8080).withVia(HealthCheck.Via.VIP);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aNodeProbedViaItsAddressAndViaTwoVipsIsThreeTargets() throws Exception {
        InetAddress rs = ip("198.18.0.21");
        ProbeTarget node = ProbeTarget.of(rs, HealthCheck.http().withPort(8080), ip("198.18.0.100"));
        ProbeTarget vip1 = ProbeTarget.of(rs, VIA_VIP, ip("198.18.0.100"));
        ProbeTarget vip2 = ProbeTarget.of(rs, VIA_VIP, ip("198.18.0.101"));
        assertThat(new java.util.HashSet<>(java.util.List.of(node, vip1, vip2,
                ProbeTarget.of(rs, VIA_VIP, ip("198.18.0.100"))))).hasSize(3);
        assertThat(node.vip()).isNull();
        assertThat(node.socketAddress().getAddress()).isEqualTo(rs);
        assertThat(vip1.socketAddress().getAddress()).isEqualTo(ip("198.18.0.100"));
        assertThat(vip1.socketAddress().getPort()).isEqualTo(8080);
        assertThat(vip1).hasToString("http://198.18.0.100:8080/ping via 198.18.0.21");
        assertThat(node).hasToString("http://198.18.0.21:8080/ping");
        // The Host header names what was asked for: the VIP.
        assertThat(HttpProbe.request(vip1, (HealthCheck.Http) VIA_VIP, true).toString(
                java.nio.charset.StandardCharsets.US_ASCII)).contains("Host: 198.18.0.100:8080\r\n");
    }

    @Test
    void reasonsSayWhatWasSeenViaTheVip() throws Exception {
        ProbeTarget t = ProbeTarget.of(ip("198.18.0.21"), VIA_VIP, ip("198.18.0.100"));
        assertThat(ViaVip.reason(t, "timeout"))
                .isEqualTo("no answer via VIP 198.18.0.100:8080 (timeout: is the VIP on the node's lo?)");
        assertThat(ViaVip.reason(t, "connect refused")).isEqualTo("refused via VIP 198.18.0.100:8080 (the node "
                + "takes the VIP's packets, but nothing listens on 198.18.0.100:8080)");
        assertThat(ViaVip.reason(t, "HTTP 500")).isEqualTo("HTTP 500 (via VIP 198.18.0.100:8080)");
        assertThat(ViaVip.reason(t, "no probe path to this node: x")).isEqualTo("no probe path to this node: x");
        ProbeTarget v6 = ProbeTarget.of(ip("2001:db8::21"), VIA_VIP, ip("2001:db8::100"));
        assertThat(ViaVip.reason(v6, "connection reset")).isEqualTo("connection reset via VIP [2001:db8::100]:8080");
    }

    @Test
    void withoutARouteAProbeViaTheVipFailsWithTheRoutesReasonAndSendsNothing() throws Exception {
        ProbeTarget t = ProbeTarget.of(ip("127.0.0.1"), VIA_VIP, ip("127.0.0.1"));
        try (NettyChecker checker = NettyChecker.create(1)) {
            ProbeResult r = checker.probe(t).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.DOWN);
            assertThat(r.reason()).isIn(ViaVip.NO_ROUTES, ViaVip.NEEDS_EPOLL);
            checker.useRoutes(a -> ProbeRoutes.Route.none("no probe path to this node: internal service fwmark 7 "
                    + "is not in the kernel yet"));
            r = checker.probe(t).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.reason()).isIn("no probe path to this node: internal service fwmark 7 is not in the kernel yet",
                    ViaVip.NEEDS_EPOLL);
        }
        try (NettyChecker nio = NettyChecker.create(1, false)) {
            InetAddress local = ip("127.0.0.1");
            nio.useRoutes(a -> new ProbeRoutes.Route(7, local, null));
            assertThat(nio.probe(t).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS).reason())
                    .isEqualTo(ViaVip.NEEDS_EPOLL);
        }
    }

    @Test
    void aCheckViaTheVipNeedsItsVipAndOnlyIt() throws Exception {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ProbeTarget(ip("198.18.0.21"), VIA_VIP))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ProbeTarget(ip("198.18.0.21"),
                HealthCheck.tcp().withPort(80), ip("198.18.0.100"))).isInstanceOf(IllegalArgumentException.class);
    }
}
