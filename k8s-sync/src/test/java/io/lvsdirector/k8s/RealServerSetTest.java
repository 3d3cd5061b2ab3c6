package io.lvsdirector.k8s;

import static io.lvsdirector.k8s.MockCluster.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.plan.DesiredRealServer;
import io.lvsdirector.core.plan.DesiredService;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.Disposition;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node source feeding director-core's own desired-state builder: the real-server set of a
 * node-selector service follows the cluster (weights, drains, removals) the way the reconcile loop
 * will see it.
 */
class RealServerSetTest {

    private static final Map<String, String> EDGE = Map.of("node-role.kubernetes.io/edge", "true");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private MockCluster cluster;
    private KubernetesNodeSource source;
    private final InMemoryServiceStore store = new InMemoryServiceStore();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        store.replaceAll(List.of(ServiceSpec.of(
                VirtualService.tcp("web", InetAddress.getByName("198.18.0.100"), 80),
                new RealServerSource.NodeSelector(EDGE, 5), null)));
        source = new KubernetesNodeSource(cluster.newClient(), K8sSyncConfig.inCluster().withNotReadyGrace(Duration.ZERO),
                java.time.Clock.systemUTC(), Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        source.close();
        cluster.close();
    }

    /** address → "disposition/weight/reason", as director-core would build it now. */
    private Map<String, String> realServers() {
        DesiredState state = DesiredStateBuilder.build(store.services(), source.nodes(), Map.of(), List.of(), Map.of(),
                Instant.now());
        DesiredService web = state.services().values().iterator().next();
        Map<String, String> out = new TreeMap<>();
        for (DesiredRealServer d : web.realServers().values()) {
            assertThat(d.key().port()).isEqualTo(80);
            out.put(d.key().address().getHostAddress(), d.disposition() + "/" + d.desiredWeight() + "/" + d.reason());
        }
        return out;
    }

    @Test
    void realServerSetFollowsTheNodes() {
        cluster.create(node("edge-1", "10.0.0.1", EDGE, true));
        cluster.create(node("edge-2", "10.0.0.2", EDGE, true));
        cluster.create(node("other", "10.0.9.9", Map.of(), true));
        source.followSelectorsOf(store);
        await().atMost(WAIT).until(source::hasSynced);
        await().atMost(WAIT).until(() -> realServers().size() == 2);
        assertThat(realServers()).containsOnlyKeys("10.0.0.1", "10.0.0.2");
        assertThat(realServers().get("10.0.0.1")).startsWith(Disposition.ACTIVE + "/5/");

        cluster.create(node("edge-3", "10.0.0.3", EDGE, true));
        cluster.create(node("edge-4", "10.0.0.4", EDGE, true));
        await().atMost(WAIT).until(() -> realServers().containsKey("10.0.0.3") && realServers().containsKey("10.0.0.4"));

        cluster.cordon("edge-2", true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers().get("10.0.0.2"))
                .isEqualTo(Disposition.DRAINING + "/0/cordoned"));

        cluster.label("edge-1", io.lvsdirector.core.model.NodeView.EXCLUDE_LABEL, "true");
        await().atMost(WAIT).until(() -> realServers().get("10.0.0.1").startsWith(Disposition.DRAINING + "/0/"));

        cluster.ready("edge-3", false, Instant.now());
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers().get("10.0.0.3"))
                .isEqualTo(Disposition.DRAINING + "/0/node not ready"));

        cluster.delete("edge-2");
        await().atMost(WAIT).until(() -> !realServers().containsKey("10.0.0.2"));
        cluster.label("edge-1", "node-role.kubernetes.io/edge", null);
        await().atMost(WAIT).until(() -> !realServers().containsKey("10.0.0.1"));
        assertThat(realServers()).containsOnlyKeys("10.0.0.3", "10.0.0.4");
        assertThat(realServers().get("10.0.0.4")).startsWith(Disposition.ACTIVE + "/5/");

        // Every node out of service: director-core's fail-open keeps them in rather than blackhole the VIP.
        cluster.cordon("edge-4", true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers().get("10.0.0.4"))
                .startsWith(Disposition.FAIL_OPEN + "/5/"));
    }
}
