package io.lvsdirector.core.bench;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.socket.NetlinkIpvs;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Benchmark: from a health transition to the kernel updated, with N nodes in S services (each
 * service selects its own N/S nodes). Prints p50 / p99 / max over many transitions.
 *
 * <p>Usage: {@code TransitionLatencyBenchmark [nodes=5000] [services=50] [transitions=1000] [fake|netlink]
 * [scrapers=0]}. {@code netlink} needs IPVS (run it inside the lab: {@code lab/uml-run -- java ...});
 * {@code fake} measures the director alone. Goal: p99 ≤ 20 ms. With {@code scrapers} > 0 the
 * transitions are measured twice, without and then with that many threads reading what the loop
 * publishes ({@code status()} with every server, {@code kernelView()} walked whole) every 100 ms each, as
 * {@code /metrics} and {@code GET /v1/services} would under a crowd of scrapers: they never touch the
 * kernel, so they should cost the loop CPU at most, never its socket. A sixth argument {@code kernel}
 * makes the scrapers dump the kernel themselves instead, as the API's readers did before.
 */
public final class TransitionLatencyBenchmark {

    // Keeps the scrapers' reading from being optimised away.
    private static volatile long blackhole;

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /**
     * What the slowest 2 % of transitions waited for: a pass that read the whole table (a resync or
     * a retry) overlapping them, a garbage collection, or neither (the loop thread waiting for a CPU).
     */
    private static void explainTail(List<Double> latencies, List<long[]> spans, List<Boolean> gcDuring,
            List<long[]> reads) {
        double cut = Stats.percentile(latencies, 98);
        int slow = 0;
        int read = 0;
        int gc = 0;
        int neither = 0;
        for (int i = 0; i < latencies.size(); i++) {
            if (latencies.get(i) < cut) {
                continue;
            }
            slow++;
            long[] s = spans.get(i);
            boolean overlapsRead = reads.stream().anyMatch(r -> r[0] < s[1] && r[1] > s[0]);
            read += overlapsRead ? 1 : 0;
            gc += gcDuring.get(i) ? 1 : 0;
            neither += !overlapsRead && !gcDuring.get(i) ? 1 : 0;
        }
        double readMs = reads.stream().mapToDouble(r -> (r[1] - r[0]) / 1e6).max().orElse(0);
        System.out.printf("transition: slowest %d (>= p98 %.2f ms): %d during a table read, %d during a GC, "
                + "%d neither; %d table reads in the run (longest %.1f ms)%n", slow, cut, read, gc, neither,
                reads.size(), readMs);
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int services = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int transitions = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String kernel = args.length > 3 ? args[3] : (Files.exists(Path.of("/proc/net/ip_vs")) ? "netlink" : "fake");
        int scrapers = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        // "kernel": the scrapers dump the kernel themselves, as /metrics and GET /v1/services did
        // before they read the loop's published views: for comparison only.
        boolean scrapeKernel = args.length > 5 && args[5].equals("kernel");

        HealthCheck check = HealthCheck.http().withPort(8080);
        InMemoryServiceStore store = new InMemoryServiceStore();
        List<ServiceSpec> specs = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            specs.add(ServiceSpec.of(VirtualService.tcp("svc" + s, InetAddress.getByName("10.100." + (s / 250) + "."
                    + (s % 250 + 1)), 80), new RealServerSource.NodeSelector(Map.of("svc", "s" + s), 100), check));
        }
        store.replaceAll(specs);
        InMemoryNodeSource nodeSource = new InMemoryNodeSource();
        List<InetAddress> addresses = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            InetAddress a = InetAddress.getByName("10.200." + (n / 250) + "." + (n % 250 + 1));
            addresses.add(a);
            nodeSource.put(NodeView.of("node" + n, a, Map.of("svc", "s" + (n % services))));
        }
        nodeSource.markSynced();
        HealthBoard board = HealthBoard.manual();
        for (InetAddress a : addresses) {
            board.onHealth(new ProbeTarget(a, check), new HealthStatus(HealthState.HEALTHY, "ok", Instant.now()));
        }

        Ipvs real = kernel.equals("netlink") ? NetlinkIpvs.open() : new FakeIpvs();
        TimedIpvs timed = new TimedIpvs(real);
        CountingMeasurements m = new CountingMeasurements();
        ReconcileLoop loop = new ReconcileLoop(timed.ipvs, store, nodeSource, board, new ManualDrains(), m,
                Clock.systemUTC(), LoopSettings.DEFAULTS, Set.of());
        long fill0 = System.nanoTime();
        loop.start();
        while (timed.appliedAt.size() < nodes) {
            Thread.sleep(5);
        }
        System.out.printf("transition: kernel=%s nodes=%d services=%d initial fill %.0f ms%n", kernel, nodes,
                services, (System.nanoTime() - fill0) / 1e6);
        Thread.sleep(500);

        Random random = new Random(1);
        boolean[] down = new boolean[nodes];
        run("no scrapers", transitions, random, down, addresses, check, board, timed, m);
        if (scrapers > 0) {
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder scrapes = new LongAdder();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < scrapers; i++) {
                Thread t = new Thread(() -> {
                    long sink = 0;
                    while (!stop.get()) {
                        // What /metrics and GET /v1/services read: the status with every server and
                        // the published kernel table, never the kernel.
                        for (var s : loop.status().services()) {
                            sink += s.realServers().size();
                        }
                        var view = scrapeKernel ? java.util.Optional.of(real.snapshot())
                                : loop.kernelView().map(v -> v.snapshot());
                        if (view.isPresent()) {
                            for (var e : view.get().entries()) {
                                sink += e.realServers().size();
                            }
                        }
                        scrapes.increment();
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    blackhole = sink;
                }, "scraper-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            int reads = timed.reads.size();
            long t0 = System.nanoTime();
            run(scrapers + (scrapeKernel ? " scrapers reading the kernel" : " scrapers"), transitions, random, down, addresses, check, board, timed, m);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            System.out.printf("transition: %d scrapes in %.1f s, %d kernel reads by the loop meanwhile%n",
                    scrapes.sum(), (System.nanoTime() - t0) / 1e9, timed.reads.size() - reads);
        }
        loop.close();
        if (kernel.equals("netlink")) {
            real.flush();
        }
        real.close();
    }

    /** Measures {@code transitions} health transitions, each until the kernel has it. */
    private static List<Double> run(String label, int transitions, Random random, boolean[] down,
            List<InetAddress> addresses, HealthCheck check, HealthBoard board, TimedIpvs timed,
            CountingMeasurements m) throws InterruptedException {
        int nodes = addresses.size();
        int reads0 = timed.reads.size();
        List<Double> latencies = new ArrayList<>();
        // Per transition: when it was reported, when it reached the kernel, and whether a young or
        // old collection ran meanwhile, to tell what the slow ones waited for.
        List<long[]> spans = new ArrayList<>();
        List<Boolean> gcDuring = new ArrayList<>();
        long passes0 = m.passes();
        long passNanos0 = m.totalPassTime().toNanos();
        for (int i = 0; i < transitions; i++) {
            int n = random.nextInt(nodes);
            InetAddress a = addresses.get(n);
            Long before = timed.appliedAt.get(a);
            down[n] = !down[n];
            long gc0 = gcCount();
            long t0 = System.nanoTime();
            board.onHealth(new ProbeTarget(a, check), down[n]
                    ? new HealthStatus(HealthState.FAILED, "timeout", Instant.now())
                    : new HealthStatus(HealthState.HEALTHY, "ok", Instant.now()));
            while (true) {
                Long at;
                synchronized (timed) {
                    at = timed.appliedAt.get(a);
                    if (at == null || at.equals(before) || at - t0 <= 0) {
                        // The time is the loop's (taken when apply returned); this thread only waits.
                        timed.awaitApply(5_000_000);
                        at = timed.appliedAt.get(a);
                    }
                }
                if (at != null && !at.equals(before) && at - t0 > 0) {
                    latencies.add((at - t0) / 1e6);
                    spans.add(new long[] {t0, at});
                    gcDuring.add(gcCount() != gc0);
                    break;
                }
                if (System.nanoTime() - t0 > 10_000_000_000L) {
                    throw new IllegalStateException("transition " + i + " never reached the kernel");
                }
            }
            Thread.sleep(5 + random.nextInt(10));
        }
        long passes = m.passes() - passes0;
        System.out.printf("transition: [%s] %d transitions, p50=%.2f ms p99=%.2f ms max=%.2f ms; %d passes, mean pass %.2f ms%n",
                label, transitions, Stats.percentile(latencies, 50), Stats.percentile(latencies, 99),
                Stats.percentile(latencies, 100), passes, (m.totalPassTime().toNanos() - passNanos0) / 1e6 / passes);
        explainTail(latencies, spans, gcDuring, timed.reads.subList(reads0, timed.reads.size()));
        return latencies;
    }
}
