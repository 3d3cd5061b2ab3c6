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
import java.nio.file.Files;
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
 * Options: {@code -Dping.threads} (server threads, 1), {@code -Dping.busy=K} (K spinning threads in
 * the server process: a CPU-starved server), {@code -Dping.keepalive}, {@code -Dprobe.reuse},
 * {@code -Dwarmup} (seconds before the window, 10), {@code -Dping.port} (a free one, so two runs at once do not collide), {@code -Dping.wildcard=true} (one listening socket on 0.0.0.0 instead of
 * one per address: 10,000 nodes need it under a 20,000-descriptor limit), {@code -Dprobe.tls=true} (HTTPS: the servers present one self-signed certificate made by keytool
 * for the name {@code ping.bench}, which the check sends as SNI and Host and verifies against that
 * certificate as its CA file; with {@code -Dping.keepalive=false} every probe is a new handshake).
 *
 * <p>Also prints the connections the servers accepted in the window and {@code storm=yes|no}: a
 * reconnect storm is more than one new connection per 10 nodes in the window (a kept connection per
 * node needs none after the warm-up; a storm is thousands a second). Failed probes are printed
 * beside it: a server too starved to answer 5,000 probes a second in time fails probes without
 * any reconnect, and that is the server's slowness, not a storm.
 */
public final class ProbeLoadBenchmark {

