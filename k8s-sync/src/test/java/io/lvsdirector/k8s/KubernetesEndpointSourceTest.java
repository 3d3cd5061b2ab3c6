package io.lvsdirector.k8s;

import static io.lvsdirector.k8s.MockCluster.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceEndpointsView.EndpointState;
import io.lvsdirector.core.model.ServiceEndpointsView.IpFamily;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.plan.DesiredRealServer;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.Disposition;
import io.lvsdirector.k8s.MockCluster.Ep;
import io.lvsdirector.ipvs.IpAddresses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real servers from a Service's EndpointSlices: {@link KubernetesEndpointSource} and
 * {@link KubernetesNodeSource} against fabric8's mock API server (CRUD mode, real HTTP, through the
 * cuttable proxy), fed to director-core's own builder as the reconcile loop does.
 */
class KubernetesEndpointSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String NS = "ingress";
    private static final RealServerSource.ServiceEndpoints TRAEFIK =
            new RealServerSource.ServiceEndpoints(NS, "traefik", "https", 5);

    private MockCluster cluster;
    private KubernetesNodeSource nodes;
    private KubernetesEndpointSource endpoints;
    private final InMemoryServiceStore store = new InMemoryServiceStore();
    private final AtomicInteger notified = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() {
        if (endpoints != null) {
            endpoints.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        cluster.close();
    }

    private void sources(ServiceSpec... specs) {
        store.replaceAll(List.of(specs));
        var client = cluster.newClient();
        K8sSyncConfig config = K8sSyncConfig.inCluster().withNotReadyGrace(Duration.ZERO);
        nodes = new KubernetesNodeSource(client, config, java.time.Clock.systemUTC(), Duration.ofMillis(50));
        nodes.followSelectorsOf(store);
        endpoints = new KubernetesEndpointSource(client, config, java.time.Clock.systemUTC(), Duration.ofMillis(50));
        endpoints.addListener(notified::incrementAndGet);
        endpoints.start();
        await().atMost(WAIT).until(() -> nodes.hasSynced() && endpoints.hasSynced());
    }

    private static ServiceSpec spec(String name, String vip, RealServerSource source) {
        return ServiceSpec.of(VirtualService.tcp(name, IpAddresses.parse(vip), 443), source, null);
    }

    private DesiredState build() {
        Map<String, ServiceEndpointsView> views = new TreeMap<>();
        for (ServiceSpec s : store.services()) {
            if (s.realServers() instanceof RealServerSource.ServiceEndpoints ref) {
                views.put(ref.serviceKey(), endpoints.endpoints(ref.namespace(), ref.name()));
            }
        }
        return DesiredStateBuilder.build(store.services(), nodes.nodes(), views, Map.of(), List.of(), Map.of(),
                Map.of(), Instant.now());
    }

    /** address → "disposition/weight/reason" of one service, as the loop would build it now. */
    private Map<String, String> realServers(String service) {
        DesiredState state = build();
        Map<String, String> out = new TreeMap<>();
        state.services().values().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow()
                .realServers().values().forEach((DesiredRealServer d) -> {
                    assertThat(d.key().port()).as("the real-server port is the virtual port").isEqualTo(443);
                    out.put(d.key().address().getHostAddress(), d.disposition() + "/" + d.desiredWeight() + "/" + d.reason());
                });
        return out;
    }

    private List<String> problems() {
        return build().problems();
    }

    private void threeNodes() {
        cluster.create(node("n1", "10.0.0.1", Map.of(), true));
        cluster.create(node("n2", "10.0.0.2", Map.of(), true));
        cluster.create(node("n3", "10.0.0.3", Map.of(), true));
    }

    @Test
    void localGivesTheNodesWithReadyEndpointsAndClusterEveryEligibleNode() {
        threeNodes();
        cluster.service(NS, "traefik", "Local", List.of("IPv4"), Map.of("https", 443, "http", 80));
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1"),
                Ep.ready("10.244.3.5", "n3"), Ep.notReady("10.244.2.5", "n2")));
        sources(spec("web", "198.18.0.100", TRAEFIK));

        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).containsOnlyKeys("10.0.0.1", "10.0.0.3"));
        assertThat(realServers("web").get("10.0.0.1")).isEqualTo("ACTIVE/5/no check");
        assertThat(problems()).isEmpty();

        // Cluster: every node forwards to any endpoint, so every node serves; the node rules apply.
        cluster.service(NS, "traefik", "Cluster", List.of("IPv4"), Map.of("https", 443, "http", 80));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web"))
                .containsOnlyKeys("10.0.0.1", "10.0.0.2", "10.0.0.3"));
        cluster.cordon("n2", true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web").get("10.0.0.2"))
                .isEqualTo("DRAINING/0/cordoned"));
    }

    @Test
    void aTerminatingEndpointDrainsItsNodeThenTheNodeLeaves() {
        threeNodes();
        cluster.service(NS, "traefik", "Local", List.of("IPv4"), Map.of("https", 443));
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1"),
                Ep.ready("10.244.2.5", "n2")));
        sources(spec("web", "198.18.0.100", TRAEFIK));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).containsOnlyKeys("10.0.0.1", "10.0.0.2"));

        // A rolling update on n2: the new pod is ready while the old one terminates: n2 stays in.
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1"),
                Ep.terminating("10.244.2.5", "n2"), Ep.ready("10.244.2.6", "n2")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(endpoints.endpoints(NS, "traefik").nodes(IpFamily.IPV4))
                .hasSize(2));
        assertThat(realServers("web").get("10.0.0.2")).isEqualTo("ACTIVE/5/no check");

        // The last endpoint on n2 terminates: n2 drains (weight 0 until its connections end).
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1"),
                Ep.terminating("10.244.2.6", "n2")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web").get("10.0.0.2"))
                .isEqualTo("DRAINING/0/endpoints terminating"));
        assertThat(realServers("web").get("10.0.0.1")).isEqualTo("ACTIVE/5/no check");

        // The pod is gone: a node without ready or terminating endpoints leaves.
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).containsOnlyKeys("10.0.0.1"));
    }

    @Test
    void anIpv6VipGetsIpv6NodeAddressesFromIpv6Slices() {
        cluster.create(MockCluster.dualStackNode("n1", "10.0.0.1", "2001:db8:1::1"));
        cluster.create(MockCluster.dualStackNode("n2", "10.0.0.2", "2001:db8:1::2"));
        cluster.create(MockCluster.dualStackNode("n3", "10.0.0.3", null));
        cluster.service(NS, "traefik", "Local", List.of("IPv4", "IPv6"), Map.of("https", 443));
        cluster.slice(NS, "traefik-v4", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1"),
                Ep.ready("10.244.3.5", "n3")));
        cluster.slice(NS, "traefik-v6", "traefik", "IPv6", List.of(Ep.ready("fd00:244:1::5", "n1"),
                Ep.ready("fd00:244:2::5", "n2"), Ep.ready("fd00:244:3::5", "n3")));
        sources(spec("web4", "198.18.0.100", TRAEFIK), spec("web6", "2001:db8::100", TRAEFIK));

        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web6"))
                .containsOnlyKeys("2001:db8:1:0:0:0:0:1", "2001:db8:1:0:0:0:0:2"));
        assertThat(realServers("web4")).containsOnlyKeys("10.0.0.1", "10.0.0.3");
        assertThat(problems()).containsExactly("service web6: node n3 has no IPv6 address for the VIP, ignored");

        // A single-stack IPv4 Service has no IPv6 LoadBalancer address on the nodes: the IPv6 service fails alone.
        cluster.service(NS, "traefik", "Local", List.of("IPv4"), Map.of("https", 443));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web6")).isEmpty());
        assertThat(realServers("web4")).containsOnlyKeys("10.0.0.1", "10.0.0.3");
        assertThat(problems()).anySatisfy(p -> assertThat(p).startsWith("service web6: Service ingress/traefik has no"
                + " IPv6 family"));
    }

    @Test
    void aMissingServiceOrAMalformedSliceFailsOnlyThatService() {
        threeNodes();
        cluster.service(NS, "traefik", "Local", List.of("IPv4"), Map.of("https", 443));
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1")));
        cluster.service(NS, "other", "Cluster", List.of("IPv4"), Map.of("https", 443));
        // Local with no slice at all (just created, or no selector): nothing served, and the reason said.
        cluster.service(NS, "bare", "Local", List.of("IPv4"), Map.of("https", 443));
        sources(spec("web", "198.18.0.100", TRAEFIK),
                spec("missing", "198.18.0.101", new RealServerSource.ServiceEndpoints(NS, "nope", "https", 1)),
                spec("other", "198.18.0.102", new RealServerSource.ServiceEndpoints(NS, "other", "https", 1)),
                spec("bare", "198.18.0.103", new RealServerSource.ServiceEndpoints(NS, "bare", "https", 1)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).containsOnlyKeys("10.0.0.1"));
        assertThat(realServers("missing")).isEmpty();
        assertThat(realServers("other")).hasSize(3);
        assertThat(realServers("bare")).isEmpty();
        assertThat(problems()).containsExactlyInAnyOrder("service bare: Service ingress/bare has no EndpointSlice yet: waiting"
                + " for endpoints, no node serves it", "service missing: Service ingress/nope not found");

        // A slice some controller wrote wrong keeps its last valid version; the others are untouched.
        cluster.slice(NS, "traefik-a", "traefik", "Banana", List.of(Ep.ready("10.244.2.5", "n2")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(problems()).contains("service web: EndpointSlice"
                + " ingress/traefik-a is malformed (unknown addressType 'Banana'): its last valid version is kept"));
        assertThat(realServers("web")).containsOnlyKeys("10.0.0.1");
        assertThat(realServers("other")).hasSize(3);

        // The Service appears: its spec serves.
        cluster.service(NS, "nope", "Cluster", List.of("IPv4"), Map.of("https", 443));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("missing")).hasSize(3));
        // Deleted again: no real servers, with the reason.
        cluster.deleteService(NS, "nope");
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("missing")).isEmpty());
        assertThat(problems()).contains("service missing: Service ingress/nope not found");
    }

    @Test
    void anApiOutageKeepsTheLastViewAndARelistCatchesUp() throws Exception {
        threeNodes();
        cluster.service(NS, "traefik", "Local", List.of("IPv4"), Map.of("https", 443));
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1"),
                Ep.ready("10.244.2.5", "n2")));
        sources(spec("web", "198.18.0.100", TRAEFIK));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).containsOnlyKeys("10.0.0.1", "10.0.0.2"));
        await().atMost(WAIT).until(endpoints::connected);

        cluster.cut();
        await().atMost(Duration.ofSeconds(90)).until(() -> !endpoints.connected());
        // Meanwhile the cluster changes: n2's endpoint goes (a deletion the resumed watch would miss).
        cluster.slice(NS, "traefik-a", "traefik", "IPv4", List.of(Ep.ready("10.244.1.5", "n1")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(problems()).anySatisfy(p ->
                assertThat(p).contains("the Kubernetes API cannot be watched since").endsWith("the last view is kept")));
        assertThat(realServers("web")).containsOnlyKeys("10.0.0.1", "10.0.0.2");

        cluster.restore();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(realServers("web"))
                .containsOnlyKeys("10.0.0.1"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(problems()).isEmpty());
    }

    @Test
    void sliceChurnEndsInTheLastStateAndOnlyNamedServicesWakeTheLoop() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            cluster.create(node("n" + i, "10.0.0." + i, Map.of(), true));
            names.add("n" + i);
        }
        cluster.service(NS, "traefik", "Local", List.of("IPv4"), Map.of("https", 443));
        cluster.service(NS, "unrelated", "Local", List.of("IPv4"), Map.of("https", 443));
        sources(spec("web", "198.18.0.100", TRAEFIK));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).isEmpty());
        endpoints.endpoints(NS, "traefik");

        // Fifty changes in a row, spread over two slices: the view ends as the last writes say.
        for (int i = 0; i < 50; i++) {
            String a = names.get(i % 6);
            String b = names.get((i + 1) % 6);
            cluster.slice(NS, "traefik-" + (i % 2), "traefik", "IPv4",
                    List.of(Ep.ready("10.244.0." + i, a), Ep.terminating("10.244.1." + i, b)));
        }
        // Last writes: traefik-0 (i=48): ready n1, terminating n2; traefik-1 (i=49): ready n2, terminating n3.
        await().atMost(WAIT).untilAsserted(() -> assertThat(endpoints.endpoints(NS, "traefik").nodes(IpFamily.IPV4))
                .isEqualTo(Map.of("n1", EndpointState.READY, "n2", EndpointState.READY, "n3", EndpointState.TERMINATING)));
        assertThat(realServers("web")).containsOnlyKeys("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(realServers("web").get("10.0.0.3")).isEqualTo("DRAINING/0/endpoints terminating");

        // Slices of a Service no spec names change nothing the loop reads, and wake nobody.
        int before = notified.get();
        for (int i = 0; i < 10; i++) {
            cluster.slice(NS, "unrelated-a", "unrelated", "IPv4", List.of(Ep.ready("10.244.9." + i, "n1")));
        }
        cluster.slice(NS, "traefik-0", "traefik", "IPv4", List.of(Ep.ready("10.244.0.99", "n4")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).containsKey("10.0.0.4"));
        // Only the traefik change (one or two notifications: the slice update may arrive as one event).
        assertThat(notified.get() - before).isBetween(1, 2);
        // A slice deleted takes its nodes with it.
        cluster.deleteSlice(NS, "traefik-1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(realServers("web")).containsOnlyKeys("10.0.0.4"));
    }
}
