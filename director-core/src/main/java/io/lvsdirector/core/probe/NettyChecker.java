package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 GET and TCP connect probes on Netty, epoll where the platform has it and NIO elsewhere.
 *
 * <p>A probe takes its answer from the status line without waiting for the body. HTTP probes keep
 * their connection between probes unless told not to (see {@link #create(int, boolean, boolean)}).
 * A probe that has not answered when its timeout fires is closed and reported as "timeout".
 *
 * <p>Thread-safe. {@link #close()} stops the I/O threads.
 */
public final class NettyChecker implements Checker, AutoCloseable {

    // Linux errno values as Netty's native transport reports them (negated).
    private static final int ECONNRESET = 104;
    private static final int ECONNREFUSED = 111;
    private static final int EHOSTUNREACH = 113;
    private static final int ENETUNREACH = 101;

    private static final AttributeKey<Attempt> CURRENT = AttributeKey.valueOf("lvs-director-probe");

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final String transport;
    private final boolean reuse;
    // Idle keep-alive connections, one per HTTP target at most.
    private final ConcurrentHashMap<ProbeTarget, Channel> idle = new ConcurrentHashMap<>();

    private NettyChecker(EventLoopGroup group, Class<? extends SocketChannel> channelClass, String transport,
            boolean reuse) {
        this.group = group;
        this.channelClass = channelClass;
        this.transport = transport;
        this.reuse = reuse;
        // Load the HTTP codec's classes now rather than inside the first probe's timeout.
        new HttpClientCodec();
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/").release();
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

    /**
     * {@inheritDoc}
     *
     * <p>Called on one of this checker's own threads, the probe runs on that thread, so its
     * completion needs no hand-over.
     */
    @Override
    public CompletionStage<ProbeResult> probe(ProbeTarget target) {
        EventLoop loop = null;
        for (io.netty.util.concurrent.EventExecutor e : group) {
            if (e.inEventLoop()) {
                loop = (EventLoop) e;
                break;
            }
        }
        Attempt attempt = new Attempt(target, loop != null ? loop : group.next());
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
        Channel ch = idle.remove(target);
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public void close() {
        idle.values().forEach(Channel::close);
        idle.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One probe: connect (or reuse), maybe ask, answer once. Touched only on its event loop. */
    private final class Attempt {
        final ProbeTarget target;
        final HealthCheck check;
        final EventLoop loop;
        final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        final long started = System.nanoTime();
        Channel channel;
        ScheduledFuture<?> timer;
        boolean reused;
        boolean answeredOnce;
        boolean keepAlive;
        boolean returned;
        ProbeResult answer;

        Attempt(ProbeTarget target, EventLoop loop) {
            this.target = target;
            this.check = target.check();
            this.loop = loop;
        }

        void start() {
            timer = loop.schedule(this::timedOut, check.timeout().toNanos(), TimeUnit.NANOSECONDS);
            if (reuse && check.kind() == HealthCheck.Kind.HTTP) {
                Channel kept = idle.remove(target);
                if (kept != null && kept.isActive() && kept.eventLoop() == loop) {
                    channel = kept;
                    reused = true;
                    kept.attr(CURRENT).set(this);
                    send();
                    return;
                }
                if (kept != null) {
                    kept.close();
                }
            }
            connect();
        }

        void connect() {
            long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(check.timeout().toNanos()
                    - (System.nanoTime() - started)));
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channel(channelClass)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMs)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (check.kind() == HealthCheck.Kind.HTTP) {
                                ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 8192));
                                ch.pipeline().addLast(new ResponseHandler(target));
                            }
                        }
                    });
            b.attr(CURRENT, this);
            ChannelFuture cf = b.connect(target.socketAddress());
            channel = cf.channel();
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    fail(reason(f.cause()));
                } else if (check.kind() == HealthCheck.Kind.TCP) {
                    finish(ProbeResult.Outcome.UP, "ok");
                } else {
                    send();
                }
            });
        }

        void send() {
            Channel ch = channel;
            ch.writeAndFlush(request()).addListener(w -> {
                if (!w.isSuccess() && ch == channel) {
                    fail(reason(w.cause()));
                }
            });
        }

        FullHttpRequest request() {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, check.path());
            String host = check.host();
            if (host == null) {
                String a = target.address().getHostAddress();
                host = (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + check.port();
            }
            req.headers().set(HttpHeaderNames.HOST, host);
            req.headers().set(HttpHeaderNames.USER_AGENT, "lvs-director");
            req.headers().set(HttpHeaderNames.ACCEPT, "*/*");
            if (!reuse) {
                req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            return req;
        }

        /**
         * The status line arrived: that is the answer. On a connection to keep, it is given once the
         * body has been read too, so that the next probe finds the connection free.
         */
        void answered(HttpResponse response) {
            answeredOnce = true;
            keepAlive = reuse && HttpUtil.isKeepAlive(response);
            int status = response.status().code();
            if (check.expectedStatuses().contains(status)) {
                answer = new ProbeResult(ProbeResult.Outcome.UP, "ok", Duration.ZERO);
            } else if (check.drainStatuses().contains(status)) {
                answer = new ProbeResult(ProbeResult.Outcome.DRAINING, "draining: " + status, Duration.ZERO);
            } else {
                answer = new ProbeResult(ProbeResult.Outcome.DOWN, "HTTP " + status, Duration.ZERO);
            }
            if (!keepAlive) {
                complete(answer.outcome(), answer.reason());
            }
        }

        /** The whole answer was read: keep the connection for the next probe, or close it. */
        void ended() {
            if (keepAlive && answer != null && !returned && channel.isActive()) {
                returned = true;
                timer.cancel(false);
                channel.attr(CURRENT).set(null);
                Channel previous = idle.put(target, channel);
                if (previous != null && previous != channel) {
                    previous.close();
                }
                complete(answer.outcome(), answer.reason());
            } else {
                timer.cancel(false);
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
                Channel old = channel;
                old.attr(CURRENT).set(null);
                old.close();
                connect();
                return;
            }
            finish(ProbeResult.Outcome.DOWN, reason);
        }

        void timedOut() {
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
            if (timer != null) {
                timer.cancel(false);
            }
            if (!returned && channel != null) {
                channel.close();
            }
            complete(outcome, reason);
        }

        /**
         * Answers, leaving the connection as it is: the timer stays armed, so a body that never ends
         * still gets its connection closed.
         */
        void complete(ProbeResult.Outcome outcome, String reason) {
            if (result.isDone()) {
                return;
            }
            result.complete(new ProbeResult(outcome, reason, Duration.ofNanos(System.nanoTime() - started)));
        }
    }

    /** Reads answers for whichever attempt currently owns the connection. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final ProbeTarget target;

        ResponseHandler(ProbeTarget target) {
            this.target = target;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Attempt attempt = ctx.channel().attr(CURRENT).get();
            if (attempt == null) {
                // Nothing asked: a server talking on an idle connection is not one to keep.
                ctx.close();
                return;
            }
            DecoderResult decoded = msg.decoderResult();
            if (decoded.isFailure()) {
                attempt.finish(ProbeResult.Outcome.DOWN, "bad HTTP answer");
                return;
            }
            if (msg instanceof HttpResponse response) {
                attempt.answered(response);
            }
            if (msg instanceof LastHttpContent) {
                attempt.ended();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Attempt attempt = ctx.channel().attr(CURRENT).get();
            if (attempt != null) {
                attempt.fail(reason(cause));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idle.remove(target, ctx.channel());
            Attempt attempt = ctx.channel().attr(CURRENT).get();
            if (attempt != null && attempt.channel == ctx.channel()) {
                attempt.fail("closed before answering");
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
