package io.lvsdirector.api.lab.failover;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load through a VIP while a director pair fails over, with only JDK classes so that it runs in the lab's
 * {@code client} namespace as {@code java -cp api/target/test-classes io.lvsdirector.api.lab.failover.FailoverLoad}.
 *
 * <p>Two kinds of traffic. <b>Established</b>: {@code --conns} HTTP/1.1 keep-alive connections, opened once,
 * each sending {@code GET /} every {@code --interval-ms} (±25 % jitter, so the connections do not march in
 * step) and checking the answer: status 200, a body {@code rsN}, and the same real server for the whole life
 * of the connection (a flow moved to another real server would be reset by it, and one answered by another
 * is a broken flow anyway). The first reset, EOF, timeout or wrong answer ends the connection: it did not
 * survive. <b>New</b>: {@code --new-per-s} connections a second, one request each.
 *
 * <p>Control is on standard input: {@code mark NAME} notes the moment of an event (the test's trigger) in
 * the client's own clock, {@code quiet} lets the {@code --quiet} connections (handshake done, nothing sent
 * yet) send their first request and go on like the others, {@code stop} (or end of input) ends the run and prints the report on standard
 * output: {@code failure ...} lines, then one {@code summary key=value ...} line. Gaps are the longest
 * stretch without a successful answer: over all established connections together (the VIP's outage as
 * established flows see it), per connection (the worst one), and over the new connections.
 *
 * <p>A request lost while the VIP moves is not retried by this client but by TCP: the kernel retransmits
 * after 200 ms, 400 ms, 800 ms, ... so an established flow resumes at the first retransmission after the
 * takeover, later than the VIP itself. The read timeout is long ({@code --timeout-ms}, 20 s) on purpose:
 * a flow that TCP carries over is a survivor, however long its gap; the gap is measured, not failed.
 */
public final class FailoverLoad {

    private final String vip;
    private final int port;
    private final int conns;
    private final int intervalMs;
    private final int newPerSecond;
    private final int timeoutMs;
    private final int quiet;
    private final CountDownLatch quietGo = new CountDownLatch(1);
    private final long t0 = System.nanoTime();
    private volatile boolean running = true;

    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Conn> established = new ArrayList<>();
    private final ConcurrentLinkedQueue<long[]> newResults = new ConcurrentLinkedQueue<>();
    private final AtomicLong estRequests = new AtomicLong();
    private final Map<String, Long> marks = new HashMap<>();

    private FailoverLoad(Map<String, String> opts) {
        vip = opts.getOrDefault("vip", "198.18.0.100");
        port = Integer.parseInt(opts.getOrDefault("port", "80"));
        conns = Integer.parseInt(opts.getOrDefault("conns", "40"));
        intervalMs = Integer.parseInt(opts.getOrDefault("interval-ms", "150"));
        newPerSecond = Integer.parseInt(opts.getOrDefault("new-per-s", "20"));
        timeoutMs = Integer.parseInt(opts.getOrDefault("timeout-ms", "20000"));
        quiet = Integer.parseInt(opts.getOrDefault("quiet", "0"));
    }

    private long now() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** One long-lived connection: its successful answer times and how it ended. */
    private final class Conn implements Runnable {
        final int id;
        final boolean isQuiet;
        final List<Long> ok = new ArrayList<>();
        volatile String server;
        volatile String failure;
        volatile long failedAt = -1;
        final CountDownLatch first = new CountDownLatch(1);

        Conn(int id, boolean isQuiet) {
            this.id = id;
            this.isQuiet = isQuiet;
        }