    /** user + system clock ticks (10 ms) of each OS thread of this process, by "tid name". */
    private static java.util.Map<String, Long> taskTicks() throws Exception {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(t.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (java.io.IOException gone) {
                    // The thread ended.
                }
            }
        }
        return out;
    }

    /** CPU time (user + system) of the checker's I/O threads, which run the probes and their timers. */
    private static long probeThreadsCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("health-probe")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    /** The connections the ping server has accepted so far. */
    private static long accepted(java.io.PrintStream toServer, BufferedReader fromServer) throws Exception {
        toServer.println("accepted");
        String line = fromServer.readLine();
        if (line == null || !line.startsWith("accepted ")) {
            throw new IllegalStateException("ping server answered: " + line);
        }
        return Long.parseLong(line.substring("accepted ".length()));
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int port = Integer.getInteger("ping.port", 0);
        if (port == 0) {
            // A port free on every address now (the servers bind it on 127/8 or the wildcard).
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                port = probe.getLocalPort();
            }
        }

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        boolean tls = Boolean.getBoolean("probe.tls");
        io.lvsdirector.core.probe.SelfSignedCert cert = null;
        if (tls) {
            Path dir = Files.createTempDirectory("probe-load-tls");
            cert = io.lvsdirector.core.probe.SelfSignedCert.create(dir, "ping", "ping.bench", "dns:ping.bench");
            dir.toFile().deleteOnExit();
        }
        Process server = new ProcessBuilder(java, "-Xmx256m",
                "-Dping.tls.keystore=" + (tls ? cert.certPem().resolveSibling("ping.p12") : ""),
                "-Dping.keepalive=" + System.getProperty("ping.keepalive", "true"),
                "-Dping.threads=" + Integer.getInteger("ping.threads", 1),
                "-Dping.wildcard=" + Boolean.getBoolean("ping.wildcard"),
                "-Dping.busy=" + Integer.getInteger("ping.busy", 0), "-cp", System.getProperty("java.class.path"),
                PingServer.class.getName(), Integer.toString(nodes), Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        java.io.PrintStream toServer = new java.io.PrintStream(server.getOutputStream(), true,
                StandardCharsets.US_ASCII);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.US_ASCII));
            String ready = out.readLine();
            if (ready == null || !ready.startsWith("ready")) {
                throw new IllegalStateException("ping server did not start: " + ready);
            }
            HealthCheck check = tls
                    ? HealthCheck.https().withPort(port).withHost("ping.bench").withCaFile(cert.certPem().toString())
                            .withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3)
                    : HealthCheck.http().withPort(port).withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3);
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
                // Warm-up: JIT, pools, every target's first probes (and with TLS, 5,000 handshakes first).
                Thread.sleep(1000L * Integer.getInteger("warmup", 10));
                long accepted0 = accepted(toServer, out);
                long probes0 = m.probes();
                long failed0 = m.failedProbes();
                long probeNanos0 = m.totalProbeTime().toNanos();
                long cpu0 = Stats.cpuNanos();
                long probeThreadCpu0 = probeThreadsCpuNanos();
                java.util.Map<String, Long> tasks0 = taskTicks();
                long[] ticks0 = Stats.userSysTicks();
                long t0 = System.nanoTime();
                double maxRss = 0;
                // Failed probes second by second: a stall and how fast it heals.
                StringBuilder perSecond = new StringBuilder();
                long failedBefore = failed0;
                for (int i = 0; i < seconds; i++) {
                    Thread.sleep(1000);
                    maxRss = Math.max(maxRss, Stats.rssMiB());
                    long f = m.failedProbes();
                    perSecond.append(' ').append(f - failedBefore);
                    failedBefore = f;
                }
                long wall = System.nanoTime() - t0;
                long accepted = accepted(toServer, out) - accepted0;
                long cpu = Stats.cpuNanos() - cpu0;
                long probeThreadCpu = probeThreadsCpuNanos() - probeThreadCpu0;
                java.util.Map<String, Long> tasks = taskTicks();
                long[] ticks = Stats.userSysTicks();
                double userShare = (double) (ticks[0] - ticks0[0]) / Math.max(1, ticks[0] - ticks0[0] + ticks[1] - ticks0[1]);
                long probes = m.probes() - probes0;
                long failed = m.failedProbes() - failed0;
                long healthy = prober.statuses().values().stream()
                        .filter(s -> s.state() == HealthState.HEALTHY).count();
                java.util.Map<String, Long> reasons = new java.util.TreeMap<>();
                prober.statuses().values().forEach(st -> reasons.merge(st.reason(), 1L, Long::sum));
                System.out.println("probe-load: reasons " + reasons);
                System.out.println("probe-load: failed per second:" + perSecond);
                System.out.printf("probe-load: transport=%s reuse=%s tls=%s nodes=%d interval=1s window=%ds%n",
                        checker.transport(), reuse, tls, nodes, seconds);
                System.out.printf("probe-load: probes/s=%.0f failed=%d healthy=%d/%d mean-latency=%.2f ms%n",
                        probes / (wall / 1e9), failed, healthy, nodes,
                        (m.totalProbeTime().toNanos() - probeNanos0) / 1e6 / Math.max(1, probes));
                System.out.printf("probe-load: cpu=%.1f %% of one core (%.0f %% user, %.0f %% kernel), rss=%.0f MiB"
                        + " (max over window), heap max=%d MiB%n", 100.0 * cpu / wall, 100 * userShare,
                        100 * (1 - userShare), maxRss, Runtime.getRuntime().maxMemory() / (1024 * 1024));
                // The process figure also holds the JIT, GC and this program's own threads; the
                // probe threads alone are what the probes cost.
                System.out.printf("probe-load: probe threads cpu=%.1f %% of one core, %.0f µs per probe%n",
                        100.0 * probeThreadCpu / wall, probeThreadCpu / 1e3 / Math.max(1, probes));
                boolean storm = accepted > nodes / 10;
                System.out.printf("probe-load: server accepted=%d connections in the window, failed=%d of %d probes,"
                        + " storm=%s%n", accepted, failed, probes, storm ? "yes" : "no");
                java.util.Map<String, Long> byName = new java.util.TreeMap<>();
                tasks.forEach((k, v) -> byName.merge(k.substring(k.indexOf(' ') + 1), v - tasks0.getOrDefault(k, 0L),
                        Long::sum));
                StringBuilder top = new StringBuilder();
                byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6)
                        .forEach(e -> top.append(String.format(" %s=%.1f%%", e.getKey(),
                                100.0 * e.getValue() * 10_000_000L / wall)));
                System.out.println("probe-load: busiest threads (% of one core):" + top);
            }
        } finally {
            toServer.close();
            server.waitFor();
        }
    }
}
