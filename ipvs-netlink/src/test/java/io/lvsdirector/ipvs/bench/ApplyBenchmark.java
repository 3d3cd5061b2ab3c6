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
 * <p>Runs inside the lab kernel, in its root network namespace, as root: {@code ipvs-netlink/bench.sh}.
 * Arguments: {@code [rounds]} (default 7). Results also go to {@code ipvs-netlink/target/bench/apply.txt}
 * (relative to the working directory the script sets).
 */
public final class ApplyBenchmark {

    private static final int SERVICES = 1000;
    private static final int REAL_SERVERS = 10;
    private static final long SETTLE_MS = 2000;

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
        int sendMessages;
        try (NetlinkIpvs ipvs = NetlinkIpvs.open();
             NetlinkIpvs ipvsEach = NetlinkIpvs.open(NetlinkOptions.defaults(), AckPolicy.EACH)) {
            sendMessages = ipvs.connection().maxSendMessages();
            log(report, "# NetlinkIpvs: up to " + sendMessages + " messages / "
                    + (ipvs.connection().options().maxSendBytes() >> 10) + " KiB per send; apply acks LAST_OF_SEND"
                    + " (apply-each: an ACK per message)");
            log(report, "# encode / send: apply split into encoding the 11,000 requests and the batch exchange alone");
            log(report, String.format(Locale.ROOT, "%-5s %14s %10s %14s %14s %10s %8s %8s", "round", "ipvsadm-restore",
                    "apply", "apply-each", "ipvsadm-Ln-st", "snapshot", "encode", "send"));
            for (int r = 0; r <= rounds; r++) {
                // Alternate who goes first, so drift within a round does not favour one side.
                boolean toolFirst = r % 2 == 0;
                double tRestore;
                double tApply;
                if (toolFirst) {
                    tRestore = timeRestore(ipvs, restoreFile);
                    tApply = timeApply(ipvs, ops);
                } else {
                    tApply = timeApply(ipvs, ops);
                    tRestore = timeRestore(ipvs, restoreFile);
                }
                // The table now holds the 11,000 entries (the same rules either way): read it both ways.
                double tList;
                double tSnap;
                if (toolFirst) {
                    tList = timeList();
                    tSnap = timeSnapshot(ipvs);
                } else {
                    tSnap = timeSnapshot(ipvs);
                    tList = timeList();
                }
                double tEach = timeApply(ipvsEach, ops);
                double[] split = timeEncodeAndSend(ipvs, ops);
                log(report, String.format(Locale.ROOT, "%-5s %14.3f %10.3f %14.3f %14.3f %10.3f %8.3f %8.3f",
                        r == 0 ? "warm" : Integer.toString(r), tRestore, tApply, tEach, tList, tSnap, split[0], split[1]));
                if (r > 0) {
                    restore[r - 1] = tRestore;
                    apply[r - 1] = tApply;
                    applyEach[r - 1] = tEach;
                    list[r - 1] = tList;
                    snapshot[r - 1] = tSnap;
                }
            }
            ipvs.flush();
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
     * Empties the table and lets the kernel finish freeing it: deleted services and destinations are
     * released by deferred work (RCU callbacks, the destination trash timer) that would otherwise run
     * inside the next timed step on the lab's single CPU, charged to whoever comes next.
     */
    private static void emptyAndSettle(NetlinkIpvs ipvs) throws InterruptedException {
        ipvs.flush();
        Thread.sleep(SETTLE_MS);
    }

    private static double timeRestore(NetlinkIpvs ipvs, Path rules) throws IOException, InterruptedException {
        // ipvsadm-restore flushes the table itself first; on an already empty table that costs nothing.
        emptyAndSettle(ipvs);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("ipvsadm-restore")
                .redirectInput(rules.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int rc = p.waitFor();
        double t = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("ipvsadm-restore failed with " + rc);
        }
        checkCount(SERVICES, SERVICES * REAL_SERVERS);
        return t;
    }

    private static double timeApply(NetlinkIpvs ipvs, List<IpvsOp> ops) throws InterruptedException {
        emptyAndSettle(ipvs);
        long t0 = System.nanoTime();
        BatchResult result = ipvs.apply(ops);
        double t = (System.nanoTime() - t0) / 1e9;
        if (!result.allOk()) {
            throw new IllegalStateException("apply failed: " + result.firstFailure().orElseThrow());
        }
        return t;
    }

    /** Encoding alone, then the connection's batch exchange alone, into a flushed table. */
    private static double[] timeEncodeAndSend(NetlinkIpvs ipvs, List<IpvsOp> ops) throws InterruptedException {
        emptyAndSettle(ipvs);
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

    private static double timeList() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("ipvsadm", "-Ln", "--stats")
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

    private static double timeSnapshot(NetlinkIpvs ipvs) {
        long t0 = System.nanoTime();
        IpvsSnapshot snap = ipvs.snapshot();
        double t = (System.nanoTime() - t0) / 1e9;
        int dests = snap.entries().stream().mapToInt(e -> e.realServers().size()).sum();
        if (snap.size() != SERVICES || dests != SERVICES * REAL_SERVERS) {
            throw new IllegalStateException("snapshot read " + snap.size() + " services, " + dests + " real servers");
        }
        return t;
    }

    /** Checks the table ipvsadm-restore left, by counting {@code ipvsadm -Ln} lines (outside the timing). */
    private static void checkCount(int services, int dests) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ipvsadm", "-Ln").redirectErrorStream(true).start();
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
