package io.lvsdirector.core.bench;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.probe.HealthProber;
import io.lvsdirector.core.probe.NettyChecker;
import io.lvsdirector.core.status.CountingMeasurements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Benchmark: N nodes probed over HTTP once a second on loopback; prints the prober process's CPU
 * (% of one core) and RSS. The servers run in a child process so their CPU is not counted.
 *
 * <p>Usage: {@code ProbeLoadBenchmark [nodes=5000] [seconds=30]}. Goal: ≤ 10 % and ≤ 256 MB at 5,000.
 */
public final class ProbeLoadBenchmark {

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int port = 18080;

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process server = new ProcessBuilder(java, "-Xmx256m",
                "-Dping.keepalive=" + System.getProperty("ping.keepalive", "true"), "-cp", System.getProperty("java.class.path"),
                PingServer.class.getName(), Integer.toString(nodes), Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.US_ASCII));
            String ready = out.readLine();
            if (ready == null || !ready.startsWith("ready")) {
                throw new IllegalStateException("ping server did not start: " + ready);
            }
            HealthCheck check = HealthCheck.http().withPort(port)
                    .withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3);
            Set<ProbeTarget> targets = new HashSet<>();
            for (InetAddress a : PingServer.addresses(nodes)) {
                targets.add(new ProbeTarget(a, check));
            }
            CountingMeasurements m = new CountingMeasurements();
            boolean reuse = !"false".equals(System.getProperty("probe.reuse"));
            try (NettyChecker checker = NettyChecker.create(1, true, reuse);
                    HealthProber prober = HealthProber.create(checker, (t, s) -> { }, m, Clock.systemUTC(),
                            Duration.ofSeconds(30))) {
                prober.setTargets(targets);
                Thread.sleep(10_000); // warm-up: JIT, pools, every target's first probes
                long probes0 = m.probes();
                long failed0 = m.failedProbes();
                long probeNanos0 = m.totalProbeTime().toNanos();
                long cpu0 = Stats.cpuNanos();
                long[] ticks0 = Stats.userSysTicks();
                long t0 = System.nanoTime();
                double maxRss = 0;
                for (int i = 0; i < seconds; i++) {
                    Thread.sleep(1000);
                    maxRss = Math.max(maxRss, Stats.rssMiB());
                }
                long wall = System.nanoTime() - t0;
                long cpu = Stats.cpuNanos() - cpu0;
                long[] ticks = Stats.userSysTicks();
                double userShare = (double) (ticks[0] - ticks0[0]) / Math.max(1, ticks[0] - ticks0[0] + ticks[1] - ticks0[1]);
                long probes = m.probes() - probes0;
                long failed = m.failedProbes() - failed0;
                long healthy = prober.statuses().values().stream()
                        .filter(s -> s.state() == HealthState.HEALTHY).count();
                java.util.Map<String, Long> reasons = new java.util.TreeMap<>();
                prober.statuses().values().forEach(st -> reasons.merge(st.reason(), 1L, Long::sum));
                System.out.println("probe-load: reasons " + reasons);
                System.out.printf("probe-load: transport=%s reuse=%s nodes=%d interval=1s window=%ds%n",
                        checker.transport(), reuse, nodes, seconds);
                System.out.printf("probe-load: probes/s=%.0f failed=%d healthy=%d/%d mean-latency=%.2f ms%n",
                        probes / (wall / 1e9), failed, healthy, nodes,
                        (m.totalProbeTime().toNanos() - probeNanos0) / 1e6 / Math.max(1, probes));
                System.out.printf("probe-load: cpu=%.1f %% of one core (%.0f %% user, %.0f %% kernel), rss=%.0f MiB"
                        + " (max over window), heap max=%d MiB%n", 100.0 * cpu / wall, 100 * userShare,
                        100 * (1 - userShare), maxRss, Runtime.getRuntime().maxMemory() / (1024 * 1024));
            }
        } finally {
            server.getOutputStream().close();
            server.waitFor();
        }
    }
}
