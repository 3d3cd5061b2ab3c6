package io.lvsdirector.core.ecmp;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads BIRD's protocol states through its control socket ({@code /run/bird/bird.ctl}), the socket
 * {@code birdc} uses; read-only (the director never configures BIRD at run time).
 *
 * <p>BIRD's reply format: each line starts with a four-digit code and a {@code -} (more lines follow)
 * or a space (the last line); a line starting with a space continues the previous code. Codes 0xxx end
 * a reply, 1xxx are data, 2xxx table headers, 8xxx/9xxx errors. {@code show protocols} answers
 *
 * <pre>
 * 2002-Name       Proto      Table      State  Since         Info
 * 1002-device1    Device     ---        up     16:18:55.813
 *  uplink     BGP        ---        up     16:18:55.817  Established
 * 0000
 * </pre>
 *
 * <p>Not thread-safe; one socket per call, closed before it returns.
 */
public final class BirdControl {

    private static final Pattern LINE = Pattern.compile("^(\\d{4})([- ])(.*)$");
    private static final int MAX_REPLY = 1 << 20;

    private final Path socket;
    private final Duration timeout;
    private final Clock clock;

    public BirdControl(Path socket, Duration timeout, Clock clock) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Path socket() {
        return socket;
    }

    /** {@code birdc show protocols}; never throws: a failure is an unreachable view with its reason. */
    public BirdView showProtocols() {
        try {
            return new BirdView(true, null, parseProtocols(ask("show protocols")), clock.instant());
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new BirdView(false, why, List.of(), clock.instant());
        }
    }

    /** Sends one command and returns the reply's lines (greeting skipped), codes kept. */
    List<String> ask(String command) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            Reader r = new Reader(ch, sel, deadline);
            String greeting = r.reply().get(0);
            if (!greeting.startsWith("0001")) {
                throw new IOException("not a BIRD control socket: " + greeting);
            }
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            return r.reply();
        }
    }

    /** The protocols in a {@code show protocols} reply; an error code in it is an exception. */
    static List<BirdProtocol> parseProtocols(List<String> lines) throws IOException {
        List<BirdProtocol> out = new ArrayList<>();
        String code = null;
        for (String raw : lines) {
            String body;
            Matcher m = LINE.matcher(raw);
            if (m.matches()) {
                code = m.group(1);
                body = m.group(3);
            } else if (raw.startsWith(" ")) {
                body = raw.substring(1);
            } else {
                throw new IOException("unexpected line from BIRD: " + raw);
            }
            if (code == null) {
                throw new IOException("continuation line before any code: " + raw);
            }
            if (code.charAt(0) == '8' || code.charAt(0) == '9') {
                throw new IOException("BIRD: " + code + " " + body.strip());
            }
            if (!code.equals("1002")) {
                continue;
            }
            String[] f = body.strip().split("\\s+", 6);
            if (f.length < 4) {
                throw new IOException("short protocol line from BIRD: " + raw);
            }
            out.add(new BirdProtocol(f[0], f[1], f[3], f.length > 4 ? f[4] : "", f.length > 5 ? f[5].strip() : ""));
        }
        return List.copyOf(out);
    }

    /** Reads whole replies: lines until one whose code is followed by a space. */
    private static final class Reader {
        private final SocketChannel ch;
        private final Selector sel;
        private final long deadline;
        private final ByteBuffer buf = ByteBuffer.allocate(8192);
        private final StringBuilder pending = new StringBuilder();
        private int total;

        Reader(SocketChannel ch, Selector sel, long deadline) {
            this.ch = ch;
            this.sel = sel;
            this.deadline = deadline;
        }

        List<String> reply() throws IOException {
            List<String> lines = new ArrayList<>();
            while (true) {
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    String line = pending.substring(0, nl);
                    pending.delete(0, nl + 1);
                    lines.add(line);
                    Matcher m = LINE.matcher(line);
                    if (m.matches() && m.group(2).equals(" ")) {
                        return lines;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no complete answer from BIRD in time");
                }
                sel.select(Math.max(1, left / 1_000_000));
                sel.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("BIRD closed the control socket mid-reply");
                }
                total += n;
                if (total > MAX_REPLY) {
                    throw new IOException("reply from BIRD over " + MAX_REPLY + " bytes");
                }
                buf.flip();
                pending.append(StandardCharsets.UTF_8.decode(buf));
            }
        }
    }
}
