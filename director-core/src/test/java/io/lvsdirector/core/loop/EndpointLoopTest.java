package io.lvsdirector.core.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.model.InMemoryEndpointSource;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceEndpointsView.EndpointState;
import io.lvsdirector.core.model.ServiceEndpointsView.IpFamily;
import io.lvsdirector.core.model.ServiceEndpointsView.TrafficPolicy;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.lab.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reconcile loop with an {@link io.lvsdirector.core.model.EndpointSource}: waits for it, follows it. */
class EndpointLoopTest {

    private static final LoopSettings FAST = new LoopSettings(Duration.ofMillis(1), Duration.ofSeconds(30),
            Duration.ofMillis(20), Duration.ofMillis(20), Duration.ofMillis(200));
    private static final VirtualServerKey WEB = VirtualServerKey.tcp("198.18.0.100", 443);
    private static final VirtualServerKey OTHER = VirtualServerKey.tcp("198.18.0.101", 443);

    private final FakeIpvs ipvs = new FakeIpvs();
    private final InMemoryServiceStore store = new InMemoryServiceStore();
    private final InMemoryNodeSource nodes = new InMemoryNodeSource();
    private final InMemoryEndpointSource endpoints = new InMemoryEndpointSource();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private ReconcileLoop loop;

    @AfterEach
    void close() {
        if (loop != null) {
            loop.close();
        }
    }

    private static ServiceEndpointsView view(Map<String, EndpointState> v4) {
        return new ServiceEndpointsView("ingress", "traefik", TrafficPolicy.LOCAL, Set.of(IpFamily.IPV4),
                Map.of("https", 443), Map.of(IpFamily.IPV4, v4), null, List.of());
    }

    private Map<String, Integer> weights(VirtualServerKey key) {
        return ipvs.realServers(key).stream().collect(Collectors.toMap(
                r -> r.key().address().getHostAddress(), r -> r.spec().weight()));
    }

    @Test
    void followsTheEndpointsAndWaitsForThem() {
        store.replaceAll(List.of(
                ServiceSpec.of(VirtualService.tcp("web", IpAddresses.parse("198.18.0.100"), 443),
                        new RealServerSource.ServiceEndpoints("ingress", "traefik", "https", 7), null),
                ServiceSpec.of(VirtualService.tcp("other", IpAddresses.parse("198.18.0.101"), 443),
                        new RealServerSource.StaticList(List.of(new StaticRealServer(IpAddresses.parse("10.0.9.9"), 1))),
                        null)));
        for (int i = 1; i <= 3; i++) {
            nodes.put(NodeView.of("n" + i, IpAddresses.parse("10.0.0." + i), Map.of()));
        }
        nodes.markSynced();
        loop = new ReconcileLoop(ipvs, store, nodes, endpoints, HealthBoard.manual(), new ManualDrains(),
                new CountingMeasurements(), clock, FAST, OwnershipStore.inMemory());
        assertThat(loop.runOnce().outcome()).isEqualTo(PassResult.Outcome.WAITING);
        assertThat(loop.status().waitingFor()).containsExactly("endpoints");

        endpoints.put(view(Map.of("n1", EndpointState.READY, "n2", EndpointState.READY)));
        endpoints.markSynced();
        loop.start();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(weights(WEB)).as(loop.status().toString())
                .isEqualTo(Map.of("10.0.0.1", 7, "10.0.0.2", 7)));

        // n2's endpoint terminates while n2 has a connection the loop has not read yet (its last read
        // saw 0, before the connection opened): weight 0, kept. The pass the event starts reads the
        // kernel before deleting a drained real server at 0 connections.
        ipvs.setRealServerCounters(WEB, new RealServerKey(IpAddresses.parse("10.0.0.2"), 443), 1, 0, 0, Stats.ZERO);
        endpoints.put(view(Map.of("n1", EndpointState.READY, "n2", EndpointState.TERMINATING)));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(weights(WEB))
                .as(loop.status().toString()).isEqualTo(Map.of("10.0.0.1", 7, "10.0.0.2", 0)));
        // Its connection ends: out.
        ipvs.setRealServerCounters(WEB, new RealServerKey(IpAddresses.parse("10.0.0.2"), 443), 0, 0, 0, Stats.ZERO);
        await().atMost(Duration.ofSeconds(5)).until(() -> weights(WEB).equals(Map.of("10.0.0.1", 7)));

        // The Service is deleted: its service empties and says why; the other service is untouched.
        endpoints.remove("ingress", "traefik");
        await().atMost(Duration.ofSeconds(5)).until(() -> weights(WEB).isEmpty());
        assertThat(weights(OTHER)).isEqualTo(Map.of("10.0.9.9", 1));
        assertThat(loop.status().problems()).contains("service web: Service ingress/traefik not found");
    }
}
