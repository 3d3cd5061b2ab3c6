package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.probe.HttpAnswerReader.Event;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpAnswerReaderTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /**
     * Feeds {@code parts} one after another, as reads off a socket, and writes down what the reader
     * says: "HEAD 200 keep", "HEAD 503 close", "END", "BAD", "TOO_LONG". After END with bytes left,
     * the next answer is read from them, as the checker would not (it closes) but a correct framing
     * must make possible.
     */
    private static List<String> events(String... parts) {
        HttpAnswerReader r = new HttpAnswerReader();
        List<String> out = new ArrayList<>();
        for (String part : parts) {
            ByteBuf in = bytes(part);
            boolean more = true;
            while (more) {
                Event e = r.read(in);
                switch (e) {
                    case MORE -> more = false;
                    case HEAD -> out.add("HEAD " + r.status() + (r.keepAlive() ? " keep" : " close"));
                    case END -> {
                        out.add("END");
                        more = in.isReadable();
                    }
                    default -> {
                        out.add(e.name());
                        return out;
                    }
                }
            }
            in.release();
        }
        return out;
    }

    private static final String OK_WITH_BODY = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nstatus";
    private static final String CHUNKED_503 = "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\ndrain\r\n"
            + "A\r\n0123456789\r\n"
            + "0\r\nX-Trailer: yes\r\n\r\n";

    @Test
    void aStatusAndABodyOfContentLength() {
        assertThat(events(OK_WITH_BODY)).containsExactly("HEAD 200 keep", "END");
    }

    @Test
    void theHeadWithoutItsBodyIsNotTheEnd() {
        assertThat(events("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsta")).containsExactly("HEAD 200 keep");
    }

    @Test
    void aChunkedBodyEndsAfterItsLastChunkAndTrailers() {
        assertThat(events(CHUNKED_503)).containsExactly("HEAD 503 keep", "END");
        // Without the blank line after the trailers the answer has not ended.
        assertThat(events(CHUNKED_503.substring(0, CHUNKED_503.length() - 2))).containsExactly("HEAD 503 keep");
    }

    @Test
    void twoAnswersSplitAtEveryByteAreReadExactly() {
        // Two answers back to back: a body miscounted by one byte would garble the second.
        String both = CHUNKED_503 + OK_WITH_BODY + "HTTP/1.1 204 No Content\r\n\r\n";
        for (int cut = 0; cut <= both.length(); cut++) {
            assertThat(events(both.substring(0, cut), both.substring(cut)))
                    .as("split at %d", cut)
                    .containsExactly("HEAD 503 keep", "END", "HEAD 200 keep", "END", "HEAD 204 keep", "END");
        }
        // And one byte a read.
        assertThat(events(both.split(""))).containsExactly("HEAD 503 keep", "END", "HEAD 200 keep", "END",
                "HEAD 204 keep", "END");
    }

    @Test
    void bytesAfterAnAnswerAreLeftInTheBuffer() {
        HttpAnswerReader r = new HttpAnswerReader();
        ByteBuf in = bytes(OK_WITH_BODY + "HTTP/1.1 500 Oops\r\n");
        assertThat(r.read(in)).isEqualTo(Event.HEAD);
        assertThat(r.read(in)).isEqualTo(Event.END);
        assertThat(in.toString(StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 500 Oops\r\n");
        in.release();
    }

    @Test
    void connectionCloseAndHttp10DoNotKeepTheConnection() {
        assertThat(events("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
                .containsExactly("HEAD 200 close", "END");
        assertThat(events("HTTP/1.1 200 OK\r\nconnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n"))
                .containsExactly("HEAD 200 close", "END");
        assertThat(events("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).containsExactly("HEAD 200 close", "END");
        assertThat(events("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"))
                .containsExactly("HEAD 200 keep", "END");
    }

    @Test
    void aBodyWithoutLengthRunsToTheCloseAndIsNeverKept() {
        assertThat(events("HTTP/1.1 200 OK\r\n\r\nwhatever", "more and more")).containsExactly("HEAD 200 close");
        assertThat(events("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n1\r\nx\r\n0\r\n\r\n"))
                .containsExactly("HEAD 200 close");
    }

    @Test
    void lastCodingChunkedIsChunkedAndBothFramingsAreReadButNotTrusted() {
        assertThat(events("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"))
                .containsExactly("HEAD 200 keep", "END");
        assertThat(events("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"))
                .containsExactly("HEAD 200 close", "END");
    }

    @Test
    void noBodyStatusesEndAtTheHeadAndInterimAnswersAreSkipped() {
        assertThat(events("HTTP/1.1 204 No Content\r\n\r\n")).containsExactly("HEAD 204 keep", "END");
        assertThat(events("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"))
                .containsExactly("HEAD 304 keep", "END");
        assertThat(events("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
                .containsExactly("HEAD 200 keep", "END");
    }

    @Test
    void bodiesOverTheCapAreNotKept() {
        int cap = HttpAnswerReader.MAX_BODY;
        assertThat(events("HTTP/1.1 200 OK\r\nContent-Length: " + (cap + 1) + "\r\n\r\n"))
                .containsExactly("HEAD 200 close");
        assertThat(events("HTTP/1.1 200 OK\r\nContent-Length: " + cap + "\r\n\r\n", "x".repeat(cap)))
                .containsExactly("HEAD 200 keep", "END");
        String chunk = Integer.toHexString(cap / 2) + "\r\n" + "x".repeat(cap / 2) + "\r\n";
        assertThat(events("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "1\r\n"))
                .containsExactly("HEAD 200 keep", "TOO_LONG");
    }

    @Test
    void garbageIsBad() {
        assertThat(events("SSH-2.0-OpenSSH_9.2\r\n")).containsExactly("BAD");
        assertThat(events("HTTP/2 200\r\n\r\n")).containsExactly("BAD");
        assertThat(events("HTTP/1.1 2000 OK\r\n\r\n")).containsExactly("BAD");
        assertThat(events("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")).containsExactly("BAD");
        assertThat(events("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n")).containsExactly("BAD");
        assertThat(events("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"))
                .containsExactly("BAD");
        assertThat(events("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).containsExactly("HEAD 200 keep",
                "BAD");
        assertThat(events("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n")).containsExactly(
                "HEAD 200 keep", "BAD");
    }

    @Test
    void overlongHeadsAreBadEvenWhenSplit() {
        String longLine = "HTTP/1.1 200 " + "x".repeat(HttpAnswerReader.MAX_STATUS_LINE);
        assertThat(events(longLine.substring(0, 100), longLine.substring(100))).containsExactly("BAD");
        String header = "X-Filler: " + "y".repeat(1000) + "\r\n";
        assertThat(events("HTTP/1.1 200 OK\r\n", header.repeat(9), "Content-Length: 0\r\n\r\n"))
                .containsExactly("BAD");
        assertThat(events("HTTP/1.1 200 OK\r\n", header.repeat(7), "Content-Length: 0\r\n\r\n"))
                .containsExactly("HEAD 200 keep", "END");
    }
}
