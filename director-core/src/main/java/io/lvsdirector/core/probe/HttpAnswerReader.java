package io.lvsdirector.core.probe;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Reads HTTP/1.x answers off a probe connection: the status code, whether the connection may carry
 * the next probe, and then exactly the bytes of the body, framed by {@code Content-Length} or
 * chunked encoding, so that nothing of one answer is ever taken for the next. Header values other
 * than the framing ones are skipped, not kept.
 *
 * <p>Why not Netty's {@code HttpClientCodec}: a probe needs one number from the answer, and the codec
 * built a header map, a response object and content objects for every answer, which was most of a
 * probe's own CPU at thousands of probes a second.
 *
 * <p>Limits as the codec had them: a status line of at most {@value #MAX_STATUS_LINE} bytes and a
 * header section of at most {@value #MAX_HEADERS}. A body longer than {@value #MAX_BODY} bytes is not
 * read: the status still answers the probe, but the connection is not kept (reading it every probe
 * would cost more than a new connection).
 *
 * <p>Not thread-safe: one per connection, used on its event loop.
 */
final class HttpAnswerReader {

    static final int MAX_STATUS_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 64 * 1024;
    private static final int MAX_CHUNK_LINE = 1024;

    /** What {@link #read} found. */
    enum Event {
        /** Every byte given was used; more are needed. */
        MORE,
        /** The status line and headers are in: see {@link #status()} and {@link #keepAlive()}. */
        HEAD,
        /** The answer ended; bytes left in the buffer are not part of it. */
        END,
        /** Not HTTP/1.x, or broken framing: see {@link #problem()}. */
        BAD,
        /** A chunked body grew past {@value #MAX_BODY} bytes; the connection cannot be kept. */
        TOO_LONG
    }

    private enum State { STATUS, HEADERS, NO_BODY, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE }

    private State state = State.STATUS;
    private byte[] line = new byte[64];
    private int lineLength;
    private int headerBytes;
    private int status;
    private boolean http11;
    private boolean closeToken;
    private boolean keepAliveToken;
    private long contentLength = -1;
    private boolean transferEncoding;
    private boolean chunked;
    private long remaining;
    private long bodyRead;
    private boolean keepAlive;
    private String problem;

    /** The status code of the answer whose head was read. */
    int status() {
        return status;
    }

    /**
     * Whether the connection may carry another request once this answer has ended: HTTP/1.1 not
     * saying {@code Connection: close} (or HTTP/1.0 saying keep-alive), with a body of known length
     * within the cap.
     */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Why the answer was {@link Event#BAD}. */
    String problem() {
        return problem;
    }

    /**
     * Consumes bytes of {@code in} until something happens. After {@link Event#HEAD}, call again to
     * read the body (even with nothing left in {@code in}: an empty body ends at once). After
     * {@link Event#END} the reader expects the next answer.
     */
    Event read(ByteBuf in) {
        while (true) {
            switch (state) {
                case STATUS, HEADERS, CHUNK_SIZE, CHUNK_END, TRAILERS -> {
                    int limit = switch (state) {
                        case STATUS -> MAX_STATUS_LINE;
                        case HEADERS, TRAILERS -> MAX_HEADERS;
                        default -> MAX_CHUNK_LINE;
                    };
                    int got = takeLine(in, limit);
                    if (got == 0) {
                        return Event.MORE;
                    }
                    if (got < 0) {
                        return bad(state == State.STATUS ? "status line too long"
                                : state == State.CHUNK_SIZE || state == State.CHUNK_END ? "chunk line too long"
                                : "headers too long");
                    }
                    Event e = onLine();
                    if (e != null) {
                        return e;
                    }
                }
                case NO_BODY -> {
                    return end();
                }
                case FIXED, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining > 0) {
                        return Event.MORE;
                    }
                    if (state == State.FIXED) {
                        return end();
                    }
                    state = State.CHUNK_END;
                }
                case UNTIL_CLOSE -> {
                    in.skipBytes(in.readableBytes());
                    return Event.MORE;
                }
                default -> throw new IllegalStateException(state.toString());
            }
        }
    }

    /**
     * Moves the bytes up to the next LF into {@link #line} (without CR LF). Returns 1 with a whole
     * line, 0 if the line goes on in a later read, -1 if it is longer than {@code limit}.
     */
    private int takeLine(ByteBuf in, int limit) {
        int from = in.readerIndex();
        int lf = in.indexOf(from, in.writerIndex(), (byte) '\n');
        int n = (lf < 0 ? in.writerIndex() : lf) - from;
        boolean head = state == State.HEADERS || state == State.TRAILERS;
        if (lineLength + n > limit || head && headerBytes + n > MAX_HEADERS) {
            return -1;
        }
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.max(lineLength + n, line.length * 2));
        }
        in.getBytes(from, line, lineLength, n);
        lineLength += n;
        if (head) {
            headerBytes += n + (lf < 0 ? 0 : 1);
        }
        if (lf < 0) {
            in.skipBytes(n);
            return 0;
        }
        in.skipBytes(n + 1);
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        return 1;
    }

    /** Handles the line in {@link #line}; returns an event, or null to go on reading. */
    private Event onLine() {
        int n = lineLength;
        lineLength = 0;
        switch (state) {
            case STATUS -> {
                if (n == 0) {
                    return null; // tolerate blank lines before the status line
                }
                return statusLine(n);
            }
            case HEADERS -> {
                if (n == 0) {
                    return endOfHead();
                }
                return header(n);
            }
            case CHUNK_SIZE -> {
                return chunkSize(n);
            }
            case CHUNK_END -> {
                if (n != 0) {
                    return bad("no CRLF after a chunk");
                }
                state = State.CHUNK_SIZE;
                return null;
            }
            case TRAILERS -> {
                return n == 0 ? end() : null;
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    // "HTTP/1.1 200 OK": version, one space, three digits, then a space and a reason, or nothing.
    private Event statusLine(int n) {
        byte[] b = line;
        if (n < 12 || b[0] != 'H' || b[1] != 'T' || b[2] != 'T' || b[3] != 'P' || b[4] != '/' || b[5] != '1'
                || b[6] != '.' || !digit(b[7]) || b[8] != ' ' || !digit(b[9]) || !digit(b[10]) || !digit(b[11])
                || (n > 12 && b[12] != ' ')) {
            return bad("not an HTTP/1.x status line");
        }
        http11 = b[7] != '0';
        status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        if (status < 100) {
            return bad("status code " + status);
        }
        state = State.HEADERS;
        headerBytes = 0;
        return null;
    }

    private Event header(int n) {
        byte[] b = line;
        if (b[0] == ' ' || b[0] == '\t') {
            return null; // an obsolete folded continuation; none of the framing headers may use it
        }
        int colon = 0;
        while (colon < n && b[colon] != ':') {
            colon++;
        }
        if (colon == 0 || colon == n) {
            return bad("header line without a name and colon");
        }
        int v = colon + 1;
        int end = n;
        while (v < end && (b[v] == ' ' || b[v] == '\t')) {
            v++;
        }
        while (end > v && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        if (named(b, colon, "content-length")) {
            long value = 0;
            if (v == end || end - v > 18) {
                return bad("bad Content-Length");
            }
            for (int i = v; i < end; i++) {
                if (!digit(b[i])) {
                    return bad("bad Content-Length");
                }
                value = value * 10 + (b[i] - '0');
            }
            if (contentLength >= 0 && contentLength != value) {
                return bad("two different Content-Lengths");
            }
            contentLength = value;
        } else if (named(b, colon, "transfer-encoding")) {
            transferEncoding = true;
            // The last coding decides: "gzip, chunked" is chunked, "chunked, gzip" is not.
            int last = end;
            while (last > v && b[last - 1] != ',') {
                last--;
            }
            while (last < end && (b[last] == ' ' || b[last] == '\t')) {
                last++;
            }
            chunked = token(b, last, end, "chunked");
        } else if (named(b, colon, "connection")) {
            int start = v;
            for (int i = v; i <= end; i++) {
                if (i == end || b[i] == ',') {
                    int s = start;
                    int e = i;
                    while (s < e && (b[s] == ' ' || b[s] == '\t')) {
                        s++;
                    }
                    while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
                        e--;
                    }
                    closeToken |= token(b, s, e, "close");
                    keepAliveToken |= token(b, s, e, "keep-alive");
                    start = i + 1;
                }
            }
        }
        return null;
    }

    private Event endOfHead() {
        if (status < 200 && status != 101) {
            // An interim answer (100 Continue, 103 Early Hints): no body; the real one follows.
            reset();
            return null;
        }
        boolean persistent = http11 ? !closeToken : keepAliveToken && !closeToken;
        if (status == 101) {
            // The connection now speaks something else.
            state = State.UNTIL_CLOSE;
            persistent = false;
        } else if (status == 204 || status == 304) {
            state = State.NO_BODY;
        } else if (transferEncoding) {
            // Transfer-Encoding overrides Content-Length; both at once is a smuggling smell, so
            // read this answer but do not trust the connection with another.
            if (contentLength >= 0) {
                persistent = false;
            }
            if (chunked) {
                state = State.CHUNK_SIZE;
            } else {
                state = State.UNTIL_CLOSE;
                persistent = false;
            }
        } else if (contentLength >= 0) {
            state = State.FIXED;
            remaining = contentLength;
            if (contentLength > MAX_BODY) {
                persistent = false;
            }
        } else {
            state = State.UNTIL_CLOSE;
            persistent = false;
        }
        keepAlive = persistent;
        return Event.HEAD;
    }

    private Event chunkSize(int n) {
        byte[] b = line;
        long size = 0;
        int i = 0;
        while (i < n && hex(b[i]) >= 0) {
            if (i >= 15) {
                return bad("chunk size too long");
            }
            size = size * 16 + hex(b[i]);
            i++;
        }
        if (i == 0 || (i < n && b[i] != ';' && b[i] != ' ' && b[i] != '\t')) {
            return bad("bad chunk size");
        }
        if (size == 0) {
            state = State.TRAILERS;
            headerBytes = 0;
            return null;
        }
        bodyRead += size;
        if (bodyRead > MAX_BODY) {
            return Event.TOO_LONG;
        }
        remaining = size;
        state = State.CHUNK_DATA;
        return null;
    }

    private Event end() {
        reset();
        return Event.END;
    }

    private Event bad(String why) {
        problem = why;
        return Event.BAD;
    }

    private void reset() {
        state = State.STATUS;
        lineLength = 0;
        headerBytes = 0;
        status = 0;
        http11 = false;
        closeToken = false;
        keepAliveToken = false;
        contentLength = -1;
        transferEncoding = false;
        chunked = false;
        remaining = 0;
        bodyRead = 0;
    }

    private static boolean named(byte[] b, int length, String lowerName) {
        return token(b, 0, length, lowerName);
    }

    /** ASCII case-insensitive equality of {@code b[from, to)} and a lower-case token. */
    private static boolean token(byte[] b, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
