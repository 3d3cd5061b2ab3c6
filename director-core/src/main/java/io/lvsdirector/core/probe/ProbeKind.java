package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeTarget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.SocketChannel;

/**
 * One kind of check on the wire: what a probe writes once connected and how it reads the answer
 * (seesaw's {@code healthcheck/http.go}, {@code tcp.go}). Everything else is {@link NettyChecker}'s,
 * shared by every kind: the event loops and their {@link TickWheel}s, connecting, the timeout, the
 * kept-alive connection and the retry of one the server dropped while idle, connection errors in
 * words, and the result.
 *
 * <p>One instance per probe target, made by {@link #of} when the target is first probed and kept
 * until it is released; its methods run on the probe's event loop, so they must not block.
 */
interface ProbeKind {

    /**
     * The kind a target's check asks for: the one place a check record meets its probe class.
     *
     * @param keepAlive whether the checker keeps connections between probes (an HTTP request then
     *     does not ask for {@code Connection: close})
     */
    static ProbeKind of(ProbeTarget target, boolean keepAlive) {
        return target.check().match(http -> new HttpProbe(target, http, keepAlive),
                https -> new HttpsProbe(target, https, keepAlive), tcp -> TcpProbe.INSTANCE);
    }

    /** Loads what the kinds' hot paths use now, rather than inside some first probe's timeout. */
    static void warmUp() {
        HttpProbe.warmUp();
    }

    /**
     * A new connection's channel, before it connects: where a kind that wraps the byte stream (TLS)
     * adds its handler. Most kinds add nothing.
     */
    default void initChannel(SocketChannel channel) {
    }

    /**
     * The connection is up, new or kept from the last probe: start the exchange. Either answer at
     * once with {@link Exchange#finish} (TCP) or write a request and let the {@link Reader} answer.
     */
    void connected(Exchange probe);

    /**
     * A reader for a new connection of this target, or {@code null} when this kind reads nothing:
     * then the connection gets no handler at all.
     */
    Reader newReader();

    /** Turns one connection's bytes into answers. One per connection, used on its event loop. */
    interface Reader {

        /**
         * Reads what it can of {@code in} for {@code probe}, the probe that owns the connection now.
         * Bytes that arrive while no probe owns it are never given to a reader: the checker closes
         * the connection instead, so they cannot be taken for the next probe's answer.
         *
         * @return true to be called again (something happened; the rest of {@code in} may be more
         *     of the answer or bytes nobody asked for), false to wait for more bytes or because the
         *     probe is finished
         */
        boolean read(ByteBuf in, Exchange probe);
    }

    /** A probe as a kind sees it; implemented by the checker, used on the probe's event loop. */
    interface Exchange {

        /**
         * Writes and flushes the readable bytes of {@code bytes}, which stay the kind's: their indices
         * and reference count are left as they are, so a kind can write the same encoded request every
         * probe. A write that fails fails the probe with its reason in words.
         */
        void write(ByteBuf bytes);

        /**
         * The answer is known. With {@code connectionReusable} (and a checker that reuses
         * connections) the rest of it is read first, {@link #ended()} says when, and the connection
         * is then kept for the next probe; otherwise the probe answers now and the connection is
         * closed. If the rest does not come within the timeout, this answer still stands.
         */
        void answered(ProbeResult.Outcome outcome, String reason, boolean connectionReusable);

        /** The whole answer has been read: the connection holds nothing more of it. */
        void ended();

        /** Answers now and closes the connection. */
        void finish(ProbeResult.Outcome outcome, String reason);
    }
}
