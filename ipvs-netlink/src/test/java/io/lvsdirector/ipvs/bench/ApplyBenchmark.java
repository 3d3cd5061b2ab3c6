package io.lvsdirector.ipvs.bench;

import io.lvsdirector.ipvs.BatchResult;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.socket.AckPolicy;
import io.lvsdirector.ipvs.socket.BatchOutcome;
import io.lvsdirector.ipvs.socket.NetlinkRequest;
import io.lvsdirector.ipvs.wire.IpvsCodec;
import io.lvsdirector.ipvs.wire.IpvsRequest;
import io.lvsdirector.ipvs.socket.NetlinkIpvs;
import io.lvsdirector.ipvs.socket.NetlinkOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Applies 1,000 services × 10 direct-routing real servers (11,000 operations) to an empty IPVS table and
 * reads it back with counters, with {@link NetlinkIpvs} and with the reference tools, in the same boot,
 * interleaved, and prints the ratios.
 *
 * <ul>
 *   <li>apply: {@code ipvsadm-restore} of the same rules (it flushes first, then feeds them all to one
 *       {@code ipvsadm -R} process) vs {@link NetlinkIpvs#apply} into a flushed table;</li>
 *   <li>read: {@code ipvsadm -Ln --stats} (output discarded) vs {@link NetlinkIpvs#snapshot}.</li>
 * </ul>
 * Times are wall-clock, process start included for the tools (that is what running them costs). Each
 * round runs every contender once; the medians over the rounds give the ratios. Round 0 is a warm-up
 * (JIT, page cache) and is printed but not counted: the director is a long-running process.
 *
 * <p>Every timed step gets a new network namespace, so each starts from a truly empty table. Runs inside the
 * lab kernel, as root: {@code ipvs-netlink/bench.sh}.
 * Arguments: {@code [rounds]} (default 7); {@code -Dbench.services}, {@code -Dbench.realServers} and
 * {@code -Dbench.settleMs} shrink the table and the pauses ({@code bench.sh --tiny}). Results also go to {@code ipvs-netlink/target/bench/apply.txt}
 * (relative to the working directory the script sets).
 */
public final class ApplyBenchmark {

    // -Dbench.services / -Dbench.realServers: a tiny table for the CI run that only proves it still works.
    private static final int SERVICES = Integer.getInteger("bench.services", 1000);
    private static final int REAL_SERVERS = Integer.getInteger("bench.realServers", 10);
    // The kernel's deferred work after a namespace goes (and before a timed step) grows with the table;
    // a tiny table needs almost none.
    private static final long SETTLE_MS = Long.getLong("bench.settleMs", 2000);

    private ApplyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path out = Path.of(args.length > 1 ? args[1] : "ipvs-netlink/target/bench/apply.txt");
        List<IpvsOp> ops = rules();
        Path restoreFile = Files.createTempFile("ipvs-bench", ".rules");
        Files.writeString(restoreFile, restoreText(ops));

        StringBuilder report = new StringBuilder();
        log(report, "# ipvs-netlink apply/read benchmark, " + Instant.now() + ", kernel " + System.getProperty("os.version")
                + ", " + SERVICES + " services x " + REAL_SERVERS + " DR real servers = " + ops.size() + " ops");

        double[] restore = new double[rounds];
        double[] apply = new double[rounds];
        double[] applyEach = new double[rounds];
        double[] list = new double[rounds];
        double[] snapshot = new double[rounds];
        double wrapper = timeWrapper();
        log(report, String.format(Locale.ROOT, "# each timed step runs in a new network namespace (a truly empty table);"
                + " the tools run through `ip netns exec`, whose own cost (%.3f s, measured) is subtracted", wrapper));
        NetlinkOptions o = NetlinkOptions.defaults();
        log(report, "# NetlinkIpvs defaults: up to " + o.maxSendMessages() + " messages / " + (o.maxSendBytes() >> 10)
                + " KiB per send, apply acks LAST_OF_SEND; apply-each: an ACK per message");
        log(report, "# encode / send: NetlinkIpvs.apply split into encoding the requests and the batch exchange alone");
        log(report, String.format(Locale.ROOT, "%-5s %15s %10s %11s %14s %9s %8s %8s", "round", "ipvsadm-restore",
                "apply", "apply-each", "ipvsadm-Ln-st", "snapshot", "encode", "send"));
        try {
            for (int r = 0; r <= rounds; r++) {
                // Alternate who goes first, so drift within a round does not favour one side.
                boolean toolFirst = r % 2 == 0;
                String nsTool = "bench" + r + "t";
                String nsOurs = "bench" + r + "o";
                double tRestore;
                double tApply;
                if (toolFirst) {
                    tRestore = timeRestore(nsTool, restoreFile) - wrapper;
                    tApply = timeApply(nsOurs, AckPolicy.LAST_OF_SEND, ops);
                } else {
                    tApply = timeApply(nsOurs, AckPolicy.LAST_OF_SEND, ops);
                    tRestore = timeRestore(nsTool, restoreFile) - wrapper;
                }
                // Read the table ipvsadm-restore built, both ways (the same rules as ours).
                double tList;
                double tSnap;
                if (toolFirst) {
                    tList = timeList(nsTool) - wrapper;
                    tSnap = timeSnapshot(nsTool);
                } else {
                    tSnap = timeSnapshot(nsTool);
                    tList = timeList(nsTool) - wrapper;
                }
                double tEach = timeApply("bench" + r + "e", AckPolicy.EACH, ops);
                double[] split = timeEncodeAndSend("bench" + r + "s", ops);
                log(report, String.format(Locale.ROOT, "%-5s %15.3f %10.3f %11.3f %14.3f %9.3f %8.3f %8.3f",
                        r == 0 ? "warm" : Integer.toString(r), tRestore, tApply, tEach, tList, tSnap, split[0], split[1]));
                for (String ns : List.of(nsTool, nsOurs, "bench" + r + "e", "bench" + r + "s")) {
                    dropNamespace(ns);
                }
                if (r > 0) {
                    restore[r - 1] = tRestore;
                    apply[r - 1] = tApply;
                    applyEach[r - 1] = tEach;
                    list[r - 1] = tList;
                    snapshot[r - 1] = tSnap;
                }
            }
        } finally {
            Files.deleteIfExists(restoreFile);
        }

        log(report, summary("ipvsadm-restore", restore));
        log(report, summary("NetlinkIpvs.apply", apply));
        log(report, summary("apply, ACK per message", applyEach));
        log(report, summary("ipvsadm -Ln --stats", list));
        log(report, summary("NetlinkIpvs.snapshot", snapshot));
        log(report, ratio("apply ratio (ipvsadm-restore / NetlinkIpvs.apply)", restore, apply, 20));
        log(report, ratio("apply-each ratio (ipvsadm-restore / apply with an ACK per message)", restore, applyEach, 0));
        log(report, ratio("read ratio (ipvsadm -Ln --stats / NetlinkIpvs.snapshot)", list, snapshot, 1));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report.toString());
        System.out.println("written to " + out.toAbsolutePath());
    }

    /** 1,000 TCP services on distinct VIPs, each with 10 DR real servers of weights 1..10. */
    static List<IpvsOp> rules() {
        List<IpvsOp> ops = new ArrayList<>(SERVICES * (REAL_SERVERS + 1));
        for (int s = 0; s < SERVICES; s++) {
            VirtualServerKey key = VirtualServerKey.tcp("10.10." + (s / 250) + "." + (s % 250 + 1), 80);
            ops.add(new IpvsOp.AddService(VirtualServer.of(key, "wrr")));
            for (int d = 0; d < REAL_SERVERS; d++) {
                ops.add(new IpvsOp.AddRealServer(key,
                        RealServer.directRoute("10.20." + d + "." + (s % 250 + 1), 80 + s / 250, d + 1)));
            }
        }
        return ops;
    }

    /** The same rules as ipvsadm-restore input: each op's ipvsadm command line. */
    static String restoreText(List<IpvsOp> ops) {
        StringBuilder b = new StringBuilder();
        for (IpvsOp op : ops) {
            b.append(op.describe()).append('\n');
        }
        return b.toString();
    }

    /**
     * Makes an empty network namespace: its IPVS table is empty and has no history. A flushed table is not
     * the same: the kernel keeps deleted real servers in a trash list for minutes and scans that list on
     * every add (ip_vs_trash_get_dest), so re-adding 10,000 real servers right after a flush costs seconds
     * more, charged to whoever comes next.
     */
    private static void newNamespace(String ns) throws IOException, InterruptedException {
        exec("ip", "netns", "add", ns);
        exec("ip", "-n", ns, "link", "set", "lo", "up");
    }

    /**
     * Deletes a namespace and lets the kernel tear down its table (deferred work that would otherwise run
     * inside the next timed step on the lab's single CPU).
     */
    private static void dropNamespace(String ns) throws IOException, InterruptedException {
        exec("ip", "netns", "del", ns);
        Thread.sleep(SETTLE_MS);
    }

    /** What `ip netns exec NS` itself costs: the median of a few runs of {@code true} through it. */
    private static double timeWrapper() throws IOException, InterruptedException {
        newNamespace("benchw");
        double[] t = new double[5];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            exec("ip", "netns", "exec", "benchw", "true");
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        dropNamespace("benchw");
        return median(t);
    }

    private static double timeRestore(String ns, Path rules) throws IOException, InterruptedException {
        newNamespace(ns);
        Thread.sleep(SETTLE_MS);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "ipvsadm-restore")
                .redirectInput(rules.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int rc = p.waitFor();
        double t = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("ipvsadm-restore failed with " + rc);
        }
        checkCount(ns, SERVICES, SERVICES * REAL_SERVERS);
        return t;
    }

    /** Opens a socket in a new namespace (not timed: the director keeps its socket open), then applies. */
    private static double timeApply(String ns, AckPolicy policy, List<IpvsOp> ops)
            throws IOException, InterruptedException {
        newNamespace(ns);
        try (NetlinkIpvs ipvs = NetlinkIpvs.open(NetlinkOptions.defaults().withNetns(ns), policy)) {
            Thread.sleep(SETTLE_MS);
            long t0 = System.nanoTime();
            BatchResult result = ipvs.apply(ops);
            double t = (System.nanoTime() - t0) / 1e9;
            if (!result.allOk()) {
                throw new IllegalStateException("apply failed: " + result.firstFailure().orElseThrow());
            }
            return t;
        }
    }

    /** Encoding alone, then the connection's batch exchange alone. */
    private static double[] timeEncodeAndSend(String ns, List<IpvsOp> ops) throws IOException, InterruptedException {
        newNamespace(ns);
        try (NetlinkIpvs ipvs = NetlinkIpvs.open(NetlinkOptions.defaults().withNetns(ns), AckPolicy.LAST_OF_SEND)) {
            Thread.sleep(SETTLE_MS);
            long t0 = System.nanoTime();
            List<NetlinkRequest> requests = new ArrayList<>(ops.size());
            for (IpvsOp op : ops) {
                IpvsRequest r = IpvsCodec.request(op);
                requests.add(new NetlinkRequest(ipvs.familyId(), 0, r.genlPayload(), r.label()));
            }
            long t1 = System.nanoTime();
            BatchOutcome outcome = ipvs.connection().batch(requests, AckPolicy.LAST_OF_SEND);
            long t2 = System.nanoTime();
            if (!outcome.allOk()) {
                throw new IllegalStateException("batch failed: " + outcome.problems().get(0));
            }
            return new double[]{(t1 - t0) / 1e9, (t2 - t1) / 1e9};
        }
    }

    private static double timeList(String ns) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "ipvsadm", "-Ln", "--stats")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int rc = p.waitFor();
        double t = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("ipvsadm -Ln --stats failed with " + rc);
        }
        return t;
    }

    private static double timeSnapshot(String ns) throws IOException {
        try (NetlinkIpvs ipvs = NetlinkIpvs.open(ns)) {
            long t0 = System.nanoTime();
            IpvsSnapshot snap = ipvs.snapshot();
            double t = (System.nanoTime() - t0) / 1e9;
            int dests = snap.entries().stream().mapToInt(e -> e.realServers().size()).sum();
            if (snap.size() != SERVICES || dests != SERVICES * REAL_SERVERS) {
                throw new IllegalStateException("snapshot read " + snap.size() + " services, " + dests + " real servers");
            }
            return t;
        }
    }

    private static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("`" + String.join(" ", cmd) + "` failed");
        }
    }

    /** Checks the table ipvsadm-restore left, by counting {@code ipvsadm -Ln} lines (outside the timing). */
    private static void checkCount(String ns, int services, int dests) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "ipvsadm", "-Ln").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        long svc = text.lines().filter(l -> l.startsWith("TCP ")).count();
        long rs = text.lines().filter(l -> l.startsWith("  -> ") && !l.contains("RemoteAddress")).count();
        if (svc != services || rs != dests) {
            throw new IllegalStateException("ipvsadm-restore left " + svc + " services, " + rs + " real servers");
        }
    }

    private static String summary(String what, double[] v) {
        return String.format(Locale.ROOT, "%-24s median %7.3f s, best %7.3f s", what, median(v), min(v));
    }

    /**
     * Two estimates of a speed-up: the median of the per-round ratios (each round's two times were taken
     * seconds apart), and best against best (external load only ever adds time, so each side's fastest
     * round is its least disturbed one).
     */
    private static String ratio(String what, double[] slow, double[] fast, double goal) {
        double[] perRound = new double[slow.length];
        for (int i = 0; i < slow.length; i++) {
            perRound[i] = slow[i] / fast[i];
        }
        double med = median(perRound);
        double best = min(slow) / min(fast);
        String verdict = goal <= 0 ? "" : String.format(Locale.ROOT, " (goal >= %.0fx: %s)", goal,
                med >= goal && best >= goal ? "met" : med >= goal || best >= goal ? "met by one estimate" : "NOT met");
        return String.format(Locale.ROOT, "%s: %.1fx median of rounds, %.1fx best vs best%s", what, med, best, verdict);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static void log(StringBuilder report, String line) {
        System.out.println(line);
        report.append(line).append('\n');
    }
}
