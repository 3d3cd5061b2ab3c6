package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP/1.1 GET and TCP connect probes on Netty, epoll where the platform has it and NIO elsewhere.
 *
 * <p>A probe takes its answer from the status line. HTTP probes keep their connection between
 * probes unless told not to (see {@link #create(int, boolean, boolean)}); on a kept connection the
 * answer is given once its body has been read to the end, so the next probe finds the connection
 * free. A probe that has not answered when its timeout fires is closed and reported as "timeout".
 *
 * <p>Per probe the hot path allocates little: the request of each target is encoded once and
 * written as a view of the same bytes, answers are read by {@link HttpAnswerReader} without a header
 * map, and timeouts sit on the loop's {@link TickWheel} (so they fire up to
 * {@value TickWheel#TICK_MILLIS} ms late, never early).
 *
 * <p>Thread-safe. {@link #close()} stops the I/O threads.
 */
public final class NettyChecker implements Checker, AutoCloseable {

    // Linux errno values as Netty's native transport reports them (negated).
    private static final int ECONNRESET = 104;
    private static final int ECONNREFUSED = 111;
    private static final int EHOSTUNREACH = 113;
    private static final int ENETUNREACH = 101;

    private final EventLoopGroup group;
    private final EventLoop[] loops;
    private final Map<EventExecutor, TickWheel> wheels;
    private final Class<? extends SocketChannel> channelClass;
    private final String transport;
    private final boolean reuse;
    // What each HTTP target keeps between probes: its encoded request and its idle connection.
    private final ConcurrentHashMap<ProbeTarget, Link> links = new ConcurrentHashMap<>();

    private NettyChecker(EventLoopGroup group, Class<? extends SocketChannel> channelClass, String transport,
            boolean reuse) {
        this.group = group;
        this.channelClass = channelClass;
        this.transport = transport;
        this.reuse = reuse;
        List<EventLoop> all = new ArrayList<>();
        group.forEach(e -> all.add((EventLoop) e));
        this.loops = all.toArray(new EventLoop[0]);
        this.wheels = TickWheel.forEach(group);
        // Load the answer reader's classes now rather than inside the first probe's timeout.
        ByteBuf warm = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII);
        HttpAnswerReader reader = new HttpAnswerReader();
        while (reader.read(warm) != HttpAnswerReader.Event.END) {
            // head, then the empty body
        }
        warm.release();
    }

    /**
     * A checker with its own I/O threads: epoll if available, else NIO; HTTP connections kept alive
     * between probes.
     *
     * @param threads I/O threads; one carries thousands of probes a second
     */
    public static NettyChecker create(int threads) {
        return create(threads, true, true);
    }

    /**
     * A checker choosing the transport (epoll falls back to NIO where missing) and whether HTTP probes
     * reuse their connection.
     *
     * <p>Reuse (HTTP/1.1 keep-alive) makes a probe one request and one answer instead of a TCP
     * handshake, request, answer and teardown: several times less CPU on both ends. It still sees
     * what matters: a stopped server closes its connections and refuses the next, a dead one lets
     * the request time out, a draining one answers 503. A kept connection that fails before any
     * answer (the server closed it while idle) is retried once on a fresh connection within the same
     * timeout, so an idle timeout on the server is never reported as a failure.
     */
    public static NettyChecker create(int threads, boolean preferEpoll, boolean reuseConnections) {
        DefaultThreadFactory factory = new DefaultThreadFactory("health-probe", true);
        if (preferEpoll && Epoll.isAvailable()) {
            return new NettyChecker(new EpollEventLoopGroup(threads, factory), EpollSocketChannel.class, "epoll",
                    reuseConnections);
        }
        return new NettyChecker(new NioEventLoopGroup(threads, factory), NioSocketChannel.class, "nio",
                reuseConnections);
    }

    /** As {@link #create(int, boolean, boolean)} with connection reuse. */
    public static NettyChecker create(int threads, boolean preferEpoll) {
        return create(threads, preferEpoll, true);
    }

    /** {@code epoll} or {@code nio}. */
    public String transport() {
        return transport;
    }

    /** The I/O threads, which the prober also uses as its timers. */
    EventLoopGroup group() {
        return group;
    }

    /** The wheel that times probes on {@code loop}, one of this checker's threads. */
    TickWheel wheel(EventExecutor loop) {
        return wheels.get(loop);
    }

    /** Every thread's wheel, for a prober on the same threads. */
    Map<EventExecutor, TickWheel> wheels() {
        return wheels;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Called on one of this checker's own threads, the probe runs on that thread, so its
     * completion needs no hand-over.
     */
    @Override
    public CompletionStage<ProbeResult> probe(ProbeTarget target) {
        EventLoop loop = null;
        for (EventLoop e : loops) {
            if (e.inEventLoop()) {
                loop = e;
                break;
            }
        }
        Link link = null;
        if (target.check().kind() == HealthCheck.Kind.HTTP) {
            link = links.get(target);
            if (link == null) {
                link = links.computeIfAbsent(target, t -> new Link(request(t, reuse)));
            }
        }
        Attempt attempt = new Attempt(target, link, loop != null ? loop : group.next());
        if (attempt.loop.inEventLoop()) {
            attempt.start();
        } else {
            attempt.loop.execute(attempt::start);
        }
        return attempt.result;
    }

    /** Closes the kept connection of a target no longer probed. Thread-safe. */
    @Override
    public void release(ProbeTarget target) {
        Link link = links.remove(target);
        if (link != null) {
            Connection c = link.idle.getAndSet(null);
            if (c != null) {
                c.channel.close();
            }
        }
    }

    @Override
    public void close() {
        for (Link link : links.values()) {
            Connection c = link.idle.getAndSet(null);
            if (c != null) {
                c.channel.close();
            }
        }
        links.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * The GET request of a target, encoded once. A direct buffer (the native transport writes it
     * without a copy) that cannot be released: each probe writes a {@code duplicate()}, a view with
     * its own indices over the same bytes, so no write can move another's reader index or free the
     * bytes under a write still queued; the memory goes with the last reference, through the JDK's
     * cleaner.
     */
    static ByteBuf request(ProbeTarget target, boolean keepAlive) {
        HealthCheck check = target.check();
        String host = check.host();
        if (host == null) {
            String a = target.address().getHostAddress();
            host = (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + check.port();
        }
        String text = "GET " + check.path() + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "User-Agent: lvs-director\r\n"
                + "Accept: */*\r\n"
                + (keepAlive ? "" : "Connection: close\r\n")
                + "\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
    }

    /** A status code in outcome and words; the same code always gives the same answer. */
    private record Answer(int status, ProbeResult.Outcome outcome, String reason) {
        static Answer of(HealthCheck check, int status) {
            if (check.expectedStatuses().contains(status)) {
                return new Answer(status, ProbeResult.Outcome.UP, "ok");
            }
            if (check.drainStatuses().contains(status)) {
                return new Answer(status, ProbeResult.Outcome.DRAINING, "draining: " + status);
            }
            return new Answer(status, ProbeResult.Outcome.DOWN, "HTTP " + status);
        }
    }

    /** What an HTTP target keeps between probes. */
    private static final class Link {
        final ByteBuf request;
        // At most one idle connection; taken by the next probe, put back after its answer.
        final AtomicReference<Connection> idle = new AtomicReference<>();
        // The answer to the status last seen, so a steady target builds no new strings.
        volatile Answer last;

        Link(ByteBuf request) {
            this.request = request;
        }

        Answer answer(HealthCheck check, int status) {
            Answer a = last;
            if (a == null || a.status() != status) {
                a = Answer.of(check, status);
                last = a;
            }
            return a;
        }
    }

    /** One probe: connect (or reuse), maybe ask, answer once. Touched only on its event loop. */
    private final class Attempt extends TickWheel.Timer {
        final ProbeTarget target;
        final HealthCheck check;
        final Link link;
        final EventLoop loop;
        final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        final long started = System.nanoTime();
        Channel channel;
        Connection connection;
        boolean reused;
        boolean answeredOnce;
        boolean keepAlive;
        boolean returned;
        Answer answer;

        Attempt(ProbeTarget target, Link link, EventLoop loop) {
            this.target = target;
            this.check = target.check();
            this.link = link;
            this.loop = loop;
        }

        void start() {
            wheels.get(loop).arm(this, started + check.timeout().toNanos());
            if (reuse && link != null) {
                Connection kept = link.idle.getAndSet(null);
                if (kept != null && kept.channel.isActive() && kept.channel.eventLoop() == loop) {
                    channel = kept.channel;
                    connection = kept;
                    reused = true;
                    kept.current = this;
                    send();
                    return;
                }
                if (kept != null) {
                    kept.channel.close();
                }
            }
            connect();
        }

        void connect() {
            long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(check.timeout().toNanos()
                    - (System.nanoTime() - started)));
            Connection c = link != null ? new Connection(link) : null;
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channel(channelClass)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMs)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (c != null) {
                                ch.pipeline().addLast(c);
                            }
                        }
                    });
            ChannelFuture cf = b.connect(target.socketAddress());
            channel = cf.channel();
            connection = c;
            if (c != null) {
                c.channel = channel;
                c.current = this;
            }
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    fail(reason(f.cause()));
                } else if (link == null) {
                    finish(ProbeResult.Outcome.UP, "ok");
                } else if (!result.isDone()) {
                    send();
                }
            });
        }

        void send() {
            // A void promise: a failed write reaches Connection.exceptionCaught (or channelInactive),
            // which fails this attempt, without a promise and a listener per probe.
            channel.writeAndFlush(link.request.duplicate(), channel.voidPromise());
        }

        /** The head arrived: that is the answer, given now unless the body must be read first. */
        void answered(int status, boolean persistent) {
            answeredOnce = true;
            keepAlive = reuse && persistent;
            answer = link.answer(check, status);
            if (!keepAlive) {
                // Nothing more is wanted from this connection.
                finish(answer.outcome(), answer.reason());
            }
        }

        /** The whole answer was read: keep the connection for the next probe, or close it. */
        void ended() {
            TickWheel.disarm(this);
            connection.current = null;
            if (keepAlive && answer != null && !returned && channel.isActive()) {
                returned = true;
                Connection previous = link.idle.getAndSet(connection);
                if (previous != null && previous != connection) {
                    previous.channel.close();
                }
                if (links.get(target) != link) {
                    // Released meanwhile: nobody will take this connection again.
                    link.idle.compareAndSet(connection, null);
                    channel.close();
                }
                complete(answer.outcome(), answer.reason());
            } else {
                channel.close();
                if (answer != null) {
                    complete(answer.outcome(), answer.reason());
                }
            }
        }

        /**
         * The connection failed. On a reused one that never answered, the server most likely closed
         * it while idle: try once more on a fresh connection while time is left.
         */
        void fail(String reason) {
            if (result.isDone()) {
                channel.close();
                return;
            }
            if (answer != null) {
                finish(answer.outcome(), answer.reason());
                return;
            }
            if (reused && !answeredOnce && System.nanoTime() - started < check.timeout().toNanos()) {
                reused = false;
                connection.current = null;
                channel.close();
                connect();
                return;
            }
            finish(ProbeResult.Outcome.DOWN, reason);
        }

        @Override
        void expire() {
            if (returned) {
                return;
            }
            if (answer != null) {
                // The status came in time; only the body did not. The status is the answer.
                finish(answer.outcome(), answer.reason());
            } else {
                finish(ProbeResult.Outcome.DOWN, "timeout");
            }
        }

        /** Answers and closes the connection. */
        void finish(ProbeResult.Outcome outcome, String reason) {
            TickWheel.disarm(this);
            if (connection != null && connection.current == this) {
                connection.current = null;
            }
            if (!returned && channel != null) {
                channel.close();
            }
            complete(outcome, reason);
        }

        void complete(ProbeResult.Outcome outcome, String reason) {
            if (result.isDone()) {
                return;
            }
            result.complete(new ProbeResult(outcome, reason, Duration.ofNanos(System.nanoTime() - started)));
        }
    }

    /** An HTTP connection: reads answers for whichever attempt currently owns it. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final Link link;
        final HttpAnswerReader reader = new HttpAnswerReader();
        Channel channel;
        Attempt current;

        Connection(Link link) {
            this.link = link;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf in) {
                    read(in);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void read(ByteBuf in) {
            while (in.isReadable() || current != null) {
                Attempt a = current;
                if (a == null) {
                    // Bytes nobody asked for: an extra answer or garbage. Not a connection to keep,
                    // and they must never be taken for the next probe's answer.
                    channel.close();
                    return;
                }
                switch (reader.read(in)) {
                    case MORE -> {
                        return;
                    }
                    case HEAD -> a.answered(reader.status(), reader.keepAlive());
                    case END -> a.ended();
                    case BAD -> {
                        a.finish(ProbeResult.Outcome.DOWN, "bad HTTP answer");
                        return;
                    }
                    case TOO_LONG -> {
                        a.finish(a.answer.outcome(), a.answer.reason());
                        return;
                    }
                    default -> throw new IllegalStateException();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Attempt a = current;
            if (a != null) {
                a.fail(reason(cause));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            link.idle.compareAndSet(this, null);
            Attempt a = current;
            if (a != null && a.channel == ctx.channel()) {
                a.fail("closed before answering");
            }
        }
    }

    /** A failure in words, decided by errno where the native transport gives one. */
    static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.netty.channel.ConnectTimeoutException) {
                return "timeout";
            }
            if (t instanceof Errors.NativeIoException n) {
                int errno = -n.expectedErr();
                if (errno == ECONNREFUSED) {
                    return "connect refused";
                }
                if (errno == ECONNRESET) {
                    return "connection reset";
                }
                if (errno == EHOSTUNREACH || errno == ENETUNREACH) {
                    return "no route to host";
                }
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
        }
        // The JDK's NIO exceptions carry no errno; their messages are the only clue.
        String m = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (cause instanceof ConnectException && m.contains("refused")) {
            return "connect refused";
        }
        if (cause instanceof IOException && m.contains("reset")) {
            return "connection reset";
        }
        return "error: " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    }
}
