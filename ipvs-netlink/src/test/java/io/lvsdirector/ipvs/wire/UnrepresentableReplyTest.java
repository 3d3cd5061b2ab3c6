package io.lvsdirector.ipvs.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.IpvsSnapshot.Unreadable;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies, written by hand as {@code ip_vs_ctl.c} builds them, that are well formed but describe
 * entries another tool put in the shared table and the public records cannot hold. A table read
 * keeps every other entry and lists the odd one; a malformed part still fails the read.
 */
class UnrepresentableReplyTest {

    private static final VirtualServerKey VIP = VirtualServerKey.tcp("198.18.0.100", 80);

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "golden bytes are little-endian");
    }

    /**
     * IPVS_CMD_NEW_SERVICE for TCP 198.18.0.100:80 rr persistent 60 with this IPv4 netmask (8 hex
     * digits, network order as on the wire), no stats: what {@code ipvsadm -A -t 198.18.0.100:80 -s rr
     * -p 60 -M MASK} leaves in the kernel.
     */
    static String persistentService(String netmaskBe32) {
        return ""
                + "01 01 0000"                                     // genlmsghdr IPVS_CMD_NEW_SERVICE
                + "5400 0100"                                      // IPVS_CMD_ATTR_SERVICE, 84 bytes
                + "0600 0100 0200 0000"                            // AF_INET
                + "0600 0200 0600 0000"                            // IPPROTO_TCP
                + "1400 0300 c6120064 00000000 00000000 00000000"  // 198.18.0.100
                + "0600 0400 0050 0000"                            // port 80, network order
                + "0700 0600 727200 00"                            // "rr\0"
                + "0c00 0700 03000000 ffffffff"                    // PERSISTENT|HASHED, mask ~0
                + "0800 0800 3c000000"                             // timeout 60
                + "0800 0900 " + netmaskBe32;                      // netmask, __be32
    }

    /**
     * IPVS_CMD_NEW_DEST for 198.18.0.LAST:80 in kernel order (ip_vs_genl_fill_dest), no stats.
     *
     * @param fwd u32 little-endian, e.g. 03000000 for DROUTE, 02000000 for TUNNEL
     * @param weight u32 little-endian
     */
    static String dest(String last, String fwd, String weight, String tunType, String tunPortBe, String tunFlags) {
        return ""
                + "05 01 0000"                                     // genlmsghdr IPVS_CMD_NEW_DEST
                + "7800 0200"                                      // IPVS_CMD_ATTR_DEST, 120 bytes
                + "1400 0100 c61200" + last + " 00000000 00000000 00000000"
                + "0600 0200 0050 0000"                            // port 80
                + "0800 0300 " + fwd
                + "0800 0400 " + weight
                + "0500 0d00 " + tunType + " 000000"               // u8 tunnel type
                + "0600 0e00 " + tunPortBe + " 0000"               // __be16 tunnel port
                + "0600 0f00 " + tunFlags + " 0000"                // u16 tunnel flags, host order
                + "0800 0500 00000000"                             // u_thresh
                + "0800 0600 00000000"                             // l_thresh
                + "0800 0700 00000000"                             // active
                + "0800 0800 00000000"                             // inactive
                + "0800 0900 00000000"                             // persistent
                + "0600 0b00 0200 0000";                           // ADDR_FAMILY AF_INET
    }

    static String drDest(String last, String weight) {
        return dest(last, "03000000", weight, "00", "0000", "0000");
    }

    @Test
    void nonPrefixNetmaskServiceIsListedAndTheOthersKept() {
        // The middle service is ipvsadm -M 255.0.255.0: a mask with no prefix spelling.
        TableReader.Services read = TableReader.services(List.of(
                Hex.buffer(GoldenReplyTest.SERVICE_V4_PAYLOAD),
                Hex.buffer(persistentService("ff00ff00")),
                Hex.buffer(GoldenReplyTest.SERVICE_FWM6_PAYLOAD)));

        assertThat(read.services()).extracting(s -> s.key()).containsExactly(
                VirtualServerKey.tcp("10.0.0.1", 80), VirtualServerKey.fwmark(AddressFamily.INET6, 7));
        assertThat(read.unreadable()).singleElement().satisfies(u -> {
            assertThat(u.service()).isEqualTo("TCP 198.18.0.100:80");
            assertThat(u.serviceKey()).contains(VIP);
            assertThat(u.isRealServer()).isFalse();
            assertThat(u.reason()).contains("255.0.255.0").contains("not a prefix");
        });
    }

    @Test
    void zeroNetmaskServiceIsUnreadable() {
        TableReader.Services read = TableReader.services(List.of(Hex.buffer(persistentService("00000000"))));
        assertThat(read.services()).isEmpty();
        assertThat(read.unreadable()).singleElement()
                .satisfies(u -> assertThat(u.reason()).contains("0.0.0.0"));
    }

    @Test
    void prefixNetmaskOfTheSameShapeReads() {
        // The control: the same bytes with 255.255.255.0 are a /24, so it is the mask that is refused.
        TableReader.Services read = TableReader.services(List.of(Hex.buffer(persistentService("ffffff00"))));
        assertThat(read.unreadable()).isEmpty();
        assertThat(read.services()).singleElement().satisfies(s -> {
            assertThat(s.key()).isEqualTo(VIP);
            assertThat(s.spec()).isEqualTo(VirtualServerSpec.of("rr").withPersistence(60).withPersistenceNetmask(24));
        });
    }

    @Test
    void unreadableParseKeepsTheMalformedDistinction() {
        // A caller of parseService alone still gets a WireFormatException, now of the narrower kind.
        assertThatThrownBy(() -> IpvsCodec.parseService(Hex.buffer(persistentService("ff00ff00"))))
                .isInstanceOf(WireFormatException.class)
                .isInstanceOfSatisfying(UnrepresentableEntryException.class, e -> {
                    assertThat(e.serviceKey()).contains(VIP);
                    assertThat(e.getMessage()).startsWith("kernel service TCP 198.18.0.100:80 cannot be represented");
                });
    }

    @Test
    void unknownProtocolIsNamedByNumber() {
        ServiceAttrs a = new ServiceAttrs(2, 33, WireMapping.addr16(VIP.address()), 80, null,
                "rr", null, 2, -1, 0, 0xFFFF_FFFF, null, null);
        TableReader.Services read = TableReader.services(List.of(reply(a)));
        assertThat(read.unreadable()).singleElement().satisfies(u -> {
            assertThat(u.service()).isEqualTo("proto 33 198.18.0.100:80");
            assertThat(u.serviceKey()).isEmpty();
            assertThat(u.reason()).contains("33");
        });
    }

    @Test
    void ipv6PrefixOutOfRangeIsUnreadable() {
        ServiceAttrs a = new ServiceAttrs(10, 6, WireMapping.addr16(VirtualServerKey.tcp("2001:db8::1", 443).address()),
                443, null, "rr", null, 3, -1, 60, 0, null, null);
        TableReader.Services read = TableReader.services(List.of(reply(a)));
        assertThat(read.unreadable()).singleElement().satisfies(u -> {
            assertThat(u.service()).isEqualTo("TCP [2001:db8::1]:443");
            assertThat(u.reason()).contains("IPv6 persistence prefix 0");
        });
    }

    @Test
    void weightAboveIpvsadmRangeIsListedAndTheOtherRealServersKept() {
        // 100000 = 0x000186a0: the kernel takes it over netlink (ipvsadm -w stops at 65535).
        TableReader.RealServers read = TableReader.realServers(VIP, List.of(
                Hex.buffer(drDest("15", "0a000000")),
                Hex.buffer(drDest("16", "a0860100")),
                Hex.buffer(drDest("17", "ffff0000"))));

        assertThat(read.realServers()).extracting(r -> r.key())
                .containsExactly(RealServerKey.of("198.18.0.21", 80), RealServerKey.of("198.18.0.23", 80));
        assertThat(read.realServers().get(1).spec()).isEqualTo(RealServerSpec.directRoute(65535));
        assertThat(read.unreadable()).singleElement().satisfies(u -> {
            assertThat(u.service()).isEqualTo("TCP 198.18.0.100:80");
            assertThat(u.serviceKey()).contains(VIP);
            assertThat(u.realServer()).contains("198.18.0.22:80");
            assertThat(u.realServerKey()).contains(RealServerKey.of("198.18.0.22", 80));
            assertThat(u.reason()).contains("weight 100000");
            assertThat(u).hasToString("TCP 198.18.0.100:80 -> 198.18.0.22:80: " + u.reason());
        });
    }

    @Test
    void tunnelSettingsTheRecordsRefuseAreUnreadable() {
        TableReader.RealServers read = TableReader.realServers(VIP, List.of(
                Hex.buffer(dest("31", "02000000", "01000000", "02", "0000", "0200")),  // GRE + remcsum
                Hex.buffer(dest("32", "02000000", "01000000", "01", "1770", "0300")),  // GUE 6000, csum + remcsum
                Hex.buffer(dest("33", "02000000", "01000000", "07", "0000", "0000")),  // tunnel type 7
                Hex.buffer(dest("34", "02000000", "01000000", "01", "1770", "0100")),  // GUE 6000 csum: fine
                Hex.buffer(dest("35", "02000000", "01000000", "01", "0000", "0000")))); // GUE without port

        assertThat(read.realServers()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(RealServerKey.of("198.18.0.52", 80));
            assertThat(r.spec().forwarding()).isEqualTo(Forwarding.TUNNEL);
            assertThat(r.spec().tunnelPort()).isEqualTo(6000);
        });
        assertThat(read.unreadable()).extracting(u -> u.realServer().orElseThrow())
                .containsExactly("198.18.0.49:80", "198.18.0.50:80", "198.18.0.51:80", "198.18.0.53:80");
        assertThat(read.unreadable()).extracting(Unreadable::reason).satisfiesExactly(
                r -> assertThat(r).contains("remote checksum offload applies to GUE only"),
                r -> assertThat(r).contains("not both"),
                r -> assertThat(r).contains("unknown tunnel type 7"),
                r -> assertThat(r).contains("GUE tunnel port 0"));
    }

    @Test
    void snapshotKeepsGoodEntriesListsBadOnesAndSkipsTheRealServersOfAnUnreadableService() {
        VirtualServerKey good = VirtualServerKey.tcp("10.0.0.1", 80);
        VirtualServerKey fwm = VirtualServerKey.fwmark(AddressFamily.INET6, 7);
        Map<VirtualServerKey, List<String>> dests = Map.of(
                good, List.of(drDest("15", "0a000000"), drDest("16", "a0860100")),
                fwm, List.of());
        List<VirtualServerKey> dumped = new ArrayList<>();

        IpvsSnapshot snap = TableReader.snapshot(
                List.of(Hex.buffer(GoldenReplyTest.SERVICE_V4_PAYLOAD), Hex.buffer(persistentService("ff00ff00")),
                        Hex.buffer(GoldenReplyTest.SERVICE_FWM6_PAYLOAD)),
                key -> {
                    dumped.add(key);
                    return dests.get(key).stream().map(Hex::buffer).toList();
                });

        assertThat(dumped).containsExactly(good, fwm); // never asked for the unreadable service's
        assertThat(snap.services()).extracting(s -> s.key()).containsExactly(good, fwm);
        assertThat(snap.realServers(good)).extracting(r -> r.key()).containsExactly(RealServerKey.of("198.18.0.21", 80));
        assertThat(snap.unreadable()).extracting(Unreadable::toString).satisfiesExactly(
                s -> assertThat(s).startsWith("TCP 198.18.0.100:80: persistence netmask 255.0.255.0"),
                s -> assertThat(s).startsWith("TCP 10.0.0.1:80 -> 198.18.0.22:80: weight 100000"));
        assertThat(snap.isComplete(good)).isFalse();
        assertThat(snap.isComplete(VIP)).isFalse();
        assertThat(snap.isComplete(fwm)).isTrue();
    }

    @Test
    void aMalformedPartStillFailsTheWholeRead() {
        String truncated = drDest("16", "0a000000");
        truncated = truncated.replace(" ", "").substring(0, truncated.replace(" ", "").length() - 16);
        String cut = truncated;
        assertThatThrownBy(() -> TableReader.realServers(VIP, List.of(
                Hex.buffer(drDest("15", "0a000000")), Hex.buffer(cut))))
                .isExactlyInstanceOf(WireFormatException.class);

        // A required attribute missing is malformed too, not "unrepresentable": no scheduler.
        ServiceAttrs noScheduler = new ServiceAttrs(2, 6, WireMapping.addr16(VIP.address()), 80, null,
                null, null, 2, -1, 0, 0xFFFF_FFFF, null, null);
        assertThatThrownBy(() -> TableReader.services(List.of(
                Hex.buffer(GoldenReplyTest.SERVICE_V4_PAYLOAD), reply(noScheduler))))
                .isExactlyInstanceOf(WireFormatException.class)
                .hasMessageContaining("TCP 198.18.0.100:80 lacks scheduler");

        // An address attribute of the wrong size stays malformed as well.
        ServiceAttrs shortAddress = new ServiceAttrs(2, 6, new byte[] {10, 0, 0}, 80, null,
                "rr", null, 2, -1, 0, 0xFFFF_FFFF, null, null);
        assertThatThrownBy(() -> TableReader.services(List.of(reply(shortAddress))))
                .isExactlyInstanceOf(WireFormatException.class)
                .hasMessageContaining("IPVS_SVC_ATTR_ADDR is 3 bytes");
    }

    private static ByteBuffer reply(ServiceAttrs a) {
        AttrWriter w = new AttrWriter();
        a.writeReplyTo(w);
        byte[] attrs = w.toByteArray();
        byte[] payload = new byte[4 + attrs.length];
        payload[0] = (byte) IpvsConstants.IPVS_CMD_NEW_SERVICE;
        payload[1] = 1;
        System.arraycopy(attrs, 0, payload, 4, attrs.length);
        return ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    }
}