        @Override
        public void run() {
            byte[] request = ("GET / HTTP/1.1\r\nHost: " + vip + "\r\nUser-Agent: failover-load\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            java.util.Random random = new java.util.Random(id);
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(vip, port), timeoutMs);
                s.setSoTimeout(timeoutMs);
                InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                if (isQuiet) {
                    // Handshake only (two packets through the director), then silence until after the event.
                    first.countDown();
                    quietGo.await();
                }
                while (running) {
                    out.write(request);
                    out.flush();
                    String body = readResponse(in);
                    if (!body.matches("rs\\d+")) {
                        throw new IOException("wrong answer '" + body + "'");
                    }
                    if (server == null) {
                        server = body;
                    } else if (!server.equals(body)) {
                        throw new IOException("answered by " + body + ", was " + server);
                    }
                    long t = now();
                    synchronized (ok) {
                        ok.add(t);
                    }
                    estRequests.incrementAndGet();
                    first.countDown();
                    int jitter = intervalMs / 4;
                    Thread.sleep(intervalMs - jitter + random.nextInt(2 * jitter + 1));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (running) {
                    failedAt = now();
                    failure = cause(e);
                    failures.add("failure kind=" + (isQuiet ? "quiet" : "established") + " conn=" + id + " server=" + server + " t=" + failedAt
                            + " cause=\"" + failure + "\"");
                }
                first.countDown();
            }
        }
    }

    private static String cause(Exception e) {
        if (e instanceof SocketTimeoutException) {
            return "timeout";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('"', '\''));
    }

