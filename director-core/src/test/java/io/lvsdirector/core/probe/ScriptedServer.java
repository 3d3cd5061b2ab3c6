package io.lvsdirector.core.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP/HTTP server on a loopback address whose answer a test scripts: a status code, a slow
 * answer, a reset, or silence.
 */
final class ScriptedServer implements AutoCloseable {

    enum Mode { STATUS, SLOW, RESET, SILENT, KEEP_ALIVE, KEEP_ALIVE_THEN_DROP, SLOW_KEEP_ALIVE, RAW }

    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-server");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Future<?> acceptor;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<String> requestLines = new CopyOnWriteArrayList<>();
    final List<String> hostHeaders = new CopyOnWriteArrayList<>();
    /** TLS: the server name each handshake asked for ("" without SNI), and handshakes that failed. */
    final List<String> serverNames = new CopyOnWriteArrayList<>();
    final AtomicInteger failedHandshakes = new AtomicInteger();
    volatile Mode mode = Mode.STATUS;
    volatile int status = 200;
    volatile long delayMillis;
    /** In RAW mode: the bytes answering each request, written part by part with a pause between. */
    volatile List<byte[]> script = List.of();
    volatile long pauseMillis;
    /** The next this-many requests are answered 500 whatever the mode says. */
    final AtomicInteger failNext = new AtomicInteger();

    ScriptedServer(String address) throws IOException {
        this(address, 0);
    }

    /** A server on {@code address} and {@code port} (0: any free port). */
    ScriptedServer(String address, int port) throws IOException {
        this(address, port, null);
    }

    /** An HTTPS server presenting {@code tls}'s certificate; handshakes and SNI names are recorded. */
    ScriptedServer(String address, javax.net.ssl.SSLContext tls) throws IOException {
        this(address, 0, tls);
    }

    private ScriptedServer(String address, int port, javax.net.ssl.SSLContext tls) throws IOException {
        socket = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(address), port), 1024);
        acceptor = pool.submit(this::acceptLoop);
    }

    int port() {
        return socket.getLocalPort();
    }

    InetAddress address() {
        return socket.getInetAddress();
    }

    ScriptedServer answer(int code) {
        mode = Mode.STATUS;
        status = code;
        return this;
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.incrementAndGet();
                open.add(s);
                try {
                    pool.execute(() -> serve(s));
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    s.close();
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            if (s instanceof javax.net.ssl.SSLSocket ssl) {
                try {
                    ssl.startHandshake();
                } catch (IOException e) {
                    failedHandshakes.incrementAndGet();
                    return;
                }
                List<javax.net.ssl.SNIServerName> names =
                        ((javax.net.ssl.ExtendedSSLSession) ssl.getSession()).getRequestedServerNames();
                serverNames.add(names.isEmpty() ? ""
                        : new String(names.get(0).getEncoded(), StandardCharsets.US_ASCII));
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            requests.incrementAndGet();
            requestLines.add(line);
            readHeaders(in);
            if (mode == Mode.RAW) {
                serveRaw(s, in);
                return;
            }
            if (mode == Mode.SLOW_KEEP_ALIVE) {
                serveSlowKeepAlive(s, in);
                return;
            }
            if (mode == Mode.KEEP_ALIVE || mode == Mode.KEEP_ALIVE_THEN_DROP) {
                serveKeepAlive(s, in);
                return;
            }
            int code = status;
            Mode m = mode;
            if (failNext.getAndUpdate(x -> Math.max(0, x - 1)) > 0) {
                code = 500;
                m = Mode.STATUS;
            }
            switch (m) {
                case RESET:
                    s.setSoLinger(true, 0);
                    return;
                case SILENT:
                    Thread.sleep(5_000);
                    return;
                case SLOW:
                    Thread.sleep(delayMillis);
                    break;
                default:
                    break;
            }
            OutputStream out = s.getOutputStream();
            byte[] body = ("status " + code + "\n").getBytes(StandardCharsets.US_ASCII);
            out.write(("HTTP/1.1 " + code + " X\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (IOException | InterruptedException e) {
            // The client gave up first (a timeout); nothing to do.
        } finally {
            open.remove(s);
        }
    }

    private void readHeaders(BufferedReader in) throws IOException {
        String h;
        while ((h = in.readLine()) != null && !h.isEmpty()) {
            if (h.regionMatches(true, 0, "Host:", 0, 5)) {
                hostHeaders.add(h.substring(5).trim());
            }
        }
    }

    /**
     * HTTP/1.1 keep-alive: answers request after request on one connection; in
     * KEEP_ALIVE_THEN_DROP mode, closes without answering the second request, as a server whose
     * idle timeout fires just as the request arrives.
     */
    private void serveKeepAlive(Socket s, BufferedReader in) throws IOException {
        OutputStream out = s.getOutputStream();
        int onThisConnection = 0;
        while (true) {
            onThisConnection++;
            if (mode == Mode.KEEP_ALIVE_THEN_DROP && onThisConnection == 2) {
                return;
            }
            byte[] body = ("status " + status + "\n").getBytes(StandardCharsets.US_ASCII);
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String line = in.readLine();
            if (line == null) {
                return;
            }
            requests.incrementAndGet();
            requestLines.add(line);
            readHeaders(in);
        }
    }

    /**
     * SLOW_KEEP_ALIVE: answers request after request on one connection, each after the
     * {@code delayMillis} in force when the request came, with the status in force then: a
     * CPU-starved server whose answers come late but come.
     */
    private void serveSlowKeepAlive(Socket s, BufferedReader in) throws IOException, InterruptedException {
        OutputStream out = s.getOutputStream();
        while (true) {
            int code = status;
            long delay = delayMillis;
            Thread.sleep(delay);
            byte[] body = ("status " + code + "\n").getBytes(StandardCharsets.US_ASCII);
            out.write(("HTTP/1.1 " + code + " X\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String line = in.readLine();
            if (line == null) {
                return;
            }
            requests.incrementAndGet();
            requestLines.add(line);
            readHeaders(in);
        }
    }

    /** RAW: answers every request on the connection with the script, whatever it says. */
    private void serveRaw(Socket s, BufferedReader in) throws IOException, InterruptedException {
        s.setTcpNoDelay(true); // each part its own segment, so the client reads them apart
        OutputStream out = s.getOutputStream();
        while (true) {
            for (byte[] part : script) {
                out.write(part);
                out.flush();
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
            String line = in.readLine();
            if (line == null) {
                return;
            }
            requests.incrementAndGet();
            requestLines.add(line);
            readHeaders(in);
        }
    }

    /** RAW mode with these parts (US-ASCII text) answering each request. */
    ScriptedServer raw(long pause, String... parts) {
        script = java.util.Arrays.stream(parts).map(x -> x.getBytes(StandardCharsets.US_ASCII)).toList();
        pauseMillis = pause;
        mode = Mode.RAW;
        return this;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        // The kernel keeps listening until the thread blocked in accept() has left it (the JDK only
        // signals it): until then a new connection is still accepted, and then reset. A test that
        // expects "connect refused" right after close() must not see that.
        try {
            acceptor.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("accept loop did not end", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : open) {
            s.close();
        }
        pool.shutdownNow();
    }
}
