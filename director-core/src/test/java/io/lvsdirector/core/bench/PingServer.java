package io.lvsdirector.core.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Many tiny HTTP servers in one process, one per loopback address, each answering {@code /ping}
 * with 200 unless told to refuse (its listener closed), stay silent, or answer another status.
 * Stands in for a fleet of Traefik nodes in the benchmarks.
 */
final class PingServer implements AutoCloseable {

    enum Mode { OK, SILENT, DOWN }

    /** Whether to keep connections open for clients that ask (as Traefik does); -Dping.keepalive=false to close. */
    static final boolean KEEP_ALIVE = !"false".equals(System.getProperty("ping.keepalive"));

    private final EventLoopGroup group;
    private final int port;
    private final Map<InetAddress, Channel> listeners = new ConcurrentHashMap<>();
    private final Map<InetAddress, Mode> modes = new ConcurrentHashMap<>();
    // The accepted connections per address: a node that goes DOWN drops its kept-alive connections
    // too, as a stopped server does (closing the listener alone leaves them answering).
    private final Map<InetAddress, ChannelGroup> children = new ConcurrentHashMap<>();
    // Connections accepted since start: a reconnect storm shows here as thousands a second.
    final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();

    // HTTPS when set: every listener speaks TLS with this context.
    private final io.netty.handler.ssl.SslContext tls;

    PingServer(int threads, int port) {
        this(threads, port, null);
    }

    PingServer(int threads, int port, io.netty.handler.ssl.SslContext tls) {
        this.group = new EpollEventLoopGroup(threads);
        this.port = port;
        this.tls = tls;
    }

    /** {@code n} loopback addresses from 127.1.0.1 on: 127.1.(i / 250).(i % 250 + 1). */
    static List<InetAddress> addresses(int n) throws Exception {
        return addresses("127.1", n);
    }

    /** {@code n} addresses in the /16 {@code net} ("A.B"): A.B.(i / 250).(i % 250 + 1). */
    static List<InetAddress> addresses(String net, int n) throws Exception {
        List<InetAddress> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(InetAddress.getByName(net + "." + (i / 250) + "." + (i % 250 + 1)));
        }
        return out;
    }

    void listen(InetAddress address) throws InterruptedException {
        modes.put(address, Mode.OK);
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        accepted.incrementAndGet();
                        if (tls != null) {
                            c.pipeline().addLast(tls.newHandler(c.alloc()));
                        }
                        children.computeIfAbsent(address, a -> new DefaultChannelGroup(GlobalEventExecutor.INSTANCE))
                                .add(c);
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(4096),
                                new Answer(address));
                    }
                })
                .bind(new InetSocketAddress(address, port)).sync().channel();
        listeners.put(address, ch);
    }

    void mode(InetAddress address, Mode mode) throws InterruptedException {
        if (mode == Mode.DOWN) {
            Channel ch = listeners.remove(address);
            if (ch != null) {
                ch.close().sync();
            }
            ChannelGroup accepted = children.get(address);
            if (accepted != null) {
                accepted.close().sync();
            }
        } else if (!listeners.containsKey(address)) {
            listen(address);
        }
        modes.put(address, mode);
    }

    int port() {
        return port;
    }

    private final class Answer extends SimpleChannelInboundHandler<HttpRequest> {
        private final InetAddress address;

        Answer(InetAddress address) {
            this.address = address;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpRequest req) {
            if (modes.get(address) == Mode.SILENT) {
                return;
            }
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("OK", StandardCharsets.US_ASCII));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
            if (KEEP_ALIVE && io.netty.handler.codec.http.HttpUtil.isKeepAlive(req)) {
                ctx.writeAndFlush(res);
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Runs as its own process for the CPU benchmark: {@code PingServer N PORT}; answers each line
     * {@code accepted} on stdin with {@code accepted COUNT}; stops when stdin closes.
     * {@code -Dping.busy=K} starts K threads that spin, to starve the ping threads of CPU.
     * {@code -Dping.tls.keystore=FILE} (PKCS#12, password {@code changeit}) makes every server HTTPS.
     */
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int port = Integer.parseInt(args[1]);
        // -Dping.threads: one thread answering 5,000 nodes is the benchmark's own bottleneck when the
        // machine is busy (see the README on reconnect storms).
        io.netty.handler.ssl.SslContext tls = null;
        String keyStore = System.getProperty("ping.tls.keystore");
        if (keyStore != null && !keyStore.isEmpty()) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            try (java.io.InputStream in = new java.io.FileInputStream(keyStore)) {
                ks.load(in, "changeit".toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "changeit".toCharArray());
            tls = io.netty.handler.ssl.SslContextBuilder.forServer(kmf)
                    .sslProvider(io.netty.handler.ssl.SslProvider.JDK).build();
        }
        try (PingServer server = new PingServer(Integer.getInteger("ping.threads", 1), port, tls)) {
            if (Boolean.getBoolean("ping.wildcard")) {
                // One listening socket for every address (0.0.0.0 takes all of 127/8): at 10,000 nodes a
                // listener each plus a connection each is more descriptors than the limit here (20,000).
                server.listen(InetAddress.getByName("0.0.0.0"));
            } else {
                for (InetAddress a : addresses(n)) {
                    server.listen(a);
                }
            }
            for (int i = 0; i < Integer.getInteger("ping.busy", 0); i++) {
                Thread spin = new Thread(() -> {
                    long x = 0;
                    while (true) {
                        x += System.nanoTime() & 1;
                        if (x == Long.MIN_VALUE) {
                            System.out.println(x);
                        }
                    }
                }, "busy-" + i);
                spin.setDaemon(true);
                spin.start();
            }
            System.out.println("ready " + n);
            System.out.flush();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("accepted")) {
                    System.out.println("accepted " + server.accepted.get());
                    System.out.flush();
                }
            }
        }
    }
}
