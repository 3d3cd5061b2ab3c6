package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 {@code GET path} with {@code Host} (the check's, else {@code address:port}); the status
 * line is the answer: an expected status is up, a drain status is draining, anything else is down
 * ("HTTP 500").
 *
 * <p>On a connection the server lets us keep, the answer is given once its body has been read to
 * the end ({@link HttpAnswerReader}), so the next probe finds the connection free; if the body does
 * not come in time the status still stands.
 *
 * <p>Per probe it allocates nothing of its own: the request is encoded once per target and written
 * as it is (the checker leaves its indices alone), and the answer to a status is built once and
 * reused while the status stays the same.
 */
final class HttpProbe implements ProbeKind {

    private final HealthCheck.Http check;
    private final ByteBuf request;
    // The answer to the status last seen, so a steady target builds no new strings.
    private volatile Answer last;

    HttpProbe(ProbeTarget target, HealthCheck.Http check, boolean keepAlive) {
        this.check = check;
        this.request = request(target, check, keepAlive);
    }

    /** Runs the answer reader once, so its classes are loaded before any probe's clock starts. */
    static void warmUp() {
        ByteBuf warm = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII);
        HttpAnswerReader reader = new HttpAnswerReader();
        while (reader.read(warm) != HttpAnswerReader.Event.END) {
            // head, then the empty body
        }
        warm.release();
    }

    @Override
    public void connected(Exchange probe) {
        probe.write(request);
    }

    @Override
    public Reader newReader() {
        return new AnswerReading();
    }

    /**
     * The GET request of a target, encoded once. A direct buffer (the native transport writes it
     * without a copy, and the checker may send it from its address straight) that cannot be
     * released: what goes into a channel is a {@code duplicate()}, a view with its own indices over
     * the same bytes, so no write can move another's reader index or free the bytes under a write
     * still queued; the memory goes with the last reference, through the JDK's cleaner.
     */
    static ByteBuf request(ProbeTarget target, HealthCheck.Http check, boolean keepAlive) {
        String host = check.host();
        if (host == null) {
            // The probed address: the VIP for a check via the VIP, as a client would name it.
            String a = target.socketAddress().getAddress().getHostAddress();
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

    private Answer answer(int status) {
        Answer a = last;
        if (a == null || a.status() != status) {
            a = Answer.of(check, status);
            last = a;
        }
        return a;
    }

    /** A status code in outcome and words; the same code always gives the same answer. */
    private record Answer(int status, ProbeResult.Outcome outcome, String reason) {
        static Answer of(HealthCheck.Http check, int status) {
            if (check.expectedStatuses().contains(status)) {
                return new Answer(status, ProbeResult.Outcome.UP, "ok");
            }
            if (check.drainStatuses().contains(status)) {
                return new Answer(status, ProbeResult.Outcome.DRAINING, "draining: " + status);
            }
            return new Answer(status, ProbeResult.Outcome.DOWN, "HTTP " + status);
        }
    }

    /** One connection's answers, read in turn. */
    private final class AnswerReading implements Reader {
        final HttpAnswerReader reader = new HttpAnswerReader();
        // The answer whose head was read last on this connection.
        Answer answer;

        @Override
        public boolean read(ByteBuf in, Exchange probe) {
            return switch (reader.read(in)) {
                case MORE -> false;
                case HEAD -> {
                    Answer a = answer(reader.status());
                    if (a != answer) {
                        // Written only when it changes: a reference stored into a long-lived object
                        // costs the collector work (a dirtied card) even when it is the same one.
                        answer = a;
                    }
                    probe.answered(a.outcome(), a.reason(), reader.keepAlive());
                    yield true;
                }
                case END -> {
                    probe.ended();
                    yield true;
                }
                case BAD -> {
                    probe.finish(ProbeResult.Outcome.DOWN, "bad HTTP answer");
                    yield false;
                }
                case TOO_LONG -> {
                    // Only a body grows too long: its head, and so the answer, came first.
                    probe.finish(answer.outcome(), answer.reason());
                    yield false;
                }
            };
        }
    }
}
