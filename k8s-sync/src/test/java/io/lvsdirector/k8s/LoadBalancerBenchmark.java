package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.lvsdirector.k8s.lb.AddressPool;
import io.lvsdirector.k8s.lb.Allocator;
import io.lvsdirector.k8s.lb.LbConfig;
import io.lvsdirector.k8s.lb.LbService;
import io.lvsdirector.k8s.lb.LbServices;
import io.lvsdirector.k8s.lb.LoadBalancerController;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The LoadBalancer controller's allocation at scale: 1,000 LoadBalancer Services (one TCP port each)
 * in the mock API server (CRUD mode, real HTTP), one controller holding the Lease, a /20 pool.
 * Measured:
 * <ul>
 *   <li>allocate all: from {@code start()} (informers list, the lease is taken) until every Service's
 *       status records its address and the controller serves all of them: 1,000 conditional status
 *       patches over HTTP, one at a time on the controller's thread, plus the Events;</li>
 *   <li>the pure {@link Allocator} over the same 1,000 Services (what one round computes, no I/O),
 *       median of 20 runs;</li>
 *   <li>one Service's change: a new Service created, until the controller serves its address (the
 *       watch event, a round over all 1,000, one status write), p50/p99 over 20 in a row;</li>
 *   <li>heap held after allocation (the informer caches of 1,000 Services, after GC, minus before).</li>
 * </ul>
 * The mock API server runs in the same JVM and shares its CPU. Run (from the repository root):
 * {@code mvn -B -pl k8s-sync -am -Pbench test -Dtest=LoadBalancerBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Figures go to {@code target/bench/loadbalancer.txt}; {@code -Dbench.services=20 -Dbench.changes=3} makes
 * it tiny (the run in {@code lab/test.sh}; not a figure).
 */
@Tag("benchmark")
class LoadBalancerBenchmark {

    private static final int SERVICES = Integer.getInteger("bench.services", 1_000);
    private static final int CHANGES = Integer.getInteger("bench.changes", 20);
    private static final String NS = "bench";

    static {
        // One INFO line per status write and Event would be a figure of the log capture.
        System.setProperty("org.slf4j.simpleLogger.log.io.lvsdirector.k8s.lb", "warn");
    }

    @Test
    void allocatesAThousandServices() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            cluster.installLvsAddressPoolCrd();
            cluster.createAddressPool("bench", List.of("198.18.0.0/20"), true);
            for (int i = 0; i < SERVICES; i++) {
                cluster.createLoadBalancerService(NS, "svc" + i, LbConfig.DEFAULT_CLASS, 80);
            }

            // The pure allocator over the same Services, as one round computes it.
            List<Service> listed = cluster.admin().services().inNamespace(NS).list().getItems();
            List<AddressPool> pools = List.of(AddressPool.parse("bench", List.of("198.18.0.0/20"), true));
            long[] allocNanos = new long[20];
            for (int r = 0; r < allocNanos.length; r++) {
                long t0 = System.nanoTime();
                List<LbService> views = listed.stream()
                        .map(s -> LbServices.read(s, LbConfig.DEFAULT_CLASS, false)).toList();
                var decided = Allocator.allocate(pools, views);
                allocNanos[r] = System.nanoTime() - t0;
                assertThat(decided).hasSize(SERVICES);
            }
            Arrays.sort(allocNanos);

            long heapBefore = BenchFigures.usedHeap();
            LoadBalancerController c = new LoadBalancerController(cluster.newClient(),
                    LbConfig.defaults().withInterval(Duration.ofMillis(200)), "bench-a", Clock.systemUTC());
            try {
                long t0 = System.nanoTime();
                c.start();
                while (c.services().size() < SERVICES) {
                    Thread.sleep(5);
                    if (System.nanoTime() - t0 > Duration.ofMinutes(10).toNanos()) {
                        throw new AssertionError("not allocated in 10 minutes: " + c.services().size());
                    }
                }
                long allocateAllNanos = System.nanoTime() - t0;
                long writes = c.statusWrites();
                long events = c.eventsSent();
                assertThat(c.statusWrites()).isGreaterThanOrEqualTo(SERVICES);
                assertThat(cluster.loadBalancerIngress(NS, "svc" + (SERVICES - 1))).hasSize(1);
                long heapAfter = BenchFigures.usedHeap();

                long[] change = new long[CHANGES];
                for (int i = 0; i < CHANGES; i++) {
                    String name = "new" + i;
                    long s0 = System.nanoTime();
                    cluster.createLoadBalancerService(NS, name, LbConfig.DEFAULT_CLASS, 80);
                    while (c.services().stream().noneMatch(s -> s.name().startsWith("lb.." + NS + "." + name + "."))) {
                        Thread.sleep(1);
                    }
                    change[i] = System.nanoTime() - s0;
                }
                Arrays.sort(change);

                String report = String.format(Locale.ROOT, String.join("%n",
                        "LoadBalancerBenchmark: %d LoadBalancer Services, one controller (lease holder), mock API server in-JVM",
                        "allocate all (start → every status written and served): %.2f s (%d status writes, %d Events)",
                        "pure Allocator over %d Services (read + allocate, one round's compute), median of 20: %.2f ms",
                        "one new Service → served (watch, round, status write), %d in a row: p50 %.1f ms, p99 %.1f ms",
                        "heap held by the controller after allocation, after GC: %.1f MiB",
                        ""),
                        SERVICES, allocateAllNanos / 1e9, writes, events,
                        SERVICES, allocNanos[allocNanos.length / 2] / 1e6,
                        CHANGES, BenchFigures.percentileMs(change, 50), BenchFigures.percentileMs(change, 99),
                        (heapAfter - heapBefore) / 1048576.0);
                System.out.print(report);
                BenchFigures.write("loadbalancer.txt", report);
            } finally {
                c.close();
            }
        }
    }
}
