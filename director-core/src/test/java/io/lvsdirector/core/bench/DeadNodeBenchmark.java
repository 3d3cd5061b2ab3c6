package io.lvsdirector.core.bench;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.ProbeTarget;
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
import io.lvsdirector.core.probe.Checker;
import io.lvsdirector.core.probe.HealthProber;
import io.lvsdirector.core.probe.NettyChecker;
import io.lvsdirector.core.probe.ProbeResult;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.FakeIpvs;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark: with the default check settings (every 100 ms, 100 ms timeout, rise 2, fall 3),
 * (a) how long from a node dying (refusing, or silent) to its real server deleted from the table,
 * through probes, board and loop; (b) how many false transitions when 1 % of probes are lost.
 *
 * <p>Usage: {@code DeadNodeBenchmark [rounds=20] [flapTargets=200] [flapSeconds=60]}. Goal: ≤ 500 ms,
 * and no flapping at 1 % loss.
 */
public final class DeadNodeBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int flapTargets = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int flapSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        detection(rounds);
        flapping(flapTargets, flapSeconds, true);
        flapping(flapTargets, flapSeconds, false);
    }

    private static void detection(int rounds) throws Exception {
        int nodes = 50;
        int port = 18081;
        List<InetAddress> addresses = PingServer.addresses(nodes);
        try (PingServer server = new PingServer(1, port);
                NettyChecker checker = NettyChecker.create(1)) {
            List<StaticRealServer> rs = new ArrayList<>();
            for (InetAddress a : addresses) {
                server.listen(a);
                rs.add(new StaticRealServer(a, 100));
            }
            InMemoryServiceStore store = new InMemoryServiceStore();
            store.replaceAll(List.of(ServiceSpec.of(VirtualService.tcp("web", InetAddress.getByName("10.100.0.1"), 80),
                    new RealServerSource.StaticList(rs), HealthCheck.http().withPort(port))));
            CountingMeasurements m = new CountingMeasurements();
            HealthProber[] prober = new HealthProber[1];
            HealthBoard board = new HealthBoard(t -> prober[0].setTargets(t));
            prober[0] = HealthProber.create(checker, board, m, Clock.systemUTC(), Duration.ofSeconds(30));
            TimedIpvs timed = new TimedIpvs(new FakeIpvs());
            try (ReconcileLoop loop = new ReconcileLoop(timed.ipvs, store, InMemoryNodeSource.empty(), board,
                    new ManualDrains(), m, Clock.systemUTC(), LoopSettings.DEFAULTS, Set.of())) {
                loop.start();
                waitUntil(() -> timed.appliedAt.size() == nodes, 10_000);
                Random random = new Random(7);
                for (PingServer.Mode death : new PingServer.Mode[] {PingServer.Mode.DOWN, PingServer.Mode.SILENT}) {
                    List<Double> out = new ArrayList<>();
                    List<Double> back = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        InetAddress a = addresses.get(random.nextInt(nodes));
                        Long before = timed.appliedAt.get(a);
                        long t0 = System.nanoTime();
                        server.mode(a, death);
                        waitUntil(() -> !timed.appliedAt.get(a).equals(before), 10_000);
                        out.add((timed.appliedAt.get(a) - t0) / 1e6);
                        Long gone = timed.appliedAt.get(a);
                        long t1 = System.nanoTime();
                        server.mode(a, PingServer.Mode.OK);
                        waitUntil(() -> !timed.appliedAt.get(a).equals(gone), 10_000);
                        back.add((timed.appliedAt.get(a) - t1) / 1e6);
                        Thread.sleep(200 + random.nextInt(200));
                    }
                    System.out.printf("dead-node: %s node out of the table after p50=%.0f ms max=%.0f ms;"
                            + " back in after p50=%.0f ms max=%.0f ms (%d rounds)%n",
                            death == PingServer.Mode.DOWN ? "refusing" : "silent", Stats.percentile(out, 50),
                            Stats.percentile(out, 100), Stats.percentile(back, 50), Stats.percentile(back, 100),
                            rounds);
                }
            } finally {
                prober[0].close();
            }
        }
    }

    /** Loses a share of probes: they end as a timeout after the check's timeout, without being sent. */
    private record LossyChecker(Checker inner, double loss, NettyChecker timers) implements Checker {
        @Override
        public CompletionStage<ProbeResult> probe(ProbeTarget target) {
            if (ThreadLocalRandom.current().nextDouble() >= loss) {
                return inner.probe(target);
            }
            CompletableFuture<ProbeResult> lost = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(target.check().timeout().toNanos(), TimeUnit.NANOSECONDS)
                    .execute(() -> lost.complete(new ProbeResult(ProbeResult.Outcome.DOWN, "timeout",
                            target.check().timeout())));
            return lost;
        }
    }

    /**
     * @param synthetic true: every probe that is not lost answers at once, so only the injected loss
     *     counts (the hysteresis alone); false: real HTTP probes to loopback servers, plus the loss
     */
    private static void flapping(int targets, int seconds, boolean synthetic) throws Exception {
        int port = 18082;
        List<InetAddress> addresses = PingServer.addresses(targets);
        try (PingServer server = new PingServer(1, port);
                NettyChecker checker = NettyChecker.create(1)) {
            Set<ProbeTarget> set = new HashSet<>();
            for (InetAddress a : addresses) {
                server.listen(a);
                set.add(new ProbeTarget(a, HealthCheck.http().withPort(port)));
            }
            CountingMeasurements m = new CountingMeasurements();
            Checker answering = t -> CompletableFuture.completedFuture(
                    new ProbeResult(ProbeResult.Outcome.UP, "ok", Duration.ZERO));
            LossyChecker lossy = new LossyChecker(synthetic ? answering : checker, 0.01, checker);
            try (HealthProber prober = new HealthProber(lossy, checkerLoops(checker), (t, s) -> { }, m,
                    Clock.systemUTC(), Duration.ofSeconds(30))) {
                prober.setTargets(set);
                Thread.sleep(seconds * 1000L);
                long falseOut = m.transitions().getOrDefault("HEALTHY->FAILED", 0L);
                System.out.printf("dead-node: %s, 1 %% probe loss, %d targets, %d s, %d probes (%d failed):"
                        + " %d false HEALTHY->FAILED transitions%n", synthetic ? "synthetic answers" : "real HTTP",
                        targets, seconds, m.probes(), m.failedProbes(), falseOut);
            }
        }
    }

    private static io.netty.channel.EventLoopGroup checkerLoops(NettyChecker checker) throws Exception {
        java.lang.reflect.Method group = NettyChecker.class.getDeclaredMethod("group");
        group.setAccessible(true);
        return (io.netty.channel.EventLoopGroup) group.invoke(checker);
    }

    private interface Condition {
        boolean met();
    }

    private static void waitUntil(Condition c, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (!c.met()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("condition not met within " + timeoutMs + " ms");
            }
            TimeUnit.MICROSECONDS.sleep(200);
        }
    }
}
