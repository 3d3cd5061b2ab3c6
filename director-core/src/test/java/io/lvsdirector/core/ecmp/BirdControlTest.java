package io.lvsdirector.core.ecmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BirdControlTest {

    // Recorded from BIRD 2.0.12 (bird -c ... -s SOCKET; "show protocols" on its socket).
    private static final String GREETING = "0001 BIRD 2.0.12 ready.\n";
    private static final String PROTOCOLS = "2002-Name       Proto      Table      State  Since         Info\n"
            + "1002-device1    Device     ---        up     16:18:55.813  \n"
            + " vips       Direct     ---        up     16:18:55.813  \n"
            + " bfd1       BFD        ---        up     16:18:55.813  \n"
            + " uplink     BGP        ---        down   16:18:55.817  Error: Invalid next hop\n"
            + " uplink2    BGP        ---        up     16:19:01.002  Established   \n"
            + "0000 \n";

    @TempDir
    Path dir;

    @Test
    void parsesShowProtocolsAsBird2PrintsIt() throws Exception {
        List<BirdProtocol> ps = BirdControl.parseProtocols(List.of(PROTOCOLS.split("\n")));
        assertThat(ps).extracting(BirdProtocol::name).containsExactly("device1", "vips", "bfd1", "uplink", "uplink2");
        assertThat(ps.get(3)).isEqualTo(new BirdProtocol("uplink", "BGP", "down", "16:18:55.817",
                "Error: Invalid next hop"));
        assertThat(ps.get(4).up()).isTrue();
        assertThat(ps.get(4).info()).isEqualTo("Established");
        assertThat(ps.get(0).info()).isEmpty();
    }

    @Test
    void anErrorCodeIsAnErrorNotAnEmptyList() {
        assertThatThrownBy(() -> BirdControl.parseProtocols(List.of("9001 Access denied")))
                .hasMessageContaining("9001 Access denied");
        assertThatThrownBy(() -> BirdControl.parseProtocols(List.of("garbage"))).isInstanceOf(IOException.class);
    }

    @Test
    void talksToASocketThatAnswersLikeBirdInPieces() throws Exception {
        Path sock = dir.resolve("bird.ctl");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread t = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    c.write(ByteBuffer.wrap(GREETING.getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer in = ByteBuffer.allocate(256);
                    c.read(in);
                    String cmd = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                    if (!cmd.equals("show protocols\n")) {
                        c.write(ByteBuffer.wrap("9001 bad command\n".getBytes(StandardCharsets.US_ASCII)));
                        return;
                    }
                    // Split mid-line: the reader must join the pieces.
                    byte[] all = PROTOCOLS.getBytes(StandardCharsets.US_ASCII);
                    c.write(ByteBuffer.wrap(all, 0, 70));
                    Thread.sleep(50);
                    c.write(ByteBuffer.wrap(all, 70, all.length - 70));
                } catch (Exception e) {
                    // the test's assertions report it
                }
            });
            t.start();
            BirdView v = new BirdControl(sock, Duration.ofSeconds(2), Clock.systemUTC()).showProtocols();
            t.join();
            assertThat(v.reachable()).as(String.valueOf(v.error())).isTrue();
            assertThat(v.bgp()).extracting(BirdProtocol::name).containsExactly("uplink", "uplink2");
        }
    }

    @Test
    void anAbsentSocketIsAStateWithItsReason() {
        BirdView v = new BirdControl(dir.resolve("none.ctl"), Duration.ofMillis(200), Clock.systemUTC()).showProtocols();
        assertThat(v.reachable()).isFalse();
        assertThat(v.error()).isNotBlank();
        assertThat(v.protocols()).isEmpty();
    }

    @Test
    void aSocketThatNeverAnswersTimesOut() throws Exception {
        Path sock = dir.resolve("mute.ctl");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            long t0 = System.nanoTime();
            BirdView v = new BirdControl(sock, Duration.ofMillis(300), Clock.systemUTC()).showProtocols();
            assertThat(v.reachable()).isFalse();
            assertThat(v.error()).contains("in time");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }
}
