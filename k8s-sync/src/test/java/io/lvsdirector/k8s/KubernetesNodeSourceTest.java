package io.lvsdirector.k8s;

import static io.lvsdirector.k8s.MockCluster.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.lab.MutableClock;
import io.lvsdirector.spec.AddressType;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KubernetesNodeSourceTest {

    private static final Map<String, String> EDGE = Map.of("node-role.kubernetes.io/edge", "true");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private MockCluster cluster;
    private KubernetesNodeSource source;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        cluster.close();
    }

    private KubernetesNodeSource source(K8sSyncConfig config, MutableClock clock) {
        source = new KubernetesNodeSource(cluster.newClient(), config,
                clock == null ? java.time.Clock.systemUTC() : clock, Duration.ofMillis(50));
        return source;
    }

    private static K8sSyncConfig config() {
        return K8sSyncConfig.inCluster().withNotReadyGrace(Duration.ZERO);
    }

    private Set<String> names() {
        return source.nodes().stream().map(NodeView::name).collect(Collectors.toSet());
    }

    private Optional<NodeView> view(String name) {
        return source.nodes().stream().filter(n -> n.name().equals(name)).findFirst();
    }

    @Test
    void followsAddLabelCordonExcludeAndDelete() {
        cluster.create(node("edge-1", "10.0.0.1", EDGE, true));
        cluster.create(node("edge-2", "10.0.0.2", EDGE, true));
        cluster.create(node("worker-1", "10.0.1.1", Map.of("role", "worker"), true));
        source(config(), null);
        AtomicInteger notified = new AtomicInteger();
        source.addListener(notified::incrementAndGet);
        assertThat(source.hasSynced()).isFalse();

        source.setSelectors(List.of(EDGE));
        await().atMost(WAIT).until(source::hasSynced);
        assertThat(names()).containsExactlyInAnyOrder("edge-1", "edge-2");
        NodeView e1 = view("edge-1").orElseThrow();
        assertThat(e1.addresses()).extracting(InetAddress::getHostAddress).containsExactly("10.0.0.1");
        assertThat(e1.ready()).isTrue();
        assertThat(e1.unschedulable()).isFalse();
        assertThat(e1.excludedFromLoadBalancers()).isFalse();
        assertThat(notified.get()).isPositive();

        cluster.create(node("edge-3", "10.0.0.3", EDGE, true));
        await().atMost(WAIT).until(() -> names().contains("edge-3"));

        // Labelled into the selector: it appears; labelled out: it goes.
        cluster.label("worker-1", "node-role.kubernetes.io/edge", "true");
        await().atMost(WAIT).until(() -> names().contains("worker-1"));
        cluster.label("worker-1", "node-role.kubernetes.io/edge", null);
        await().atMost(WAIT).until(() -> !names().contains("worker-1"));

        cluster.cordon("edge-2", true);
        await().atMost(WAIT).until(() -> view("edge-2").orElseThrow().unschedulable());
        cluster.cordon("edge-2", false);
        await().atMost(WAIT).until(() -> !view("edge-2").orElseThrow().unschedulable());

        cluster.label("edge-3", NodeView.EXCLUDE_LABEL, "");
        await().atMost(WAIT).until(() -> view("edge-3").orElseThrow().excludedFromLoadBalancers());
        assertThat(view("edge-3").orElseThrow().ready()).isTrue();

        cluster.delete("edge-1");
        await().atMost(WAIT).until(() -> !names().contains("edge-1"));
        assertThat(names()).containsExactlyInAnyOrder("edge-2", "edge-3");
        assertThat(source.connected()).isTrue();
        assertThat(source.syncAge()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void notReadyWithoutGraceIsOutAtOnce() {
        cluster.create(node("edge-1", "10.0.0.1", EDGE, true));
        source(config(), null).setSelectors(List.of(EDGE));
        await().atMost(WAIT).until(source::hasSynced);
        assertThat(view("edge-1").orElseThrow().ready()).isTrue();

        cluster.ready("edge-1", false, Instant.now());
        await().atMost(WAIT).until(() -> !view("edge-1").orElseThrow().ready());
        cluster.ready("edge-1", true, Instant.now());
        await().atMost(WAIT).until(() -> view("edge-1").orElseThrow().ready());
    }

    @Test
    void notReadyBlipShorterThanTheGraceStaysReady() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        cluster.create(node("edge-1", "10.0.0.1", EDGE, true));
        cluster.create(node("edge-new", "10.0.0.9", EDGE, false));
        source(config().withNotReadyGrace(Duration.ofSeconds(30)), clock).setSelectors(List.of(EDGE));
        await().atMost(WAIT).until(source::hasSynced);
        // Never seen Ready: no grace for a node that never served.
        assertThat(view("edge-new").orElseThrow().ready()).isFalse();

        cluster.ready("edge-1", false, clock.instant());
        await().atMost(WAIT).until(() -> notReadyRecorded("edge-1"));
        assertThat(view("edge-1").orElseThrow().ready()).as("inside the grace").isTrue();

        clock.advance(Duration.ofSeconds(29));
        source.refresh();
        assertThat(view("edge-1").orElseThrow().ready()).as("29 s in").isTrue();
        clock.advance(Duration.ofSeconds(2));
        assertThat(view("edge-1").orElseThrow().ready()).as("31 s in").isFalse();

        // Back to Ready: ready at once, and a later blip gets a fresh grace.
        cluster.ready("edge-1", true, clock.instant());
        await().atMost(WAIT).until(() -> view("edge-1").orElseThrow().ready());
        cluster.ready("edge-1", false, clock.instant());
        clock.advance(Duration.ofSeconds(10));
        await().atMost(WAIT).until(() -> notReadyRecorded("edge-1"));
        assertThat(view("edge-1").orElseThrow().ready()).isTrue();
    }

    /** True once the source has recorded the node's Ready condition as not True. */
    private boolean notReadyRecorded(String name) {
        return source.facts(name).map(f -> !f.readyCondition()).orElse(false);
    }

    @Test
    void preferredAddressTypeAndVipFamily() throws Exception {
        var n = node("edge-1", "10.0.0.1", EDGE, true);
        n.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress("203.0.113.1", "ExternalIP"));
        n.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress("2001:db8::1", "InternalIP"));
        n.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress("edge-1.example", "InternalDNS"));
        cluster.create(n);
        source(config().withAddressType(AddressType.EXTERNAL_IP), null).setSelectors(List.of(EDGE));
        await().atMost(WAIT).until(source::hasSynced);
        NodeView v = view("edge-1").orElseThrow();
        assertThat(v.addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("203.0.113.1", "10.0.0.1", "2001:db8:0:0:0:0:0:1");
        assertThat(v.addressFor(InetAddress.getByName("198.18.0.100")).orElseThrow().getHostAddress())
                .isEqualTo("203.0.113.1");
        assertThat(v.addressFor(InetAddress.getByName("2001:db8::100")).orElseThrow().getHostAddress())
                .isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void selectorChangeSwapsTheInformers() {
        cluster.create(node("edge-1", "10.0.0.1", EDGE, true));
        cluster.create(node("db-1", "10.0.2.1", Map.of("role", "db"), true));
        InMemoryServiceStore store = new InMemoryServiceStore();
        source(config(), null).followSelectorsOf(store);
        // No services loaded yet: not synced, so the loop cannot act on an empty node list.
        assertThat(source.hasSynced()).isFalse();

        store.replaceAll(List.of(spec("web", EDGE)));
        await().atMost(WAIT).until(source::hasSynced);
        await().atMost(WAIT).until(() -> names().equals(Set.of("edge-1")));

        store.replaceAll(List.of(spec("web", Map.of("role", "db"))));
        await().atMost(WAIT).until(() -> names().equals(Set.of("db-1")));

        // The old selector's informer is gone: a new edge node no longer shows up.
        cluster.create(node("edge-2", "10.0.0.2", EDGE, true));
        cluster.create(node("db-2", "10.0.2.2", Map.of("role", "db"), true));
        await().atMost(WAIT).until(() -> names().contains("db-2"));
        assertThat(names()).containsExactlyInAnyOrder("db-1", "db-2");

        // Two services, two selectors: the union.
        store.replaceAll(List.of(spec("web", EDGE), spec("db", Map.of("role", "db"))));
        await().atMost(WAIT).until(() -> names().equals(Set.of("edge-1", "edge-2", "db-1", "db-2")));
    }

    @Test
    void outageKeepsTheLastSetAndReconnectRelists() throws Exception {
        cluster.create(node("edge-1", "10.0.0.1", EDGE, true));
        cluster.create(node("edge-2", "10.0.0.2", EDGE, true));
        source(config(), null).setSelectors(List.of(EDGE));
        await().atMost(WAIT).until(() -> source.hasSynced() && source.connected());
        assertThat(source.fullResyncs()).isZero();

        cluster.cut();
        await().atMost(WAIT).until(() -> !source.connected());
        // While the API is away, the cluster moves on: edge-2 is deleted, edge-3 joins.
        cluster.delete("edge-2");
        cluster.create(node("edge-3", "10.0.0.3", EDGE, true));
        Thread.sleep(1500);
        assertThat(names()).as("last known set kept").containsExactlyInAnyOrder("edge-1", "edge-2");
        assertThat(source.connected()).isFalse();
        assertThat(source.syncAge()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(source.hasSynced()).isTrue();

        cluster.restore();
        await().atMost(Duration.ofSeconds(120)).until(() -> source.connected() && source.fullResyncs() >= 1);
        await().atMost(WAIT).until(() -> names().equals(Set.of("edge-1", "edge-3")));
        assertThat(source.lastFullResync()).isNotNull();
        assertThat(source.syncAge()).isLessThan(Duration.ofSeconds(2));

        // And it keeps following after the swap.
        cluster.cordon("edge-3", true);
        await().atMost(WAIT).until(() -> view("edge-3").orElseThrow().unschedulable());
    }

    private static ServiceSpec spec(String name, Map<String, String> selector) {
        try {
            return ServiceSpec.of(VirtualService.tcp(name, InetAddress.getByName("198.18.0.100"),
                            name.equals("web") ? 80 : 5432),
                    new RealServerSource.NodeSelector(selector, 1), HealthCheck.tcp());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
