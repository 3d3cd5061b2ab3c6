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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 GET and TCP connect probes on Netty, epoll where the platform has it and NIO elsewhere.
 *
 * <p>Every probe opens its own connection ({@code Connection: close}), so a server that stops
 * accepting is seen at once, and takes its answer from the status line without waiting for the
 * body. A probe that has not finished when its timeout fires is closed and reported as "timeout".
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
    private final Class<? extends SocketChannel> channelClass;
    private final String transport;

    private NettyChecker(EventLoopGroup group, Class<? extends SocketChannel> channelClass, String transport) {
        this.group = group;
        this.channelClass = channelClass;
        this.transport = transport;
        // Load the HTTP codec's classes now rather than inside the first probe's timeout.
        new HttpClientCodec();
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/").release();
    }

    /**
     * A checker with its own I/O threads: epoll if available, else NIO.
     *
     * @param threads I/O threads; one carries thousands of probes a second
     */
    public static NettyChecker create(int threads) {
        return create(threads, Epoll.isAvailable());
    }

    /** As {@link #create(int)}, choosing the transport; epoll falls back to NIO where missing. */
    public static NettyChecker create(int threads, boolean preferEpoll) {
        DefaultThreadFactory factory = new DefaultThreadFactory("health-probe", true);
        if (preferEpoll && Epoll.isAvailable()) {
            return new NettyChecker(new EpollEventLoopGroup(threads, factory), EpollSocketChannel.class, "epoll");
        }
        return new NettyChecker(new NioEventLoopGroup(threads, factory), NioSocketChannel.class, "nio");
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
        attempt.start();
        return attempt.result;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One probe: connect, maybe ask, answer once. Touched only on its event loop after start. */
    private final class Attempt {
        final ProbeTarget target;
        final HealthCheck check;
        final EventLoop loop;
        final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        final long started = System.nanoTime();
        Channel channel;
        ScheduledFuture<?> timer;

        Attempt(ProbeTarget target, EventLoop loop) {
            this.target = target;
            this.check = target.check();
            this.loop = loop;
        }

        void start() {
            long timeoutMs = Math.max(1, check.timeout().toMillis());
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
                                ch.pipeline().addLast(new ResponseHandler(Attempt.this));
                            }
                        }
                    });
            timer = loop.schedule(() -> finish(ProbeResult.Outcome.DOWN, "timeout"), check.timeout().toNanos(),
                    TimeUnit.NANOSECONDS);
            ChannelFuture cf = b.connect(target.socketAddress());
            channel = cf.channel();
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    finish(ProbeResult.Outcome.DOWN, reason(f.cause()));
                } else if (check.kind() == HealthCheck.Kind.TCP) {
                    finish(ProbeResult.Outcome.UP, "ok");
                } else {
                    channel.writeAndFlush(request()).addListener(w -> {
                        if (!w.isSuccess()) {
                            finish(ProbeResult.Outcome.DOWN, reason(w.cause()));
                        }
                    });
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
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return req;
        }

        void answered(int status) {
            if (check.expectedStatuses().contains(status)) {
                finish(ProbeResult.Outcome.UP, "ok");
            } else if (check.drainStatuses().contains(status)) {
                finish(ProbeResult.Outcome.DRAINING, "draining: " + status);
            } else {
                finish(ProbeResult.Outcome.DOWN, "HTTP " + status);
            }
        }

        void finish(ProbeResult.Outcome outcome, String reason) {
            if (result.isDone()) {
                return;
            }
            if (timer != null) {
                timer.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
            result.complete(new ProbeResult(outcome, reason, Duration.ofNanos(System.nanoTime() - started)));
        }
    }

    /** Reads the status line of the answer. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Attempt attempt;

        ResponseHandler(Attempt attempt) {
            this.attempt = attempt;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            DecoderResult decoded = msg.decoderResult();
            if (decoded.isFailure()) {
                attempt.finish(ProbeResult.Outcome.DOWN, "bad HTTP answer");
            } else if (msg instanceof HttpResponse response) {
                attempt.answered(response.status().code());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.finish(ProbeResult.Outcome.DOWN, reason(cause));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            attempt.finish(ProbeResult.Outcome.DOWN, "closed before answering");
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
