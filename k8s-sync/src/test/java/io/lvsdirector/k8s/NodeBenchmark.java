package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.lvsdirector.core.model.NodeView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 5,000 nodes in the mock API server, listed and watched by one {@link KubernetesNodeSource}:
 * time to the first full view, heap the source holds, and the latency from a node change sent to
 * the API server to the change being in the source. Run (from the repository root):
 * {@code mvn -B -pl k8s-sync -am -Pbench test -Dtest=NodeBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Figures go to {@code target/bench/nodes.txt}. {@code -Dbench.nodes=50 -Dbench.events=20} makes it tiny
 * (the CI run in {@code lab/test.sh} that proves it still works; not a figure).
 */
@Tag("benchmark")
class NodeBenchmark {

    private static final int NODES = Integer.getInteger("bench.nodes", 5_000);
    private static final int EVENTS = Integer.getInteger("bench.events", 1_000);
    private static final Map<String, String> EDGE = Map.of("node-role.kubernetes.io/edge", "true");

    /** A node about the size of a real one's metadata and status, without the image list. */
    private static Node node(int i) {
        Map<String, String> labels = new HashMap<>(EDGE);
        labels.put("kubernetes.io/hostname", "edge-" + i);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("topology.kubernetes.io/zone", "zone-" + (i % 3));
        labels.put("topology.kubernetes.io/region", "region-1");
        labels.put("node.kubernetes.io/instance-type", "metal");
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("beta.kubernetes.io/arch", "amd64");
        String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
        List<NodeCondition> conditions = new ArrayList<>();
        for (String c : List.of("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")) {
            conditions.add(new NodeConditionBuilder().withType(c).withStatus("False")
                    .withLastTransitionTime("2026-01-01T00:00:00Z").withReason("Fine").build());
        }
        conditions.add(new NodeConditionBuilder().withType("Ready").withStatus("True")
                .withLastTransitionTime("2026-01-01T00:00:00Z").withReason("KubeletReady").build());
        return new NodeBuilder()
                .withNewMetadata().withName("edge-" + i).withLabels(labels)
                .withAnnotations(Map.of("node.alpha.kubernetes.io/ttl", "0",
                        "volumes.kubernetes.io/controller-managed-attach-detach", "true"))
                .endMetadata()
                .withNewSpec().withPodCIDR("10.244." + (i & 255) + ".0/24").endSpec()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(ip).endAddress()
                .addNewAddress().withType("Hostname").withAddress("edge-" + i).endAddress()
                .addNewAddress().withType("InternalIP").withAddress("fd00::" + Integer.toHexString(i + 1)).endAddress()
                .withCapacity(Map.of("cpu", new Quantity("32"), "memory", new Quantity("131072Mi"),
                        "pods", new Quantity("110")))
                .withAllocatable(Map.of("cpu", new Quantity("31"), "memory", new Quantity("130000Mi"),
                        "pods", new Quantity("110")))
                .withNewNodeInfo().withKubeletVersion("v1.31.0").withOsImage("Debian GNU/Linux 13")
                .withKernelVersion("6.12.0").withContainerRuntimeVersion("containerd://2.0.0")
                .withArchitecture("amd64").withOperatingSystem("linux").withMachineID("m" + i)
                .withSystemUUID("u" + i).withBootID("b" + i).withKubeProxyVersion("v1.31.0").endNodeInfo()
                .withConditions(conditions)
                .endStatus()
                .build();
    }

    @Test
    void fiveThousandNodes() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            long createStart = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> creates = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                Node n = node(i);
                creates.add(pool.submit(() -> cluster.create(n)));
            }
            for (Future<?> f : creates) {
                f.get();
            }
            pool.shutdown();
            double createSeconds = (System.nanoTime() - createStart) / 1e9;

            long heapBefore = BenchFigures.usedHeap();
            AtomicReference<Long> syncedAt = new AtomicReference<>();
            KubernetesNodeSource source = new KubernetesNodeSource(cluster.newClient(),
                    K8sSyncConfig.inCluster().withResyncPeriod(Duration.ZERO));
            source.addListener(() -> {
                if (source.hasSynced() && syncedAt.get() == null) {
                    syncedAt.compareAndSet(null, System.nanoTime());
                }
            });
            long t0 = System.nanoTime();
            source.setSelectors(List.of(EDGE));
            while (syncedAt.get() == null && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
                Thread.sleep(1);
            }
            assertThat(syncedAt.get()).as("synced within 120 s").isNotNull();
            double firstViewMs = (syncedAt.get() - t0) / 1e6;
            Thread.sleep(500);
            assertThat(source.nodes()).hasSize(NODES);
            long heapAfter = BenchFigures.usedHeap();

            // Snapshot cost: what one reconcile pass pays to read the node set.
            long[] snapshot = new long[50];
            for (int i = 0; i < snapshot.length; i++) {
                long s = System.nanoTime();
                assertThat(source.nodes()).hasSize(NODES);
                snapshot[i] = System.nanoTime() - s;
            }

            // Event latency: a label change sent to the API server until the source has it.
            long[] latency = new long[EVENTS];
            for (int i = 0; i < EVENTS; i++) {
                String name = "edge-" + (i * 7 % NODES);
                String value = "v" + i;
                Object lock = new Object();
                long start = System.nanoTime();
                cluster.admin().nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"labels\":{\"bench\":\"" + value + "\"}}}");
                while (!source.facts(name).map(f -> value.equals(f.labels().get("bench"))).orElse(false)) {
                    synchronized (lock) {
                        lock.wait(0, 50_000);
                    }
                }
                latency[i] = System.nanoTime() - start;
            }
            // The last change is in the snapshot the loop reads, too.
            String lastName = "edge-" + ((EVENTS - 1) * 7 % NODES);
            assertThat(source.nodes()).filteredOn(n -> n.name().equals(lastName))
                    .extracting(NodeView::labels).allMatch(l -> ("v" + (EVENTS - 1)).equals(l.get("bench")));
            source.close();

            Arrays.sort(latency);
            Arrays.sort(snapshot);
            String report = String.format(Locale.ROOT, String.join("%n",
                    "k8s-sync node benchmark, %s",
                    "nodes: %d (one selector, all matching), events: %d, JVM %s, %d CPUs",
                    "create %d nodes in the mock server: %.1f s (setup, not a figure of the source)",
                    "time to first full view (setSelectors -> hasSynced, LIST + informer + records): %.0f ms",
                    "heap held by the source after sync (informer cache + records), after GC: %.1f MiB (%.1f KiB/node)",
                    "nodes() snapshot of %d NodeViews: p50 %.2f ms, p99 %.2f ms",
                    "label change PATCH sent -> recorded in the source: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                    "(the latency includes the PATCH round trip and the mock server's watch fan-out over HTTP on loopback)",
                    ""),
                    Instant.now(), NODES, EVENTS, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), NODES, createSeconds, firstViewMs,
                    (heapAfter - heapBefore) / 1048576.0, (heapAfter - heapBefore) / 1024.0 / NODES,
                    NODES, BenchFigures.percentileMs(snapshot, 50), BenchFigures.percentileMs(snapshot, 99),
                    BenchFigures.percentileMs(latency, 50), BenchFigures.percentileMs(latency, 90), BenchFigures.percentileMs(latency, 99), latency[latency.length - 1] / 1e6);
            System.out.print(report);
            BenchFigures.write("nodes.txt", report);
        }
    }
}
