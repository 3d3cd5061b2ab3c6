package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.loop.OwnershipStore;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ManualDrainSource;
import io.lvsdirector.core.model.SourceListener;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.socket.NetlinkIpvs;
import io.lvsdirector.k8s.lb.LbConfig;
import io.lvsdirector.k8s.lb.LoadBalancerController;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import io.lvsdirector.spec.ServiceSpecJson;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A director pair in Kubernetes mode against two real kernels (lab namespaces dir1 and dir2): one
 * {@code LvsService} in fabric8's mock API server, each director with its own store, reconcile loop
 * over real netlink, and status reporter. An invalid edit must leave both kernel tables exactly as
 * they were while the status says why; a drain made through one director reaches both kernels. And a
 * LoadBalancer Service becomes a DR service in dir1's kernel that carries traffic.
 */
@Tag("kernel")
class LvsServiceKernelIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String RS = Topology.realServer(1);
    private static final String RS2 = Topology.realServer(2);

    private static Topology topo;
    private static MockCluster cluster;
    private static final List<AutoCloseable> open = new ArrayList<>();
    private static final Map<String, LvsServiceStore> stores = new HashMap<>();
    private static final Map<String, ReconcileLoop> loops = new HashMap<>();

    @BeforeAll
    static void pair() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(2, 2);
        cluster = new MockCluster();
        cluster.installLvsServiceCrd();
        for (String dir : List.of("dir1", "dir2")) {
            LvsServiceStore store = new LvsServiceStore(cluster.newClient(), new ServiceSpecJson());
            store.start();
            NetlinkIpvs ipvs = NetlinkIpvs.open(dir);
            ReconcileLoop loop = new ReconcileLoop(ipvs, store, InMemoryNodeSource.empty(), HealthBoard.manual(), store,
                    new CountingMeasurements(), Clock.systemUTC(), LoopSettings.DEFAULTS, Set.of());
            loop.start();
            LvsStatusReporter reporter = new LvsStatusReporter(store, dir, loop::status, Clock.systemUTC(),
                    Duration.ofMillis(200), 20);
            reporter.start();
            open.add(0, ipvs::close);
            open.add(0, store);
            open.add(0, loop);
            open.add(0, reporter);
            stores.put(dir, store);
            loops.put(dir, loop);
        }
    }

    @AfterAll
    static void down() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        for (String dir : List.of("dir1", "dir2")) {
            if (topo != null) {
                topo.ipvsadm(dir, "-C");
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        if (topo != null) {
            topo.close();
        }
    }

    private static void apply(Map<String, Object> spec) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(LvsServiceStore.GROUP + "/" + LvsServiceStore.VERSION);
        r.setKind(LvsServiceStore.KIND);
        r.setMetadata(new ObjectMetaBuilder().withName("web").build());
        r.setAdditionalProperty("spec", spec);
        cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).resource(r).createOr(op -> op.update());
    }

    private static Map<String, Object> spec(String vip, int port) {
        return new HashMap<>(Map.of("vip", vip, "port", port, "scheduler", "wrr",
                "realServers", Map.of("static", List.of(Map.of("address", RS, "weight", 10),
                        Map.of("address", RS2, "weight", 10)))));
    }

    private static JsonNode status() {
        return MAPPER.valueToTree(cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT)
                .withName("web").get().getAdditionalProperties().get("status"));
    }

    private static JsonNode condition(String type) {
        for (JsonNode c : status().path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        return MAPPER.missingNode();
    }

    private static boolean appliedByBoth(long generation) {
        JsonNode c = condition("Applied");
        return c.path("status").asText().equals("True") && c.path("observedGeneration").asLong() == generation
                && c.path("message").asText().equals("applied by dir1, dir2");
    }

    private static long generation() {
        return cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).withName("web").get()
                .getMetadata().getGeneration();
    }

    private static String table(String dir) {
        return topo.ipvsadm(dir, "-Ln");
    }

    @Test
    void anInvalidEditLeavesBothKernelsAsTheyWereAndTheStatusSaysWhy() throws Exception {
        apply(spec(Lab.VIP, 80));
        await().atMost(WAIT).until(() -> table("dir1").contains(Lab.VIP + ":80") && table("dir2").contains(Lab.VIP + ":80"));
        await().atMost(WAIT).until(() -> appliedByBoth(generation()));
        String before1 = table("dir1");
        String before2 = table("dir2");
        assertThat(before1).contains(RS + ":80").contains(RS2 + ":80");

        // kubectl edit: a loopback VIP. On main this deleted the live service on both directors.
        Map<String, Object> bad = spec("127.0.0.1", 80);
        apply(bad);
        long invalid = generation();
        await().atMost(WAIT).until(() -> stores.get("dir1").invalid().containsKey("web")
                && stores.get("dir2").invalid().containsKey("web"));
        await().atMost(WAIT).until(() -> condition("Accepted").path("observedGeneration").asLong() == invalid);
        // Several passes later (each store change and a forced resync), the tables are unchanged.
        loops.values().forEach(ReconcileLoop::requestSync);
        Thread.sleep(1500);
        loops.values().forEach(ReconcileLoop::requestSync);
        Thread.sleep(500);
        assertThat(table("dir1")).isEqualTo(before1);
        assertThat(table("dir2")).isEqualTo(before2);
        JsonNode accepted = condition("Accepted");
        assertThat(accepted.path("status").asText()).isEqualTo("False");
        assertThat(accepted.path("reason").asText()).isEqualTo("InvalidSpec");
        assertThat(accepted.path("message").asText()).startsWith("vip:");
        assertThat(condition("Applied").path("status").asText()).isEqualTo("False");
        for (JsonNode d : status().path("directors")) {
            assertThat(d.path("applied").asBoolean()).as(d.toString()).isTrue();
            assertThat(d.path("observedGeneration").asLong()).as(d.toString()).isLessThan(invalid);
        }

        // The fix reaches both kernels and both directors report it.
        apply(spec(Lab.VIP, 8080));
        await().atMost(WAIT).until(() -> table("dir1").contains(Lab.VIP + ":8080")
                && table("dir2").contains(Lab.VIP + ":8080") && !table("dir1").contains(Lab.VIP + ":80 ")
                && !table("dir2").contains(Lab.VIP + ":80 "));
        await().atMost(WAIT).until(() -> appliedByBoth(generation()));
        assertThat(condition("Accepted").path("status").asText()).isEqualTo("True");

        // A drain made through dir1's store is applied by dir2's kernel too (weight 0, then out: no connections).
        assertThat(stores.get("dir1").drain("web", InetAddress.getByName(RS))).isTrue();
        await().atMost(WAIT).until(() -> weight("dir2", RS) <= 0 && weight("dir1", RS) <= 0);
        assertThat(weight("dir2", RS2)).isEqualTo(10);
        assertThat(stores.get("dir2").undrain("web", InetAddress.getByName(RS))).isTrue();
        await().atMost(WAIT).until(() -> weight("dir2", RS) == 10 && weight("dir1", RS) == 10);

        // Deleted: gone from both kernels.
        cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).withName("web").delete();
        await().atMost(WAIT).until(() -> !table("dir1").contains(Lab.VIP) && !table("dir2").contains(Lab.VIP));
    }

    /**
     * A LoadBalancer Service created in the mock API server ends as an IPVS DR service in dir1's kernel
     * that carries the client's HTTP requests to both real servers: the LoadBalancer controller allocates
     * the pool's address (the lab VIP) and records it in the Service's status, and a reconcile loop of its
     * own builds the real servers from the Service's EndpointSlice and the Nodes. The probes are reported
     * by hand (kube-proxy's {@code /healthz} does not run in the lab): a node whose healthz says 503 drains.
     * Deleting the Service empties the kernel. Shares this class's topology (a few seconds).
     */
    @Test
    void aLoadBalancerServiceBecomesADrServiceThatCarriesTraffic() throws Exception {
        // The other test's VIP:80 service is gone before this one uses the address.
        await().atMost(WAIT).until(() -> !table("dir1").contains(Lab.VIP + ":80 "));
        List<AutoCloseable> mine = new ArrayList<>();
        try {
            cluster.installLvsAddressPoolCrd();
            cluster.createAddressPool("lab", List.of(Lab.VIP), true);
            cluster.createNode("rs1", RS, Map.of(), true);
            cluster.createNode("rs2", RS2, Map.of(), true);
            var client = cluster.newClient();
            K8sSyncConfig config = K8sSyncConfig.inCluster();
            LoadBalancerController controller = new LoadBalancerController(client,
                    LbConfig.defaults().withInterval(Duration.ofMillis(200)), "dir1", Clock.systemUTC());
            controller.start();
            KubernetesNodeSource nodes = new KubernetesNodeSource(client, config);
            nodes.followSelectorsOf(controller);
            KubernetesEndpointSource endpoints = new KubernetesEndpointSource(client, config);
            endpoints.start();
            // Every target the loop asks for is reported as the test says (healthy unless set).
            Map<InetAddress, HealthState> says = new ConcurrentHashMap<>();
            ExecutorService reporter = Executors.newSingleThreadExecutor();
            AtomicReference<HealthBoard> boardRef = new AtomicReference<>();
            java.util.function.Consumer<Set<ProbeTarget>> report = targets -> targets.forEach(t -> {
                HealthState st = says.getOrDefault(t.address(), HealthState.HEALTHY);
                boardRef.get().onHealth(t, new HealthStatus(st, st == HealthState.DRAINING ? "HTTP 503" : "lab",
                        Instant.now()));
            });
            HealthBoard board = new HealthBoard(targets -> reporter.execute(() -> report.accept(targets)));
            boardRef.set(board);
            NetlinkIpvs ipvs = NetlinkIpvs.open("dir1");
            ReconcileLoop loop = new ReconcileLoop(ipvs, controller, nodes, endpoints, board, NO_DRAINS,
                    new CountingMeasurements(), Clock.systemUTC(), LoopSettings.DEFAULTS, OwnershipStore.inMemory());
            loop.start();
            mine.addAll(List.of(loop, endpoints, nodes, controller, ipvs::close, reporter::shutdownNow));

            // The Service and its EndpointSlice as Kubernetes holds them: Local, pods on both nodes.
            cluster.admin().services().inNamespace("shop").resource(new ServiceBuilder()
                    .withNewMetadata().withNamespace("shop").withName("web").endMetadata()
                    .withNewSpec().withType("LoadBalancer").withLoadBalancerClass(LbConfig.DEFAULT_CLASS)
                    .withExternalTrafficPolicy("Local").withHealthCheckNodePort(32000)
                    .withIpFamilies("IPv4").withIpFamilyPolicy("SingleStack")
                    .addNewPort().withName("https").withProtocol("TCP").withPort(80).withNodePort(30080).endPort()
                    .endSpec().build()).create();
            cluster.slice("shop", "web-abc", "web", "IPv4",
                    List.of(MockCluster.Ep.ready("10.244.1.5", "rs1"), MockCluster.Ep.ready("10.244.2.5", "rs2")));

            await().atMost(WAIT).until(() -> cluster.loadBalancerIngress("shop", "web").equals(List.of(Lab.VIP)));
            await().atMost(WAIT).until(() -> weight("dir1", RS) == 1 && weight("dir1", RS2) == 1);
            // Direct routing to the nodes, on the Service's own port.
            assertThat(table("dir1")).containsPattern("TCP  " + Lab.VIP + ":80 wrr")
                    .containsPattern(RS + ":80\\s+Route").containsPattern(RS2 + ":80\\s+Route");

            // Real traffic through the VIP reaches both real servers (wrr, equal weights).
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 10 && answered.size() < 2; i++) {
                String body = topo.get("http://" + Lab.VIP + "/");
                if (body != null) {
                    answered.add(body);
                }
            }
            assertThat(answered).containsExactlyInAnyOrder("rs1", "rs2");

            // rs1's kube-proxy /healthz says 503 (no ready local endpoint): drained (weight 0, then out, as
            // it has no connections left); rs2 serves everything.
            says.put(InetAddress.getByName(RS), HealthState.DRAINING);
            report.accept(Set.copyOf(board.snapshot().keySet()));
            await().atMost(WAIT).until(() -> weight("dir1", RS) <= 0);
            assertThat(weight("dir1", RS2)).isEqualTo(1);
            for (int i = 0; i < 4; i++) {
                assertThat(topo.get("http://" + Lab.VIP + "/")).isEqualTo("rs2");
            }

            // Deleted: released, and gone from the kernel.
            cluster.admin().services().inNamespace("shop").withName("web").delete();
            await().atMost(WAIT).until(() -> !table("dir1").contains(Lab.VIP + ":80 "));
            assertThat(controller.services()).isEmpty();
        } finally {
            for (AutoCloseable c : mine) {
                c.close();
            }
        }
    }

    private static final ManualDrainSource NO_DRAINS = new ManualDrainSource() {
        @Override
        public Collection<ManualDrain> drains() {
            return List.of();
        }

        @Override
        public void addListener(SourceListener listener) {
        }
    };

    /** The weight of a real server in a director's table, -1 if it is not there. */
    private static int weight(String dir, String rs) {
        for (String line : table(dir).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].equals("->") && f[1].startsWith(rs + ":")) {
                return Integer.parseInt(f[3]);
            }
        }
        return -1;
    }
}
