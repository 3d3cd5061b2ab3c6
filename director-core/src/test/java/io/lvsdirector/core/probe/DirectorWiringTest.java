package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Probes, board and loop together, against real loopback servers and the fake kernel. */
class DirectorWiringTest {

    private static final VirtualServerKey WEB = VirtualServerKey.tcp("10.100.0.1", 80);

    @Test
    void aServerThatStopsLeavesTheTableAndOneThatAnswers503DrainsOut() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        try (ScriptedServer a = new ScriptedServer("127.0.13.1").answer(200);
                ScriptedServer b = new ScriptedServer("127.0.13.2", a.port()).answer(200);
                ScriptedServer c = new ScriptedServer("127.0.13.3", a.port()).answer(200);
                NettyChecker checker = NettyChecker.create(1)) {
            InMemoryServiceStore store = new InMemoryServiceStore();
            store.replaceAll(List.of(new ServiceSpec(VirtualService.tcp("web", InetAddress.getByName("10.100.0.1"), 80),
                    new RealServerSource.StaticList(List.of(new StaticRealServer(a.address(), 10),
                            new StaticRealServer(b.address(), 10), new StaticRealServer(c.address(), 10))),
                    HealthCheck.http().withPort(a.port()).withTiming(Duration.ofMillis(100), Duration.ofMillis(100), 2, 2),
                    WhenAllDown.FAIL_OPEN, Duration.ofSeconds(60))));
            CountingMeasurements m = new CountingMeasurements();
            HealthProber[] prober = new HealthProber[1];
            HealthBoard board = new HealthBoard(t -> prober[0].setTargets(t));
            prober[0] = HealthProber.create(checker, board, m, Clock.systemUTC(), Duration.ofSeconds(30));
            try (HealthProber p = prober[0];
                    ReconcileLoop loop = new ReconcileLoop(ipvs, store, InMemoryNodeSource.empty(), board,
                            new ManualDrains(), m, Clock.systemUTC(), LoopSettings.DEFAULTS, Set.of())) {
                loop.start();
                await().atMost(Duration.ofSeconds(5)).until(() -> weights(ipvs).size() == 3);
                assertThat(p.size()).isEqualTo(3);

                a.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> !weights(ipvs).containsKey("127.0.13.1"));
                b.answer(503);
                // No connections in the fake: a draining server goes straight out.
                await().atMost(Duration.ofSeconds(5)).until(() -> !weights(ipvs).containsKey("127.0.13.2"));
                assertThat(weights(ipvs)).containsOnlyKeys("127.0.13.3");
                assertThat(loop.status().services().get(0).realServers())
                        .extracting(d -> d.address().getHostAddress() + " " + d.reason())
                        .containsExactly("127.0.13.1 connect refused", "127.0.13.2 draining: 503", "127.0.13.3 ok");
                assertThat(m.transitions()).containsKeys("HEALTHY->FAILED", "HEALTHY->DRAINING");

                b.answer(200);
                await().atMost(Duration.ofSeconds(5)).until(() -> weights(ipvs).containsKey("127.0.13.2"));
            }
        }
    }

    private static Map<String, Integer> weights(FakeIpvs ipvs) {
        return ipvs.realServers(WEB).stream().collect(Collectors.toMap(
                r -> r.key().address().getHostAddress(), r -> r.spec().weight()));
    }
}