    /** Reads one HTTP/1.1 response with a Content-Length body; returns the body, trimmed. */
    private static String readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("EOF before the status line");
        }
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("status '" + status + "'");
        }
        int length = -1;
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(h.substring(colon + 1).trim());
            }
        }
        if (h == null) {
            throw new IOException("EOF in the headers");
        }
        if (length < 0) {
            throw new IOException("no Content-Length");
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("EOF in the body");
        }
        return new String(body, StandardCharsets.US_ASCII).trim();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    /** One new connection, one request, closed: {start, end, 1 ok / 0 failed}. */
    private void oneShot() {
        long start = now();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(vip, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + vip + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String body = readResponse(new java.io.BufferedInputStream(s.getInputStream()));
            if (!body.matches("rs\\d+")) {
                throw new IOException("wrong answer '" + body + "'");
            }
            newResults.add(new long[] {start, now(), 1});
        } catch (Exception e) {
            if (running) {
                long t = now();
                newResults.add(new long[] {start, t, 0});
                failures.add("failure kind=new start=" + start + " t=" + t + " cause=\"" + cause(e) + "\"");
            }
        }
    }

    /** The longest stretch between consecutive times (sorted), counted from {@code from} to {@code to}. */
    private static long longestGap(List<Long> times, long from, long to) {
        long prev = from;
        long gap = 0;
        for (long t : times) {
            if (t < from) {
                continue;
            }
            gap = Math.max(gap, t - prev);
            prev = t;
        }
        return Math.max(gap, to - prev);
    }

    private void run() throws Exception {
        ExecutorService estPool = Executors.newFixedThreadPool(conns + quiet);
        for (int i = 0; i < conns + quiet; i++) {
            Conn c = new Conn(i, i >= conns);
            established.add(c);
            estPool.submit(c);
        }
        for (Conn c : established) {
            c.first.await(60, TimeUnit.SECONDS);
        }
        long ready = now();
        // New connections start once the established ones are up: the report's window begins here.
        ExecutorService newPool = Executors.newFixedThreadPool(Math.max(4, newPerSecond * 2));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        if (newPerSecond > 0) {
            ticker.scheduleAtFixedRate(() -> newPool.submit(this::oneShot), 0, 1_000_000 / newPerSecond,
                    TimeUnit.MICROSECONDS);
        }
        long readyDead = established.stream().filter(c -> c.failure != null).count();
        System.out.println("READY t=" + ready + " conns=" + conns + " dead=" + readyDead);
        System.out.flush();

        BufferedReader control = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cmd;
        while ((cmd = control.readLine()) != null && !cmd.trim().equals("stop")) {
            if (cmd.trim().equals("quiet")) {
                // The quiet connections speak for the first time (the test sends this once the VIP moved).
                quietGo.countDown();
            } else if (cmd.startsWith("mark ")) {
                marks.put(cmd.substring(5).trim(), now());
                System.out.println("MARKED " + cmd.substring(5).trim() + " t=" + marks.get(cmd.substring(5).trim()));
                System.out.flush();
            }
        }
        long end = now();
        ticker.shutdownNow();
        newPool.shutdown();
        // New connections still in flight finish or time out; their answers count.
        newPool.awaitTermination(timeoutMs + 2000L, TimeUnit.MILLISECONDS);
        running = false;
        estPool.shutdownNow();
        estPool.awaitTermination(5, TimeUnit.SECONDS);
        report(ready, end);
        System.exit(0);
    }

    private void report(long ready, long end) {
        failures.forEach(System.out::println);
        List<Long> all = new ArrayList<>();
        long worstConnGap = 0;
        String worstConn = "-";
        int survived = 0;
        long failedConns = 0;
        int quietSurvived = 0;
        for (Conn c : established) {
            if (c.isQuiet) {
                quietSurvived += c.failure == null && !c.ok.isEmpty() ? 1 : 0;
                continue;
            }
            List<Long> ok;
            synchronized (c.ok) {
                ok = new ArrayList<>(c.ok);
            }
            all.addAll(ok);
            if (c.failure == null) {
                survived++;
                long g = longestGap(ok, ready, end);
                if (g > worstConnGap) {
                    worstConnGap = g;
                    worstConn = c.id + "/" + c.server;
                }
            } else {
                failedConns++;
            }
        }
        all.sort(null);
        long estGap = longestGap(all, ready, end);
        List<long[]> news = new ArrayList<>(newResults);
        List<Long> newOk = new ArrayList<>();
        long newFailed = 0;
        for (long[] r : news) {
            if (r[2] == 1) {
                newOk.add(r[1]);
            } else {
                newFailed++;
            }
        }
        newOk.sort(null);
        long newGap = newPerSecond > 0 ? longestGap(newOk, ready, end) : 0;
        // From the event to the first answer after it: how long the VIP stayed dark for new and established.
        StringBuilder markPart = new StringBuilder();
        for (Map.Entry<String, Long> m : marks.entrySet()) {
            long t = m.getValue();
            markPart.append(" mark.").append(m.getKey()).append("=").append(t)
                    .append(" estDarkAfter.").append(m.getKey()).append("=").append(darkAfter(all, t))
                    .append(" newDarkAfter.").append(m.getKey()).append("=").append(darkAfter(newOk, t));
        }
        Map<String, Integer> perServer = new java.util.TreeMap<>();
        established.stream().filter(c -> !c.isQuiet).forEach(c -> perServer.merge(String.valueOf(c.server), 1, Integer::sum));
        System.out.println("summary window=" + (end - ready) + " conns=" + conns + " survived=" + survived
                + " failedConns=" + failedConns + " estRequests=" + estRequests.get() + " estGapMs=" + estGap
                + " worstConnGapMs=" + worstConnGap + " worstConn=" + worstConn
                + " quiet=" + quiet + " quietSurvived=" + quietSurvived
                + " newAttempts=" + news.size() + " newFailed=" + newFailed + " newGapMs=" + newGap
                + " servers=" + perServer.toString().replace(" ", "") + markPart);
        System.out.flush();
    }

    /**
     * The longest gap between answers that starts within a second before the event or after it: the
     * outage the event caused, without the warm-up's gaps.
     */
    private static long darkAfter(List<Long> sortedOk, long event) {
        long gap = 0;
        long prev = -1;
        for (long t : sortedOk) {
            if (prev >= 0 && prev >= event - 1000) {
                gap = Math.max(gap, t - prev);
            }
            prev = t;
        }
        return gap;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("options are --name value: " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        new FailoverLoad(opts).run();
    }
}
