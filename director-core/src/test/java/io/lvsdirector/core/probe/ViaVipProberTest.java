package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeRoutes;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.status.CountingMeasurements;
import io.netty.channel.epoll.Epoll;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A probe via a VIP whose path is not made yet counts neither way; a broken path is a failure. */
class ViaVipProberTest {

    @Test
    void aPathNotMadeYetLeavesTheTargetUnknownAndABrokenOneFailsIt() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "SO_MARK needs the epoll transport");
        ProbeTarget t = ProbeTarget.of(InetAddress.getByName("127.0.0.1"), HealthCheck.tcp().withPort(9)
                .withVia(HealthCheck.Via.VIP).withTiming(Duration.ofMillis(20), Duration.ofMillis(20), 1, 1),
                InetAddress.getByName("127.0.0.1"));
        AtomicReference<ProbeRoutes.Route> route = new AtomicReference<>(ProbeRoutes.Route.NOT_YET);
        List<HealthStatus> events = new CopyOnWriteArrayList<>();
        try (NettyChecker checker = NettyChecker.create(1)) {
            checker.useRoutes(a -> route.get());
            try (HealthProber prober = HealthProber.create(checker, (x, s) -> events.add(s),
                    new CountingMeasurements(), Clock.systemUTC(), Duration.ofHours(1))) {
                prober.setTargets(Set.of(t));
                // About 25 probes with fall 1: none sent, none counted.
                Thread.sleep(500);
                assertThat(events).isEmpty();
                route.set(ProbeRoutes.Route.none("no probe path to this node: internal service fwmark 7 failed: "
                        + "-A -f 7 -s rr: EEXIST"));
                await().atMost(Duration.ofSeconds(5)).until(() -> !events.isEmpty());
                assertThat(events.get(0).state()).isEqualTo(HealthState.FAILED);
                assertThat(events.get(0).reason()).endsWith("EEXIST");
            }
        }
    }
}
