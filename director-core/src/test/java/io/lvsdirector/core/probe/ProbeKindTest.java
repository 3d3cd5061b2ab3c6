package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each kind on its own, without a socket: what it writes once connected and what it tells the probe
 * for the bytes it reads. The connection, timeout and reuse around it are {@link NettyCheckerTest}'s.
 */
class ProbeKindTest {

    /** What a kind told the probe, in order. */
    private static final class Recorder implements ProbeKind.Exchange {
        final List<String> events = new ArrayList<>();
        final List<String> written = new ArrayList<>();

        @Override
        public void write(ByteBuf bytes) {
            // As the checker does: the bytes are sent as they are and stay the kind's, not moved.
            written.add(bytes.toString(StandardCharsets.US_ASCII));
        }

        @Override
        public void answered(ProbeResult.Outcome outcome, String reason, boolean connectionReusable) {
            events.add("answered " + outcome + " " + reason + (connectionReusable ? " reusable" : " closing"));
        }

        @Override
        public void ended() {
            events.add("ended");
        }

        @Override
        public void finish(ProbeResult.Outcome outcome, String reason) {
            events.add("finish " + outcome + " " + reason);
        }
    }

    private static ProbeTarget target(HealthCheck check) throws Exception {
        return new ProbeTarget(InetAddress.getByName("10.0.0.7"), check);
    }

    /**
     * Feeds {@code text} to {@code reader} as the checker's connection does: again while the reader
     * asks for it, until the answer has ended with nothing left over.
     */
    private static void feed(ProbeKind.Reader reader, Recorder probe, String text) {
        ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        try {
            boolean again;
            do {
                again = reader.read(in, probe);
            } while (again && (in.isReadable() || !probe.events.get(probe.events.size() - 1).equals("ended")));
        } finally {
            in.release();
        }
    }

    @Test
    void theCheckRecordChoosesTheKind() throws Exception {
        assertThat(ProbeKind.of(target(HealthCheck.http().withPort(8080)), true)).isInstanceOf(HttpProbe.class);
        assertThat(ProbeKind.of(target(HealthCheck.tcp().withPort(80)), true)).isSameAs(TcpProbe.INSTANCE);
    }

    @Test
    void aTcpProbeIsUpOnceConnectedAndReadsNothing() throws Exception {
        ProbeKind tcp = ProbeKind.of(target(HealthCheck.tcp().withPort(80)), true);
        Recorder probe = new Recorder();
        tcp.connected(probe);
        assertThat(probe.events).containsExactly("finish UP ok");
        assertThat(probe.written).isEmpty();
        assertThat(tcp.newReader()).isNull();
    }

    @Test
    void anHttpProbeWritesItsWholeRequestOnEveryConnect() throws Exception {
        ProbeKind http = ProbeKind.of(target(HealthCheck.http().withPort(8080).withPath("/healthz")), true);
        Recorder probe = new Recorder();
        http.connected(probe);
        http.connected(probe);
        String request = "GET /healthz HTTP/1.1\r\nHost: 10.0.0.7:8080\r\nUser-Agent: lvs-director\r\n"
                + "Accept: */*\r\n\r\n";
        assertThat(probe.written).containsExactly(request, request);

        ProbeKind closing = ProbeKind.of(target(HealthCheck.http().withPort(8080).withHost("edge.example")), false);
        closing.connected(probe);
        assertThat(probe.written.get(2)).contains("Host: edge.example\r\n").contains("Connection: close\r\n");
    }

    @Test
    void anHttpReaderGivesTheStatusThenTheEndOfTheAnswer() throws Exception {
        HealthCheck.Http check = HealthCheck.http().withPort(8080).withStatuses(Set.of(200, 204), Set.of(503));
        ProbeKind http = ProbeKind.of(target(check), true);
        ProbeKind.Reader reader = http.newReader();
        Recorder probe = new Recorder();

        feed(reader, probe, "HTTP/1.1 204 No Content\r\n\r\n");
        feed(reader, probe, "HTTP/1.1 503 Unavailable\r\nContent-Length: 4\r\n\r\nbye!");
        feed(reader, probe, "HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        assertThat(probe.events).containsExactly(
                "answered UP ok reusable", "ended",
                "answered DRAINING draining: 503 reusable", "ended",
                "answered DOWN HTTP 500 closing", "ended");
    }

    @Test
    void anHttpReaderCallsGarbageABadAnswer() throws Exception {
        ProbeKind.Reader reader = ProbeKind.of(target(HealthCheck.http().withPort(8080)), true).newReader();
        Recorder probe = new Recorder();
        feed(reader, probe, "SSH-2.0-OpenSSH_9.2\r\n");
        assertThat(probe.events).containsExactly("finish DOWN bad HTTP answer");
    }

    @Test
    void anHttpReaderKeepsTheStatusOfABodyTooLongToRead() throws Exception {
        ProbeKind.Reader reader = ProbeKind.of(target(HealthCheck.http().withPort(8080)), true).newReader();
        Recorder probe = new Recorder();
        feed(reader, probe, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(HttpAnswerReader.MAX_BODY + 1) + "\r\n");
        assertThat(probe.events).containsExactly("answered UP ok reusable", "finish UP ok");
    }
}
