package io.lvsdirector.ipvs.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lvsdirector.ipvs.AddressFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Truncated, mis-sized and corrupted messages: every failure is a {@link WireFormatException}
 * that says what is wrong, never an index or buffer exception.
 */
class MalformedInputTest {

    static final String INFO = "0e 01 0000 0800 0100 01020100 0800 0200 00100000";
    static final String CONFIG = "0c 01 0000 0800 0400 84030000 0800 0500 78000000 0800 0600 2c010000";
    static final String DAEMON = "09 01 0000 4000 0300 0800 0100 02000000 0900 0200 65746830 00000000"
            + "0800 0300 07000000 0600 0400 c005 0000 0600 0700 9022 0000 0500 0800 01 000000 0800 0500 e0000051";

    /** Every parser over its golden payload. */
    static final Map<String, Function<ByteBuffer, Object>> PARSERS = Map.of(
            GoldenReplyTest.SERVICE_V4_PAYLOAD, IpvsCodec::parseService,
            GoldenReplyTest.SERVICE_FWM6_PAYLOAD, IpvsCodec::parseService,
            INFO, IpvsCodec::parseInfo,
            CONFIG, IpvsCodec::parseTimeouts,
            DAEMON, IpvsCodec::parseDaemon,
            "05 01 0000 3000 0200 1400 0100 c6120015 00000000 00000000 00000000 0600 0200 0050 0000"
                    + "0800 0300 03000000 0800 0400 01000000",
                    b -> IpvsCodec.parseRealServer(b, AddressFamily.INET));

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void goldenPayloadsParse() {
        PARSERS.forEach((hex, parser) -> assertThat(parser.apply(Hex.buffer(hex))).isNotNull());
    }

    @Test
    void everyTruncationIsAWireFormatException() {
        PARSERS.forEach((hex, parser) -> {
            byte[] full = Hex.bytes(hex);
            for (int len = 0; len < full.length; len++) {
                ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(full, len)).order(ByteOrder.nativeOrder());
                try {
                    parser.apply(cut);
                    // Only GET_CONFIG may lack attributes: a kernel without TCP or UDP omits them.
                    assertThat(hex).as("truncated to %d parsed", len).isEqualTo(CONFIG);
                } catch (WireFormatException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                } catch (RuntimeException e) {
                    fail("truncated to " + len + " threw " + e, e);
                }
            }
        });
    }

    @Test
    void randomCorruptionOnlyEverGivesWireFormatException() {
        Random r = new Random(7);
        PARSERS.forEach((hex, parser) -> {
            byte[] full = Hex.bytes(hex);
            for (int i = 0; i < 5_000; i++) {
                byte[] b = full.clone();
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                try {
                    parser.apply(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()));
                } catch (WireFormatException expected) {
                    // fine
                } catch (RuntimeException e) {
                    fail("corrupted " + Hex.of(b) + " threw " + e, e);
                }
            }
        });
    }

    @Test
    void attributeShorterThanItsHeader() {
        assertThatThrownBy(() -> Attributes.parse(Hex.buffer("0200 0100 0000 0000"), 4, "ctx"))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("length 2 < 4");
    }

    @Test
    void attributeLongerThanItsRegion() {
        assertThatThrownBy(() -> Attributes.parse(Hex.buffer("1000 0100 00000000"), 4, "ctx"))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("only 8 bytes remain");
    }

    @Test
    void trailingBytesTooShortForAHeader() {
        assertThatThrownBy(() -> Attributes.parse(Hex.buffer("0800 0100 00000000 0800"), 4, "ctx"))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("trailing");
    }

    @Test
    void wrongSizedValuesAreNamed() {
        // A 4-byte port and a 1-byte address family.
        Attributes a = Attributes.parse(Hex.buffer("0800 0400 00500000 0500 0100 02 000000"), 12, "svc");
        assertThatThrownBy(() -> a.be16(IpvsConstants.IPVS_SVC_ATTR_PORT))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("type 4").hasMessageContaining("be16");
        assertThatThrownBy(() -> a.u16(IpvsConstants.IPVS_SVC_ATTR_AF))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("has 1 bytes");
        assertThatThrownBy(() -> a.u32(IpvsConstants.IPVS_SVC_ATTR_TIMEOUT))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("missing");
    }

    @Test
    void nestedFlagAndNetByteorderFlagAreMasked() {
        Attributes a = Attributes.parse(Hex.buffer("0800 0180 07000000 0800 0240 08000000"), 4, "ctx");
        assertThat(a.u32(1)).isEqualTo(7);
        assertThat(a.u32(2)).isEqualTo(8);
    }

    @Test
    void wrongReplyCommand() {
        assertThatThrownBy(() -> IpvsCodec.parseService(Hex.buffer(INFO)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("expected genl command 1, got 14");
    }

    @Test
    void serviceReplyMissingItsNest() {
        assertThatThrownBy(() -> IpvsCodec.parseService(Hex.buffer("01 01 0000")))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("without IPVS_CMD_ATTR_SERVICE");
    }

    @Test
    void serviceWithoutSchedulerIsRefused() {
        String payload = "01 01 0000 1c00 0100 0600 0100 0200 0000 0800 0500 07000000 0800 0800 00000000";
        assertThatThrownBy(() -> IpvsCodec.parseService(Hex.buffer(payload)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("lacks scheduler");
    }

    @Test
    void nonPrefixIpv4NetmaskIsNamed() {
        String payload = "01 01 0000 3800 0100 0600 0100 0200 0000 0800 0500 07000000 0700 0600 727200 00"
                + "0c00 0700 00000000 ffffffff 0800 0800 00000000 0800 0900 ff00ff00";
        assertThatThrownBy(() -> IpvsCodec.parseService(Hex.buffer(payload)))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("255.0.255.0");
    }

    @Test
    void netlinkHeaderLengths() {
        assertThatThrownBy(() -> NetlinkCodec.split(Hex.buffer("14000000 0300 0200 01000000")))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("too short for a message header");
        assertThatThrownBy(() -> NetlinkCodec.split(Hex.buffer("08000000 0300 0200 01000000 00000000")))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("claims length 8");
        assertThatThrownBy(() -> NetlinkCodec.split(Hex.buffer("40000000 0300 0200 01000000 00000000")))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("claims length 64");
        assertThatThrownBy(() -> NetlinkCodec.split(Hex.buffer("ffffffff 0300 0200 01000000 00000000")))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("4294967295");
    }

    @Test
    void errorPayloads() {
        assertThatThrownBy(() -> NetlinkCodec.parseError(Hex.buffer("feffffff 14000000"), 0))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("needs at least 20");
        assertThatThrownBy(() -> NetlinkCodec.parseError(Hex.buffer("02000000 14000000 1c00 0500 05000000 00000000"), 0))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("positive error");
        // Echoed length beyond the payload, with TLVs announced.
        assertThatThrownBy(() -> NetlinkCodec.parseError(
                Hex.buffer("feffffff ffffff7f 1c00 0500 05000000 00000000"), NetlinkConstants.NLM_F_ACK_TLVS))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("does not fit");
    }
}
