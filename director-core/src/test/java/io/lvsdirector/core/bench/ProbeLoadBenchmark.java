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
 * Benchmark: N nodes probed over HTTP once a second (loopback unless told otherwise); prints the prober process's CPU
 * (% of one core) and RSS. The servers run in a child process so their CPU is not counted.
 *
 * <p>Usage: {@code ProbeLoadBenchmark [nodes=5000] [seconds=30]}. Goal: ≤ 10 % and ≤ 256 MB at 5,000.
 * Options: {@code -Dping.threads} (server threads, 1), {@code -Dping.busy=K} (K spinning threads in
 * the server process: a CPU-starved server), {@code -Dping.keepalive}, {@code -Dprobe.reuse},
 * {@code -Dwarmup} (seconds before the window, 10), {@code -Dping.port} (a free one, so two runs at once do not collide), {@code -Dping.wildcard=true} (one listening socket on 0.0.0.0 instead of
 * one per address: 10,000 nodes need it under a 20,000-descriptor limit), {@code -Dprobe.tls=true} (HTTPS: the servers present one self-signed certificate made by keytool
 * for the name {@code ping.bench}, which the check sends as SNI and Host and verifies against that
 * certificate as its CA file; with {@code -Dping.keepalive=false} every probe is a new handshake),
 * {@code -Dping.server=nginx} (the targets are one nginx process listening on 0.0.0.0, the backend the
 * lab probes, instead of the Java ping server: plain HTTP only, its connections kept for good, its
 * accepted connections read from {@code stub_status}), {@code -Dping.netns=NS} (nginx runs in network
 * namespace NS) and {@code -Dping.net=A.B} (the targets are A.B.0.1 on instead of 127.1.0.1; NS must
 * route them to itself): both for {@code bench-probe-veth.sh}; {@code -Dping.reference=PATH} (after the
 * window, the reference prober {@code src/test/c/probe-floor.c}, built by {@code bench.sh} and
 * {@code bench-probe-veth.sh} to {@code target/probe-floor}, probes the same targets for as long, and the
 * ratio of the probe threads' CPU to its CPU is printed; both scripts set it).
 *
 * <p>Also prints the connections the servers accepted in the window and {@code storm=yes|no}: a
 * reconnect storm is more than one new connection per 10 nodes in the window (a kept connection per
 * node needs none after the warm-up; a storm is thousands a second). Failed probes are printed
 * beside it: a server too starved to answer 5,000 probes a second in time fails probes without
 * any reconnect, and that is the server's slowness, not a storm.
 */
public final class ProbeLoadBenchmark {

    /**
     * Another process's CPU (user + system clock ticks, 10 ms) and wake-ups (context switches), summed
     * over its threads: {ticks, switches}.
     */
    private static long[] processTicksAndSwitches(long pid) throws Exception {
        long ticks = 0;
        long switches = 0;
        try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    long[] us = Stats.userSysTicks(java.nio.file.Files.readString(t.resolve("stat")));
                    ticks += us[0] + us[1];
                    for (String line : java.nio.file.Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException gone) {
                    // The thread ended.
                }
            }
        }
        return new long[] {ticks, switches};
    }

    /**
     * CPU ticks of the kernel's threaded-NAPI receive threads ("napi/DEV-ID"), by name: with the targets
     * behind a veth pair in threaded mode (bench-probe-veth.sh), each side's receive path runs there, as
     * a NIC's would in its softirq, instead of inside the other side's send. Empty on loopback.
     */
    private static java.util.Map<String, Long> napiTicks() throws Exception {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> procs = java.nio.file.Files.list(Path.of("/proc"))) {
            for (Path pd : (Iterable<Path>) procs::iterator) {
                if (!pd.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = java.nio.file.Files.readString(pd.resolve("stat"));
                    String name = Stats.command(stat);
                    if (name.startsWith("napi/")) {
                        long[] us = Stats.userSysTicks(stat);
                        out.put(name, us[0] + us[1]);
                    }
                } catch (java.io.IOException gone) {
                    // The process ended.
                }
            }
        }
        return out;
    }

    /** user + system clock ticks (10 ms) of each OS thread of this process, by "tid name". */
    private static java.util.Map<String, Long> taskTicks() throws Exception {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    long[] us = Stats.userSysTicks(stat);
                    out.put(t.getFileName() + " " + Stats.command(stat), us[0] + us[1]);
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

    /**
     * One nginx process ({@code master_process off}) answering 200 "OK" on {@code 0.0.0.0:port}, which
     * takes every 127/8 target, with keep-alive connections that it never closes in a run.
     */
    private static Process nginx(Path dir, String host, int port) throws Exception {
        String conf = String.join("\n",
                "daemon off;",
                "master_process off;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                "worker_rlimit_nofile 19000;",
                "events { worker_connections 18000; use epoll; multi_accept on; }",
                "http {",
                "  access_log off;",
                "  keepalive_requests 1000000000;",
                "  keepalive_timeout 3600s;",
                "  client_body_temp_path " + dir.resolve("body") + ";",
                "  proxy_temp_path " + dir.resolve("proxy") + ";",
                "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "  scgi_temp_path " + dir.resolve("scgi") + ";",
                "  server {",
                "    listen 0.0.0.0:" + port + " backlog=4096;",
                "    location = /nginx_status { stub_status; }",
                "    location / { default_type text/plain; return 200 \"OK\"; }",
                "  }",
                "}", "");
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        List<String> cmd = new java.util.ArrayList<>();
        String netns = System.getProperty("ping.netns", "");
        if (!netns.isEmpty()) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(List.of("nginx", "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (java.net.Socket s = new java.net.Socket(host, port)) {
                return p;
            } catch (java.io.IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroy();
                    throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("nginx.out"))
                            + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : ""));
                }
                Thread.sleep(50);
            }
        }
    }

    private static int statusRequests;

    /** nginx's accepted connections, not counting the ones that asked for it (stub_status counts them). */
    private static long nginxAccepted(String host, int port) throws Exception {
        statusRequests++;
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(
                "http://" + host + ":" + port + "/nginx_status").openConnection();
        c.setRequestProperty("Connection", "close");
        String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        c.disconnect();
        // "Active connections: N \nserver accepts handled requests\n A H R \n..."
        String[] lines = body.split("\n");
        return Long.parseLong(lines[2].trim().split("\\s+")[0]) - statusRequests;
    }

    /**
     * Runs the reference prober (probe-floor.c: one C thread, epoll, one send and one receive per probe)
     * on the same server and targets once the director's checker has closed its connections, and
     * prints its figure beside the probe threads': what any prober pays on this kernel for the same
     * probes in the same minutes, so the ratio says how much the director adds to it.
     * When more than 1 % of the reference's probes failed (a starved server) its figure is printed but
     * no ratio: the two did not do the same work.
     */
    private static void reference(String binary, int nodes, int port, String net, int seconds, double probeThreads)
            throws Exception {
        // Two seconds connect the targets; the window is the director's.
        Process p = new ProcessBuilder(binary, Integer.toString(nodes), Integer.toString(port), net, "2",
                Integer.toString(seconds)).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        StringBuilder all = new StringBuilder();
        String result = null;
        java.util.Map<String, Long> napi0 = java.util.Map.of();
        java.util.Map<String, Long> napi1 = java.util.Map.of();
        long t0 = 0;
        long wall = 0;
        for (String line; (line = lines.readLine()) != null; ) {
            all.append(line).append('\n');
            if (line.equals("probe-floor: window")) {
                napi0 = napiTicks();
                t0 = System.nanoTime();
            } else if (line.startsWith("probe-floor: probes=")) {
                wall = System.nanoTime() - t0;
                napi1 = napiTicks();
                result = line;
            }
        }
        int exit = p.waitFor();
        java.util.regex.Matcher cpu = java.util.regex.Pattern.compile("cpu=([0-9.]+) %").matcher(String.valueOf(result));
        // probe-floor exits 2 when more than 1 % of its probes failed, after printing its figures.
        if (exit != 0 && exit != 2 || result == null || !cpu.find()) {
            throw new IllegalStateException("reference prober " + binary + " failed (exit " + exit + "): " + all);
        }
        double floor = Double.parseDouble(cpu.group(1));
        System.out.println("probe-load: reference " + result);
        if (exit == 2) {
            System.out.println("probe-load: no ratio: more than 1 % of the reference's probes failed");
        } else {
            System.out.printf("probe-load: probe threads / reference = %.2f (same server, targets and window length)%n",
                    probeThreads / Math.max(0.05, floor));
        }
        if (!napi1.isEmpty()) {
            System.out.println("probe-load: kernel receive threads in the reference's window (% of one core):"
                    + napiPercents(napi0, napi1, wall));
        }
    }

    /** " name=P%" for each kernel receive thread: its CPU between the two readings, over {@code wall} ns. */
    private static String napiPercents(java.util.Map<String, Long> before, java.util.Map<String, Long> after, long wall) {
        StringBuilder rx = new StringBuilder();
        after.forEach((k, v) -> rx.append(String.format(" %s=%.1f%%", k,
                100.0 * (v - before.getOrDefault(k, v)) * 10_000_000L / Math.max(1, wall))));
        return rx.toString();
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
        boolean nginx = "nginx".equals(System.getProperty("ping.server", "java"));
        if (nginx && tls) {
            throw new IllegalArgumentException("-Dping.server=nginx serves plain HTTP only");
        }
        Path nginxDir = nginx ? Files.createTempDirectory("probe-load-nginx") : null;
        String net = System.getProperty("ping.net", "");
        String statusHost = net.isEmpty() ? "127.0.0.1" : net + ".0.1";
        Process server = nginx ? nginx(nginxDir, statusHost, port) : new ProcessBuilder(java, "-Xmx256m",
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
            if (!nginx) { // nginx() returned once its port accepted; the Java ping server says "ready"
                String ready = out.readLine();
                if (ready == null || !ready.startsWith("ready")) {
                    throw new IllegalStateException("ping server did not start: " + ready);
                }
            }
            HealthCheck check = tls
                    ? HealthCheck.https().withPort(port).withHost("ping.bench").withCaFile(cert.certPem().toString())
                            .withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3)
                    : HealthCheck.http().withPort(port).withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3);
            Set<ProbeTarget> targets = new HashSet<>();
            for (InetAddress a : net.isEmpty() ? PingServer.addresses(nodes) : PingServer.addresses(net, nodes)) {
                targets.add(new ProbeTarget(a, check));
            }
            CountingMeasurements m = new CountingMeasurements();
            double probeThreadsPercent;
            boolean reuse = !"false".equals(System.getProperty("probe.reuse"));
            try (NettyChecker checker = NettyChecker.create(1, true, reuse);
                    HealthProber prober = HealthProber.create(checker, (t, s) -> { }, m, Clock.systemUTC(),
                            Duration.ofSeconds(30))) {
                prober.setTargets(targets);
                // Warm-up: JIT, pools, every target's first probes (and with TLS, 5,000 handshakes first).
                Thread.sleep(1000L * Integer.getInteger("warmup", 10));
                final int serverPort = port;
                java.util.concurrent.Callable<Long> acceptedSoFar = nginx ? () -> nginxAccepted(statusHost, serverPort)
                        : () -> accepted(toServer, out);
                long accepted0 = acceptedSoFar.call();
                long probes0 = m.probes();
                long failed0 = m.failedProbes();
                long probeNanos0 = m.totalProbeTime().toNanos();
                long cpu0 = Stats.cpuNanos();
                long probeThreadCpu0 = probeThreadsCpuNanos();
                java.util.Map<String, Long> tasks0 = taskTicks();
                long[] ticks0 = Stats.userSysTicks();
                long[] server0 = processTicksAndSwitches(server.pid());
                java.util.Map<String, Long> napi0 = napiTicks();
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
                long accepted = acceptedSoFar.call() - accepted0;
                long cpu = Stats.cpuNanos() - cpu0;
                long probeThreadCpu = probeThreadsCpuNanos() - probeThreadCpu0;
                java.util.Map<String, Long> tasks = taskTicks();
                long[] ticks = Stats.userSysTicks();
                long[] server1 = processTicksAndSwitches(server.pid());
                java.util.Map<String, Long> napi1 = napiTicks();
                double userShare = (double) (ticks[0] - ticks0[0]) / Math.max(1, ticks[0] - ticks0[0] + ticks[1] - ticks0[1]);
                long probes = m.probes() - probes0;
                long failed = m.failedProbes() - failed0;
                long healthy = prober.statuses().values().stream()
                        .filter(s -> s.state() == HealthState.HEALTHY).count();
                java.util.Map<String, Long> reasons = new java.util.TreeMap<>();
                prober.statuses().values().forEach(st -> reasons.merge(st.reason(), 1L, Long::sum));
                System.out.println("probe-load: reasons " + reasons);
                System.out.println("probe-load: failed per second:" + perSecond);
                System.out.printf("probe-load: transport=%s reuse=%s tls=%s server=%s nodes=%d interval=1s window=%ds%n",
                        checker.transport(), reuse, tls, nginx ? "nginx" : "java", nodes, seconds);
                System.out.printf("probe-load: probes/s=%.0f failed=%d healthy=%d/%d mean-latency=%.2f ms%n",
                        probes / (wall / 1e9), failed, healthy, nodes,
                        (m.totalProbeTime().toNanos() - probeNanos0) / 1e6 / Math.max(1, probes));
                System.out.printf("probe-load: cpu=%.1f %% of one core (%.0f %% user, %.0f %% kernel), rss=%.0f MiB"
                        + " (max over window), heap max=%d MiB%n", 100.0 * cpu / wall, 100 * userShare,
                        100 * (1 - userShare), maxRss, Runtime.getRuntime().maxMemory() / (1024 * 1024));
                // The process figure also holds the JIT, GC and this program's own threads; the
                // probe threads alone are what the probes cost.
                probeThreadsPercent = 100.0 * probeThreadCpu / wall;
                System.out.printf("probe-load: probe threads cpu=%.1f %% of one core, %.0f µs per probe%n",
                        probeThreadsPercent, probeThreadCpu / 1e3 / Math.max(1, probes));
                boolean storm = accepted > nodes / 10;
                System.out.printf("probe-load: server accepted=%d connections in the window, failed=%d of %d probes,"
                        + " storm=%s%n", accepted, failed, probes, storm ? "yes" : "no");
                // The server's side of the loopback: its wake-ups are started by the probes' sends, and
                // on loopback the kernel work of delivering each request runs in the sender's send.
                System.out.printf("probe-load: server (%s) cpu=%.1f %% of one core, %.2f wake-ups per probe%n",
                        nginx ? "nginx" : "java", 100.0 * (server1[0] - server0[0]) * 10_000_000L / wall,
                        (double) (server1[1] - server0[1]) / Math.max(1, probes));
                if (!napi1.isEmpty()) {
                    System.out.println("probe-load: kernel receive threads (% of one core):" + napiPercents(napi0, napi1, wall));
                }
                java.util.Map<String, Long> byName = new java.util.TreeMap<>();
                tasks.forEach((k, v) -> byName.merge(k.substring(k.indexOf(' ') + 1), v - tasks0.getOrDefault(k, 0L),
                        Long::sum));
                StringBuilder top = new StringBuilder();
                byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6)
                        .forEach(e -> top.append(String.format(" %s=%.1f%%", e.getKey(),
                                100.0 * e.getValue() * 10_000_000L / wall)));
                System.out.println("probe-load: busiest threads (% of one core):" + top);
            }
            String reference = System.getProperty("ping.reference", "");
            if (!reference.isEmpty() && (tls || !reuse)) {
                // The reference keeps plain HTTP connections; these probes are not the same work.
                System.out.println("probe-load: no reference run: it probes over kept plain-HTTP connections only");
            } else if (!reference.isEmpty()) {
                reference(reference, nodes, port, net.isEmpty() ? "127.1" : net, seconds, probeThreadsPercent);
            }
        } finally {
            toServer.close();
            if (nginx) {
                server.destroy();
            }
            server.waitFor();
            if (nginxDir != null) {
                try (java.util.stream.Stream<Path> files = Files.walk(nginxDir)) {
                    files.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
