package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeRoutes;
import io.lvsdirector.core.health.ProbeTarget;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.channel.unix.Socket;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Probes on Netty, epoll where the platform has it and NIO elsewhere: the part every kind of check
 * shares. What a probe writes and how it reads the answer is its {@link ProbeKind}'s ({@link
 * HttpProbe}, {@link TcpProbe}), chosen by the check's record; this class connects, times out, keeps
 * a connection the kind and the server allow for the next probe (unless told not to, see {@link
 * #create(int, boolean, boolean)}), retries a kept connection the server dropped while idle, names
 * connection errors, and answers. A probe that has not answered when its timeout fires is reported
 * as "timeout".
 *
 * <p>A timeout does not cost a connection. The request went out on a kept connection, so its answer
 * is still owed: the connection stays, the late answer is read and dropped when it comes, and the
 * next probe waits on the same connection for it before writing its own request (it never takes the
 * late answer for its own). Closing instead made a slow server accept a new connection per probe,
 * which cost it more and made it slower still: a reconnect storm. Only a connection that has owed an
 * answer for longer than {@link #silenceLimit} is closed, and the reconnects after such closes
 * back off ({@link #reconnectBackoff}: 0, 1 s, 2 s ... 10 s while no answer comes), so a silent
 * server costs one connection per several seconds at most.
 *
 * <p>Per probe the shared path allocates little: one attempt and its result; timeouts sit on the
 * loop's {@link TickWheel} (so they fire up to {@value TickWheel#TICK_MILLIS} ms late, never early).
 * {@link HealthProber} on this checker's own threads takes a shorter way in ({@link #probe(Link,
 * EventLoop, TickWheel, long, Completion)}): it holds its target's {@link Link} and is told the result
 * directly, with no map lookup, future or callback object per probe.
 *
 * <p>Thread-safe. {@link #close()} stops the I/O threads.
 */
public final class NettyChecker implements Checker, AutoCloseable {

    // Linux errno values as Netty's native transport reports them (negated).
    private static final int ECONNRESET = 104;
    private static final int ECONNREFUSED = 111;
    private static final int EHOSTUNREACH = 113;
    private static final int ENETUNREACH = 101;

    /** The longest a kept connection may owe an answer before it is closed: at least 1 s. */
    static final Duration MIN_SILENCE = Duration.ofSeconds(1);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final EventLoopGroup group;
    private final EventLoop[] loops;
    private final Map<EventExecutor, TickWheel> wheels;
    private final Class<? extends SocketChannel> channelClass;
    private final String transport;
    private final boolean reuse;
    // What each target keeps between probes: its kind (HTTP's encoded request) and its idle connection.
    private final ConcurrentHashMap<ProbeTarget, Link> links = new ConcurrentHashMap<>();
    // How probes via a VIP reach their real server (ViaVip); none until the loop says.
    private volatile ProbeRoutes routes = ProbeRoutes.none(ViaVip.NO_ROUTES);
    /** Set by {@link #close()}: a probe that loses its connection then ends there, with no fresh one. */
    private volatile boolean closing;

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
        ProbeKind.warmUp();
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
     * A checker choosing the transport (epoll falls back to NIO where missing) and whether probes
     * reuse their connection (HTTP's; a TCP connect never does).
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
        // I/O ratio 100: after its I/O the loop runs every queued task instead of a time-boxed share,
        // which skips two or three clock reads per wake-up of the loop (system calls in a virtualised
        // kernel, where the loop wakes about once per answer). The tasks here are short: a wheel
        // turn fires at most TickWheel.BATCH timers.
        if (preferEpoll && Epoll.isAvailable()) {
            EpollEventLoopGroup g = new EpollEventLoopGroup(threads, factory);
            g.setIoRatio(100);
            return new NettyChecker(g, EpollSocketChannel.class, "epoll", reuseConnections);
        }
        NioEventLoopGroup g = new NioEventLoopGroup(threads, factory);
        g.setIoRatio(100);
        return new NettyChecker(g, NioSocketChannel.class, "nio", reuseConnections);
    }

    /** As {@link #create(int, boolean, boolean)} with connection reuse. */
    public static NettyChecker create(int threads, boolean preferEpoll) {
        return create(threads, preferEpoll, true);
    }

    /**
     * Where probes via a VIP get their mark and source address: the reconcile loop's
     * ({@code ReconcileLoop#probeRoutes}). Until set, every probe via a VIP fails with a reason.
     */
    public void useRoutes(ProbeRoutes probeRoutes) {
        this.routes = java.util.Objects.requireNonNull(probeRoutes, "probeRoutes");
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
        Link link = link(target);
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        Completion done = result::complete;
        Attempt attempt;
        if (loop != null) {
            // On a loop, the wheel's clock: inside a turn that starts a batch of probes, one read of the clock for all.
            TickWheel wheel = wheels.get(loop);
            attempt = new Attempt(link, loop, wheel, wheel.now(), done);
        } else {
            EventLoop next = group.next();
            attempt = new Attempt(link, next, wheels.get(next), System.nanoTime(), done);
        }
        if (attempt.loop.inEventLoop()) {
            attempt.start();
        } else {
            attempt.loop.execute(attempt::start);
        }
        return result;
    }

    /** Whoever waits for a probe: told its result once, on the probe's loop. */
    interface Completion {
        void probed(ProbeResult result);
    }

    /**
     * What this checker keeps for {@code target} (its kind, its kept connection), made on first use.
     * A holder must take a new one once the old is {@linkplain Link#released() released}.
     */
    Link link(ProbeTarget target) {
        Link link = links.get(target);
        if (link == null) {
            link = links.computeIfAbsent(target, t -> new Link(t, ProbeKind.of(t, reuse)));
        }
        return link;
    }

    /**
     * A probe of {@code link}'s target started on {@code loop} (the caller's own, one of this
     * checker's) at {@code now} (the wheel's clock), told to {@code done} on that loop, perhaps before
     * this returns. The way {@link HealthProber} probes: per probe no map lookup, no future, no
     * callback object, which at 10,000 probes a second were a fair part of a probe's own CPU.
     */
    void probe(Link link, EventLoop loop, TickWheel wheel, long now, Completion done) {
        new Attempt(link, loop, wheel, now, done).start();
    }

    /** Closes the kept connection of a target no longer probed. Thread-safe. */
    @Override
    public void release(ProbeTarget target) {
        Link link = links.remove(target);
        if (link != null) {
            link.released = true;
            Connection c = link.takeIdle();
            if (c != null) {
                c.channel.close();
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        for (Link link : links.values()) {
            link.released = true;
            Connection c = link.takeIdle();
            if (c != null) {
                c.channel.close();
            }
        }
        links.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * How long a kept connection may owe the answer of a timed-out probe before it is closed: three
     * intervals, at least {@link #MIN_SILENCE}. Long enough that a server answering late (CPU-starved,
     * paused for GC) is read on the connection it has; short enough that a node whose answer is lost
     * for good (it dropped the request, as a node that was silent and came back) is back in about a
     * second with the default check, not after minutes of waiting on a dead request.
     */
    static long silenceLimit(ProbeTarget target) {
        return Math.max(MIN_SILENCE.toNanos(), 3 * target.check().interval().toNanos());
    }

    /**
     * The wait before opening a new connection after {@code silentCloses} kept connections in a row
     * were closed for owing an answer too long: none after the first, then 1 s doubling to 10 s. An
     * answer on any connection of the target resets the count.
     */
    static long reconnectBackoff(int silentCloses) {
        if (silentCloses <= 1) {
            return 0;
        }
        return Math.min(MAX_BACKOFF_NANOS, TimeUnit.SECONDS.toNanos(1) << Math.min(silentCloses - 2, 10));
    }

    /** What a target keeps between probes. */
    static final class Link {
        private static final VarHandle IDLE;

        static {
            try {
                IDLE = MethodHandles.lookup().findVarHandle(Link.class, "idle", Connection.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final ProbeTarget target;
        final long timeoutNanos;
        final boolean viaVip;
        final ProbeKind kind;
        // At most one kept connection, idle or owing a late answer; taken by the next probe, put back
        // after its answer (or its timeout). Swapped atomically (release() may run on another thread);
        // a field rather than an AtomicReference, one object less to load per probe.
        private volatile Connection idle;
        // Kept connections closed in a row for owing an answer too long, and when the next may open.
        volatile int silentCloses;
        volatile long reconnectAt;
        // No longer this checker's (the target was released): a connection parked here is closed.
        volatile boolean released;

        Link(ProbeTarget target, ProbeKind kind) {
            this.target = target;
            this.timeoutNanos = target.check().timeout().toNanos();
            this.viaVip = target.vip() != null;
            this.kind = kind;
        }

        /** Takes the kept connection, if any. */
        Connection takeIdle() {
            return (Connection) IDLE.getAndSet(this, (Connection) null);
        }

        /** Keeps {@code c} for the next probe; returns the one it replaces. */
        Connection putIdle(Connection c) {
            return (Connection) IDLE.getAndSet(this, c);
        }

        /** Forgets {@code c} if it is the kept one. */
        void dropIdle(Connection c) {
            IDLE.compareAndSet(this, c, (Connection) null);
        }

        /** An answer came: the count of silent connections starts again (written only when it changes). */
        void answered() {
            if (silentCloses != 0) {
                silentCloses = 0;
            }
        }

        /** Whether the checker has let this go: whoever holds it takes a new one with {@link #link}. */
        boolean released() {
            return released;
        }
    }

    /**
     * One probe: connect (or reuse), let the kind talk, answer once. Touched only on its event loop.
     */
    private final class Attempt extends TickWheel.Timer implements ProbeKind.Exchange {
        final ProbeTarget target;
        final long timeout;
        final Link link;
        final EventLoop loop;
        final TickWheel wheel;
        final Completion done;
        final long started;
        // The result was given.
        boolean completed;
        Channel channel;
        Connection connection;
        boolean reused;
        // Holding a connection that still owes an earlier probe's answer: the request waits for it.
        boolean waiting;
        // The request was written: if it times out, its answer is owed on this connection.
        boolean sent;
        boolean keepAlive;
        boolean returned;
        // The answer once the kind has given it (before the rest of it has been read).
        ProbeResult.Outcome outcome;
        String reason;

        Attempt(Link link, EventLoop loop, TickWheel wheel, long started, Completion done) {
            this.target = link.target;
            this.started = started;
            this.timeout = link.timeoutNanos;
            this.link = link;
            this.loop = loop;
            this.wheel = wheel;
            this.done = done;
        }

        void start() {
            wheel.arm(this, started + timeout);
            if (reuse) {
                Connection kept = link.takeIdle();
                if (kept != null && kept.owed > 0 && started - kept.owedSince > silenceLimit(target)) {
                    // Silent for too long: the answer is not coming. Reconnect, backing off if the
                    // connections before it went silent too.
                    kept.channel.close();
                    int closes = link.silentCloses + 1;
                    link.silentCloses = closes;
                    link.reconnectAt = started + reconnectBackoff(closes);
                    kept = null;
                }
                if (kept != null && kept.channel.isActive() && kept.channel.eventLoop() == loop) {
                    channel = kept.channel;
                    connection = kept;
                    reused = true;
                    kept.current = this;
                    if (kept.owed > 0) {
                        // The late answer comes first; Connection.ended(), once it is read, writes ours.
                        waiting = true;
                    } else {
                        link.kind.connected(this);
                    }
                    return;
                }
                if (kept != null) {
                    kept.channel.close();
                }
                if (link.silentCloses > 1 && started - link.reconnectAt < 0) {
                    // Backing off: the server has not answered for a while, and a new connection
                    // per probe is what a slow server can least afford.
                    finish(ProbeResult.Outcome.DOWN, "timeout");
                    return;
                }
            }
            connect();
        }

        void connect() {
            ProbeRoutes.Route route = null;
            if (target.vip() != null) {
                route = ViaVip.route(routes, target, channelClass == EpollSocketChannel.class);
                if (!route.ready()) {
                    finish(ProbeResult.Outcome.DOWN, route.problem());
                    return;
                }
            }
            long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout - (System.nanoTime() - started)));
            ProbeKind.Reader reader = link.kind.newReader();
            Connection c = reader != null ? new Connection(link, reader) : null;
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channel(channelClass)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMs)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            int handlers = ch.pipeline().toMap().size();
                            link.kind.initChannel(ch);
                            if (c != null) {
                                if (ch instanceof EpollSocketChannel e && ch.pipeline().toMap().size() == handlers) {
                                    // The kind put nothing between the probe and the socket (TLS does):
                                    // requests may go to the socket straight, see write().
                                    c.socket = (Socket) e.fd();
                                }
                                ch.pipeline().addLast(c);
                            }
                        }
                    });
            ChannelFuture cf;
            if (route == null) {
                cf = b.connect(target.socketAddress());
            } else {
                // Marked for the real server's internal fwmark service, sent from the director's own
                // address (ViaVip): IPVS hands it to that one real server addressed to VIP:port.
                b.option(ViaVip.SO_MARK, route.mark());
                cf = b.connect(target.socketAddress(), new InetSocketAddress(route.source(), 0));
            }
            channel = cf.channel();
            connection = c;
            if (c != null) {
                c.channel = channel;
                c.current = this;
            }
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    fail(reason(f.cause()));
                } else if (completed) {
                    cf.channel().close();
                } else {
                    link.kind.connected(this);
                }
            });
        }

        /**
         * Sends the request. Where nothing stands between the probe and the socket (epoll, a kind
         * without a handler of its own, nothing queued), straight to the socket: the same one send()
         * the channel would make, without the pipeline, the outbound buffer, a view of the bytes and a
         * queue entry per probe, which at 10,000 probes a second were the larger part of a probe's own
         * CPU. The bytes are the kind's encoded request, so a view of them goes into the pipeline.
         */
        @Override
        public void write(ByteBuf bytes) {
            sent = true;
            Socket socket = connection != null ? connection.socket : null;
            // Only from the channel's own loop and while it is open: there nothing can close the
            // descriptor between the check and the send (a closed one's number may belong to another
            // socket by then). Elsewhere (a kept connection another caller's loop made) the channel's way.
            if (socket != null && channel.eventLoop().inEventLoop() && channel.isOpen() && bytes.hasMemoryAddress()) {
                int n;
                try {
                    n = socket.sendAddress(bytes.memoryAddress(), bytes.readerIndex(), bytes.writerIndex());
                } catch (IOException | RuntimeException e) {
                    // As a failed write through the pipeline: the attempt fails with the reason (a kept
                    // connection is tried once more on a fresh one), and the connection is closed.
                    Channel failed = channel;
                    fail(reason(e));
                    failed.close();
                    return;
                }
                if (n == bytes.readableBytes()) {
                    return;
                }
                // A full send buffer (not on a connection that owes nothing, but possible): the rest
                // goes through the channel, which waits for room, and so does every later write on
                // this connection, to stay behind it.
                connection.socket = null;
                channel.writeAndFlush(bytes.duplicate().skipBytes(n), channel.voidPromise());
                return;
            }
            // A void promise: a failed write reaches Connection.exceptionCaught (or channelInactive),
            // which fails this attempt, without a promise and a listener per probe.
            channel.writeAndFlush(bytes.duplicate(), channel.voidPromise());
        }

        /** That is the answer, given now unless the rest of it must be read first. */
        @Override
        public void answered(ProbeResult.Outcome outcome, String reason, boolean connectionReusable) {
            keepAlive = reuse && connectionReusable;
            this.outcome = outcome;
            this.reason = reason;
            if (!keepAlive) {
                // Nothing more is wanted from this connection.
                finish(outcome, reason);
            }
        }

        /** The whole answer was read: keep the connection for the next probe, or close it. */
        @Override
        public void ended() {
            TickWheel.disarm(this);
            connection.current = null;
            link.answered();
            if (keepAlive && outcome != null && !returned && channel.isActive()) {
                park();
                complete(outcome, reason);
            } else {
                channel.close();
                if (outcome != null) {
                    complete(outcome, reason);
                }
            }
        }

        /**
         * The connection failed. On a reused one that never answered, the server most likely closed
         * it while idle: try once more on a fresh connection while time is left.
         */
        void fail(String why) {
            if (completed) {
                channel.close();
                return;
            }
            if (outcome != null) {
                finish(outcome, reason);
                return;
            }
            // Not while closing: the stopping loop refuses a new channel, and the probe would end
            // with that refusal as its reason instead of the close.
            if (reused && !closing && System.nanoTime() - started < timeout) {
                reused = false;
                waiting = false;
                connection.current = null;
                channel.close();
                connect();
                return;
            }
            finish(ProbeResult.Outcome.DOWN, why);
        }

        @Override
        void expire() {
            if (returned) {
                return;
            }
            if (outcome != null) {
                // The answer came in time; only the rest of it did not. It stands.
                finish(outcome, reason);
            } else if (reuse && connection != null && (sent || waiting) && channel.isActive()) {
                keepOwing();
            } else {
                finish(ProbeResult.Outcome.DOWN, "timeout");
            }
        }

        /**
         * A timeout on a connection whose answer is still owed (ours, or an earlier probe's we were
         * waiting behind): keep the connection for the next probe, which waits for that answer; its
         * bytes are read and dropped when they come.
         */
        void keepOwing() {
            if (!waiting) {
                connection.owed = 1;
                connection.owedSince = started;
            }
            connection.current = null;
            park();
            complete(ProbeResult.Outcome.DOWN, "timeout");
        }

        /** Hands the connection back as the target's idle one, for the next probe. */
        private void park() {
            returned = true;
            Connection previous = link.putIdle(connection);
            if (previous != null && previous != connection) {
                previous.channel.close();
            }
            if (link.released) {
                // Released meanwhile: nobody will take this connection again.
                link.dropIdle(connection);
                channel.close();
            }
        }

        /** Answers and closes the connection. */
        @Override
        public void finish(ProbeResult.Outcome outcome, String reason) {
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
            if (completed) {
                return;
            }
            completed = true;
            if (outcome == ProbeResult.Outcome.DOWN && link.viaVip) {
                reason = ViaVip.reason(target, reason);
            }
            // The wheel's clock on its own loop (read once per wake-up of the loop, not per answer).
            long now = wheel.loop().inEventLoop() ? wheel.now() : System.nanoTime();
            done.probed(new ProbeResult(outcome, reason, Duration.ofNanos(Math.max(0, now - started))));
        }
    }

    /** A connection whose kind reads answers: hands its bytes to whichever attempt owns it now. */
    private final class Connection extends ChannelInboundHandlerAdapter implements ProbeKind.Exchange {
        final Link link;
        final ProbeKind.Reader reader;
        Channel channel;
        // The channel's socket while a request may be sent to it straight (see Attempt.write), else null.
        Socket socket;
        Attempt current;
        // Answers still owed to probes that timed out (0 or 1: nothing is written while one is owed),
        // and when the request of the oldest went out.
        int owed;
        long owedSince;
        boolean closed;

        Connection(Link link, ProbeKind.Reader reader) {
            this.link = link;
            this.reader = reader;
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
            while (!closed && (in.isReadable() || current != null || owed > 0)) {
                if (owed > 0) {
                    // A late answer: read to its end with this connection as the exchange, so none
                    // of it reaches a probe.
                    if (!reader.read(in, this)) {
                        return;
                    }
                    continue;
                }
                Attempt a = current;
                if (a == null) {
                    // Bytes nobody asked for: an extra answer or garbage. Not a connection to keep,
                    // and they must never be taken for the next probe's answer.
                    channel.close();
                    return;
                }
                if (!reader.read(in, a)) {
                    return;
                }
            }
        }

        // The exchange of a late answer, which nobody waits for any more.

        @Override
        public void write(ByteBuf bytes) {
            throw new IllegalStateException("a late answer writes nothing");
        }

        @Override
        public void answered(ProbeResult.Outcome outcome, String reason, boolean connectionReusable) {
            if (!reuse || !connectionReusable) {
                close();
            }
        }

        /** The late answer was read: the connection is free again for the probe waiting on it, if any. */
        @Override
        public void ended() {
            owed = 0;
            link.answered();
            Attempt waiting = current;
            if (waiting != null && waiting.waiting) {
                waiting.waiting = false;
                link.kind.connected(waiting);
            }
        }

        @Override
        public void finish(ProbeResult.Outcome outcome, String reason) {
            // A late answer that is garbage or too long: the connection cannot be trusted again.
            close();
        }

        private void close() {
            closed = true;
            channel.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
                // The TLS handshake failed (certificate not trusted, no common protocol): the handler
                // closes the connection; the probe gets the TLS reason, not "closed before answering".
                Attempt a = current;
                if (a != null) {
                    a.fail(reason(e.cause()));
                }
            }
            ctx.fireUserEventTriggered(evt);
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
            closed = true;
            link.dropIdle(this);
            Attempt a = current;
            if (a != null && a.channel == ctx.channel()) {
                a.fail("closed before answering");
            }
        }
    }

    /**
     * A TLS failure in words, starting {@code tls:}: the JDK's messages name the cause but wrap it in
     * class names ("PKIX path building failed: sun.security..."), so the usual ones are said plainly.
     */
    static String tlsReason(Throwable ssl) {
        for (Throwable t = ssl; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof java.security.cert.CertPathBuilderException || m.startsWith("PKIX path building failed")) {
                return "tls: certificate not trusted (no path to a trusted CA)";
            }
            if (t instanceof java.security.cert.CertPathValidatorException v) {
                // A CA of the same name that did not sign it ("signature check failed"), a revoked or
                // otherwise invalid chain.
                return "tls: certificate not trusted (" + v.getMessage() + ")";
            }
            if (t instanceof java.security.cert.CertificateExpiredException) {
                return "tls: certificate expired";
            }
            if (t instanceof java.security.cert.CertificateException
                    && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
                return "tls: certificate name does not match: " + m;
            }
        }
        String m = ssl.getMessage();
        return "tls: " + (m == null ? ssl.getClass().getSimpleName() : m);
    }

    /** A failure in words, decided by errno where the native transport gives one. */
    static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return tlsReason(t);
            }
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
