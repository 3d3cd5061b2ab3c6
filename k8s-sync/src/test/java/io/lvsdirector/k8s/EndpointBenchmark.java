package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.loop.PassResult;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.k8s.MockCluster.Ep;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code realServers.kubernetes.service} at scale: 1,000 LoadBalancer Services ({@code Local}, one
 * EndpointSlice of three endpoints each) over 50 nodes in the mock API server, one spec per
 * Service, a real {@link ReconcileLoop} fed by {@link KubernetesNodeSource} and
 * {@link KubernetesEndpointSource} and writing to the in-memory {@link FakeIpvs}. Slices change at
 * 10 per second (an endpoint turns terminating, or a terminating one goes and a ready one appears on
 * another node). Measured: from the slice write sent to the API server until the loop has applied
 * the resulting op to the kernel table (the fake's {@code apply}, which the netlink kernel would
 * take the same batch through; the netlink batch itself costs what {@code ipvs-netlink/bench.sh}
 * measures); the heap the two sources hold; and the cost of one full resync: a pass that rebuilds
 * every service from the sources and plans it against a fresh kernel read, and a re-list of every
 * Service and slice in a new source. Run (from the repository root):
 * {@code mvn -B -pl k8s-sync -am -Pbench test -Dtest=EndpointBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Figures go to {@code target/bench/endpoints.txt}; {@code -Dbench.services=20 -Dbench.changes=10}
 * makes it tiny (the run in {@code lab/test.sh} that proves it works; not a figure).
 */
@Tag("benchmark")
class EndpointBenchmark {

    private static final int SERVICES = Integer.getInteger("bench.services", 1_000);
    private static final int NODES = Integer.getInteger("bench.nodes", 50);
    private static final int CHANGES = Integer.getInteger("bench.changes", 600);
    private static final int RATE = Integer.getInteger("bench.rate", 10);
    private static final String NS = "bench";

    static {
        // One INFO line per applied op (3,000 at the first pass) into surefire's capture would be a
        // figure of the test harness, not of the loop.
        System.setProperty("org.slf4j.simpleLogger.log.io.lvsdirector.core.loop", "warn");
    }

    /** A change waiting for the kernel: service, node address, and the weight it must reach (-1 absent, -2 not 1). */
    private record Pending(VirtualServerKey key, String address, int weight, long sentNanos) {}

    private static VirtualServerKey key(int i) {
        return VirtualServerKey.tcp("198.18." + (i >> 8) + "." + (i & 255), 443);
    }

    private static String nodeName(int n) {
        return "node-" + n;
    }

    private static String nodeIp(int n) {
        return "10.0." + (n >> 8) + "." + (n & 255);
    }

    @Test
    void thousandServicesWithSliceChurn() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            long setupStart = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> creates = new ArrayList<>();
            for (int n = 0; n < NODES; n++) {
                Node node = MockCluster.node(nodeName(n), nodeIp(n), Map.of(), true);
                creates.add(pool.submit(() -> cluster.create(node)));
            }
            // Each Service's endpoints: nodes i, i+1, i+2 (mod NODES), ready.
            int[][] ready = new int[SERVICES][];
            for (int i = 0; i < SERVICES; i++) {
                int s = i;
                ready[i] = new int[] {i % NODES, (i + 1) % NODES, (i + 2) % NODES};
                creates.add(pool.submit(() -> {
                    cluster.service(NS, "svc-" + s, "Local", List.of("IPv4"), Map.of("https", 443, "http", 80));
                    cluster.slice(NS, "svc-" + s + "-a", "svc-" + s, "IPv4", endpoints(s, ready[s], -1));
                }));
            }
            for (Future<?> f : creates) {
                f.get();
            }
            pool.shutdown();
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;

            List<ServiceSpec> specs = new ArrayList<>();
            for (int i = 0; i < SERVICES; i++) {
                specs.add(ServiceSpec.of(VirtualService.tcp("svc-" + i, key(i).address(), 443),
                        new RealServerSource.ServiceEndpoints(NS, "svc-" + i, "https", 1), null));
            }
            InMemoryServiceStore store = new InMemoryServiceStore();
            store.replaceAll(specs);

            long heapBefore = BenchFigures.usedHeap();
            var client = cluster.newClient();
            K8sSyncConfig config = K8sSyncConfig.inCluster().withResyncPeriod(Duration.ZERO);
            KubernetesNodeSource nodes = new KubernetesNodeSource(client, config);
            nodes.followSelectorsOf(store);
            KubernetesEndpointSource endpoints = new KubernetesEndpointSource(client, config);
            long listStart = System.nanoTime();
            endpoints.start();
            while (!(endpoints.hasSynced() && nodes.hasSynced())) {
                assertThat(System.nanoTime() - listStart).as("synced within 120 s").isLessThan(TimeUnit.SECONDS.toNanos(120));
                Thread.sleep(1);
            }
            double firstListMs = (System.nanoTime() - listStart) / 1e6;

            FakeIpvs fake = new FakeIpvs();
            ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
            List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            Ipvs kernel = watched(fake, pending, latencies);
            ReconcileLoop loop = new ReconcileLoop(kernel, store, nodes, endpoints, HealthBoard.manual(),
                    new ManualDrains(), new CountingMeasurements(), Clock.systemUTC(),
                    new LoopSettings(Duration.ofMillis(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
                            Duration.ofMillis(100), Duration.ofSeconds(10)),
                    Set.of());
            loop.start();
            long firstPassStart = System.nanoTime();
            while (fake.services().size() < SERVICES || fake.realServers(key(SERVICES - 1)).size() < 3) {
                assertThat(System.nanoTime() - firstPassStart).as("first pass within 120 s")
                        .isLessThan(TimeUnit.SECONDS.toNanos(120));
                Thread.sleep(1);
            }
            double firstKernelMs = (System.nanoTime() - firstPassStart) / 1e6;
            long heapAfter = BenchFigures.usedHeap();

            // Churn at RATE changes per second.
            Random random = new Random(42);
            int[] terminating = new int[SERVICES];
            Arrays.fill(terminating, -1);
            long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
            long next = System.nanoTime();
            int changes = 0;
            for (int c = 0; c < CHANGES; c++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += interval;
                // A Service whose last change is still on its way is left alone, so that every change
                // has its own end state to wait for.
                int s = random.nextInt(SERVICES);
                while (pendingFor(pending, key(s))) {
                    s = random.nextInt(SERVICES);
                }
                Pending p;
                if (terminating[s] < 0) {
                    // An endpoint starts terminating: its node drains (weight 0; the fake has no
                    // connections, so the loop may take it out at once: anything but weight 1).
                    terminating[s] = 0;
                    p = new Pending(key(s), nodeIp(ready[s][0]), -2, System.nanoTime());
                } else {
                    // The terminating pod is gone; its replacement is ready on another node.
                    int moved = random.nextInt(NODES);
                    while (moved == ready[s][0] || moved == ready[s][1] || moved == ready[s][2]) {
                        moved = random.nextInt(NODES);
                    }
                    ready[s] = new int[] {moved, ready[s][1], ready[s][2]};
                    terminating[s] = -1;
                    p = new Pending(key(s), nodeIp(moved), 1, System.nanoTime());
                }
                pending.add(p);
                cluster.slice(NS, "svc-" + s + "-a", "svc-" + s, "IPv4", endpoints(s, ready[s], terminating[s]));
                changes++;
            }
            long drainStart = System.nanoTime();
            while (!pending.isEmpty() && System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(5);
                check(fake, pending, latencies);
            }
            assertThat(pending).as("every change reached the kernel").isEmpty();

            // One full resync: every service rebuilt from the sources and planned against a kernel read.
            // The loop's thread is stopped first, so each measured pass is the one the change asked for.
            loop.close();
            // One pass first, not measured: a drain the churn left at weight 0 is deleted by the first read
            // (the drain poll's job; a pass without a read does not trust 0 connections).
            loop.runOnce();
            long[] full = new long[5];
            for (int i = 0; i < full.length; i++) {
                store.replaceAll(specs);
                long t = System.nanoTime();
                PassResult r = loop.runOnce();
                full[i] = System.nanoTime() - t;
                assertThat(r.outcome()).isEqualTo(PassResult.Outcome.OK);
                assertThat(r.applied()).as("a resync of an unchanged cluster changes nothing").isZero();
            }

            // And a full re-list of every Service and slice, as after a lost watch. No view is asked of
            // this source, so its heap is what the caches cost for Services no spec names.
            long heapBeforeRelist = BenchFigures.usedHeap();
            KubernetesEndpointSource relist = new KubernetesEndpointSource(cluster.newClient(), config);
            long relistStart = System.nanoTime();
            relist.start();
            while (!relist.hasSynced()) {
                Thread.sleep(1);
            }
            double relistMs = (System.nanoTime() - relistStart) / 1e6;
            long unnamedHeap = BenchFigures.usedHeap() - heapBeforeRelist;
            relist.close();
            endpoints.close();
            nodes.close();

            long[] lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            Arrays.sort(full);
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            String report = String.format(Locale.ROOT, String.join("%n",
                    "k8s-sync endpoint benchmark, %s",
                    "services: %d (LoadBalancer, externalTrafficPolicy Local, one EndpointSlice of 3 endpoints each),"
                            + " nodes: %d, JVM %s, %d CPUs, load average %.1f",
                    "create the nodes, Services and slices in the mock server: %.1f s (setup, not a figure)",
                    "first full view (Services + slices listed, nodes listed): %.0f ms; first pass to the kernel"
                            + " table (%d services, %d real servers): %.0f ms",
                    "heap held by both sources and the loop after the first pass, after GC: %.1f MiB",
                    "slice change (%d changes at %d/s) sent -> op applied to the kernel table by the loop:"
                            + " p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                    "full resync (every service rebuilt from the sources + kernel read + plan, nothing to apply):"
                            + " p50 %.1f ms, max %.1f ms",
                    "re-list of every Service and slice in a new source (as after a lost watch): %.0f ms;"
                            + " that source's caches with no view asked (as for Services no spec names),"
                            + " after GC: %.1f MiB (%.1f KiB per Service with its slice)",
                    "(kernel = FakeIpvs in memory; the mock API server runs in the same JVM, so its LIST, watch fan-out"
                            + " and the write's round trip are in every figure)",
                    ""),
                    Instant.now(), SERVICES, NODES, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), load, setupSeconds, firstListMs, SERVICES,
                    SERVICES * 3, firstKernelMs, (heapAfter - heapBefore) / 1048576.0, changes, RATE,
                    BenchFigures.percentileMs(lat, 50), BenchFigures.percentileMs(lat, 90), BenchFigures.percentileMs(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6,
                    BenchFigures.percentileMs(full, 50), full[full.length - 1] / 1e6, relistMs, unnamedHeap / 1048576.0,
                    unnamedHeap / 1024.0 / SERVICES);
            System.out.print(report);
            BenchFigures.write("endpoints.txt", report);
        }
    }

    private static boolean pendingFor(ConcurrentLinkedQueue<Pending> pending, VirtualServerKey key) {
        for (Pending p : pending) {
            if (p.key().equals(key)) {
                return true;
            }
        }
        return false;
    }

    private static List<Ep> endpoints(int s, int[] ready, int terminatingIndex) {
        List<Ep> out = new ArrayList<>();
        for (int k = 0; k < ready.length; k++) {
            String address = "10.244." + (s & 255) + "." + (k + 1);
            out.add(k == terminatingIndex ? Ep.terminating(address, nodeName(ready[k])) : Ep.ready(address,
                    nodeName(ready[k])));
        }
        return out;
    }

    /** The fake kernel, with every apply followed by a check of the pending changes. */
    private static Ipvs watched(FakeIpvs fake, ConcurrentLinkedQueue<Pending> pending, List<Long> latencies) {
        return (Ipvs) Proxy.newProxyInstance(Ipvs.class.getClassLoader(), new Class<?>[] {Ipvs.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(fake, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("apply")) {
                        check(fake, pending, latencies);
                    }
                    return result;
                });
    }

    private static void check(FakeIpvs fake, ConcurrentLinkedQueue<Pending> pending, List<Long> latencies) {
        long now = System.nanoTime();
        for (Pending p : pending) {
            int weight = -1;
            for (RealServerStatus r : fake.realServers(p.key())) {
                if (r.key().address().equals(IpAddresses.parse(p.address()))) {
                    weight = r.spec().weight();
                }
            }
            boolean done = p.weight() == -2 ? weight != 1 : weight == p.weight();
            if (done && pending.remove(p)) {
                latencies.add(now - p.sentNanos());
            }
        }
    }
}
