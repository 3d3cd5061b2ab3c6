package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.GoldenRequestTest.assertGolden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsInfo;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.Timeouts;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.ipvs.VirtualServerStatus;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kernel replies, written by hand as {@code ip_vs_ctl.c} builds them (nests without
 * {@code NLA_F_NESTED}, STATS with u32 counters and u64 byte counts, STATS64 all u64), read into
 * the public records; where this library also builds the reply, the bytes must match.
 */
class GoldenReplyTest {

    /** Payload of IPVS_CMD_NEW_SERVICE for TCP 10.0.0.1:80 wlc, with STATS and STATS64 (PAD first). */
    static final String SERVICE_V4_PAYLOAD = ""
            + "01 01 0000"                       // genlmsghdr IPVS_CMD_NEW_SERVICE
            + "3001 0100"                        // IPVS_CMD_ATTR_SERVICE, 304 bytes, no NLA_F_NESTED
            + "0600 0100 0200 0000"
            + "0600 0200 0600 0000"
            + "1400 0300 0a000001 00000000 00000000 00000000"
            + "0600 0400 0050 0000"
            + "0800 0600 776c6300"               // "wlc\0"
            + "0c00 0700 02000000 ffffffff"      // flags HASHED (kernel bookkeeping), mask ~0
            + "0800 0800 00000000"
            + "0800 0900 ffffffff"
            + "5c00 0a00"                        // IPVS_SVC_ATTR_STATS, 92 bytes
            + "0800 0100 05000000"               // conns u32 5
            + "0800 0200 0a000000"               // inpkts u32 10
            + "0800 0300 00000000"               // outpkts
            + "0c00 0400 e803000000000000"       // inbytes u64 1000
            + "0c00 0500 0000000000000000"       // outbytes u64
            + "0800 0600 01000000"               // cps
            + "0800 0700 02000000"               // inpps
            + "0800 0800 00000000"               // outpps
            + "0800 0900 2c010000"               // inbps 300
            + "0800 0a00 00000000"               // outbps
            + "8000 0c00"                        // IPVS_SVC_ATTR_STATS64, 128 bytes
            + "0400 0b00"                        // IPVS_STATS_ATTR_PAD (alignment), to be skipped
            + "0c00 0100 00f2052a01000000"       // conns 5,000,000,000: beyond u32
            + "0c00 0200 0a00000000000000"
            + "0c00 0300 0000000000000000"
            + "0c00 0400 e803000000000000"
            + "0c00 0500 0000000000000000"
            + "0c00 0600 0100000000000000"
            + "0c00 0700 0200000000000000"
            + "0c00 0800 0000000000000000"
            + "0c00 0900 2c01000000000000"
            + "0c00 0a00 0000000000000000";

    /** Payload of IPVS_CMD_NEW_SERVICE for fwmark 7 IPv6, sh with sh-fallback,sh-port, persistent 300 /64. */
    static final String SERVICE_FWM6_PAYLOAD = ""
            + "01 01 0000"
            + "3800 0100"
            + "0600 0100 0a00 0000"
            + "0800 0500 07000000"
            + "0700 0600 736800 00"
            + "0c00 0700 1b000000 ffffffff"      // PERSISTENT|HASHED|SCHED1|SCHED2
            + "0800 0800 2c010000"
            + "0800 0900 40000000";              // prefix 64, host order

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "golden bytes are little-endian");
    }

    @Test
    void serviceReplyPrefersStats64AndDropsHashed() {
        VirtualServerStatus s = IpvsCodec.parseService(Hex.buffer(SERVICE_V4_PAYLOAD));
        assertThat(s.key()).isEqualTo(VirtualServerKey.tcp("10.0.0.1", 80));
        assertThat(s.spec()).isEqualTo(VirtualServerSpec.of("wlc"));
        assertThat(s.stats()).isEqualTo(new Stats(5_000_000_000L, 10, 0, 1000, 0, 1, 2, 0, 300, 0));
    }

    @Test
    void fwmarkIpv6ServiceReplyNamesShFlags() {
        VirtualServerStatus s = IpvsCodec.parseService(Hex.buffer(SERVICE_FWM6_PAYLOAD));
        assertThat(s.key()).isEqualTo(VirtualServerKey.fwmark(AddressFamily.INET6, 7));
        assertThat(s.spec()).isEqualTo(VirtualServerSpec.of("sh")
                .withFlags(Set.of(SchedulerFlag.SH_FALLBACK, SchedulerFlag.SH_PORT))
                .withPersistence(300).withPersistenceNetmask(64));
        assertThat(s.stats()).isEqualTo(Stats.ZERO);
    }

    @Test
    void multiPartDumpDatagram() {
        String datagram = ""
                + "44010000 1c00 0200 2a000000 39300000" + SERVICE_V4_PAYLOAD    // NLM_F_MULTI, seq 42, pid 12345
                + "4c000000 1c00 0200 2a000000 39300000" + SERVICE_FWM6_PAYLOAD
                + "14000000 0300 0200 2a000000 39300000 00000000";               // NLMSG_DONE, int 0
        List<NetlinkCodec.Frame> frames = NetlinkCodec.split(Hex.buffer(datagram));
        assertThat(frames).hasSize(3);
        assertThat(frames).allSatisfy(f -> {
            assertThat(f.seq()).isEqualTo(42);
            assertThat(f.portId()).isEqualTo(12345);
            assertThat(f.flags() & NetlinkConstants.NLM_F_MULTI).isNotZero();
        });
        assertThat(frames.get(2).type()).isEqualTo(NetlinkConstants.NLMSG_DONE);
        assertThat(IpvsCodec.parseService(frames.get(0).payload()).key()).isEqualTo(VirtualServerKey.tcp("10.0.0.1", 80));
        assertThat(IpvsCodec.parseService(frames.get(1).payload()).key())
                .isEqualTo(VirtualServerKey.fwmark(AddressFamily.INET6, 7));
    }

    @Test
    void destReplyIpv6WithCountsAndStats64Only() {
        String payload = ""
                + "05 01 0000"                   // IPVS_CMD_NEW_DEST
                + "f400 0200"                    // IPVS_CMD_ATTR_DEST, 244 bytes
                + "1400 0100 20010db8 00000000 00000000 00000002"
                + "0600 0200 01bb 0000"          // 443, network order
                + "0800 0300 03000000"           // DROUTE
                + "0800 0400 64000000"           // weight 100
                + "0500 0d00 00 000000"          // tun type 0
                + "0600 0e00 0000 0000"          // tun port 0
                + "0600 0f00 0000 0000"          // tun flags 0
                + "0800 0500 e8030000"           // u_thresh 1000
                + "0800 0600 0a000000"           // l_thresh 10
                + "0800 0700 03000000"           // active 3
                + "0800 0800 04000000"           // inactive 4
                + "0800 0900 00000000"           // persistent 0
                + "0600 0b00 0a00 0000"          // ADDR_FAMILY 10
                + "7c00 0c00"                    // STATS64, 124 bytes
                + "0c00 0100 0700000000000000"
                + "0c00 0200 0800000000000000"
                + "0c00 0300 0000000000000000"
                + "0c00 0400 0002000000000000"   // 512
                + "0c00 0500 0000000000000000"
                + "0c00 0600 0000000000000000"
                + "0c00 0700 0000000000000000"
                + "0c00 0800 0000000000000000"
                + "0c00 0900 0000000000000000"
                + "0c00 0a00 0000000000000000";
        RealServerStatus r = IpvsCodec.parseRealServer(Hex.buffer(payload), AddressFamily.INET6);
        assertThat(r.key()).isEqualTo(RealServerKey.of("2001:db8::2", 443));
        assertThat(r.spec()).isEqualTo(RealServerSpec.of(Forwarding.DIRECT_ROUTE, 100).withThresholds(1000, 10));
        assertThat(r.activeConns()).isEqualTo(3);
        assertThat(r.inactiveConns()).isEqualTo(4);
        assertThat(r.persistentConns()).isZero();
        assertThat(r.stats()).isEqualTo(new Stats(7, 8, 0, 512, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void infoReplyBothWays() {
        String payload = "0e 01 0000"           // IPVS_CMD_SET_INFO
                + "0800 0100 01020100"          // IPVS_INFO_ATTR_VERSION 0x010201
                + "0800 0200 00100000";         // IPVS_INFO_ATTR_CONN_TAB_SIZE 4096
        IpvsInfo info = IpvsCodec.parseInfo(Hex.buffer(payload));
        assertThat(info).isEqualTo(new IpvsInfo(0x010201, 4096));
        assertThat(info.versionText()).isEqualTo("1.2.1");
        assertGolden(IpvsCodec.infoReply(info), payload);
    }

    @Test
    void configReplyBothWays() {
        String payload = "0c 01 0000"           // IPVS_CMD_SET_CONFIG
                + "0800 0400 84030000 0800 0500 78000000 0800 0600 2c010000";
        Timeouts t = IpvsCodec.parseTimeouts(Hex.buffer(payload));
        assertThat(t).isEqualTo(new Timeouts(900, 120, 300));
        assertGolden(IpvsCodec.timeoutsReply(t), payload);
    }

    @Test
    void daemonReplyInKernelOrder() {
        String payload = "09 01 0000"           // IPVS_CMD_NEW_DAEMON
                + "4000 0300"
                + "0800 0100 02000000"          // backup
                + "0900 0200 65746830 00000000" // "eth0"
                + "0800 0300 07000000"
                + "0600 0400 c005 0000"         // maxlen 1472
                + "0600 0700 9022 0000"         // port 8848, host order
                + "0500 0800 01 000000"         // ttl 1
                + "0800 0500 e0000051";         // 224.0.0.81
        SyncDaemon d = IpvsCodec.parseDaemon(Hex.buffer(payload));
        assertThat(d).isEqualTo(new SyncDaemon(SyncDaemon.State.BACKUP, "eth0", 7, 1472, 8848, 1,
                IpAddresses.parse("224.0.0.81")));
        assertGolden(IpvsCodec.daemonReply(d), payload);
    }

    @Test
    void serviceReplyBuiltAsTheKernelBuildsIt() {
        String payload = ""
                + "01 01 0000"
                + "2c01 0100"                    // 300 bytes, no NLA_F_NESTED (nla_nest_start_noflag)
                + "0600 0100 0200 0000"
                + "0600 0200 0600 0000"
                + "1400 0300 0a000001 00000000 00000000 00000000"
                + "0600 0400 0050 0000"
                + "0800 0600 776c6300"
                + "0c00 0700 02000000 ffffffff"  // the kernel reports HASHED
                + "0800 0800 00000000"
                + "0800 0900 ffffffff"
                + "5c00 0a00"                    // STATS: u32 counters, u64 byte counts
                + "0800 0100 05000000 0800 0200 0a000000 0800 0300 00000000"
                + "0c00 0400 e803000000000000 0c00 0500 0000000000000000"
                + "0800 0600 01000000 0800 0700 02000000 0800 0800 00000000"
                + "0800 0900 2c010000 0800 0a00 00000000"
                + "7c00 0c00"                    // STATS64: all u64
                + "0c00 0100 0500000000000000 0c00 0200 0a00000000000000 0c00 0300 0000000000000000"
                + "0c00 0400 e803000000000000 0c00 0500 0000000000000000 0c00 0600 0100000000000000"
                + "0c00 0700 0200000000000000 0c00 0800 0000000000000000 0c00 0900 2c01000000000000"
                + "0c00 0a00 0000000000000000";
        VirtualServerStatus s = new VirtualServerStatus(VirtualServerKey.tcp("10.0.0.1", 80), VirtualServerSpec.of("wlc"),
                new Stats(5, 10, 0, 1000, 0, 1, 2, 0, 300, 0));
        assertGolden(IpvsCodec.serviceReply(s), payload);
        assertThat(IpvsCodec.parseService(Hex.buffer(payload))).isEqualTo(s);
    }

    @Test
    void destReplyBuiltAsTheKernelBuildsIt() {
        String payload = ""
                + "05 01 0000"
                + "5001 0200"                    // 336 bytes
                + "1400 0100 c6120015 00000000 00000000 00000000"
                + "0600 0200 0050 0000"
                + "0800 0300 02000000"           // TUNNEL
                + "0800 0400 02000000"           // weight 2
                + "0500 0d00 01 000000"          // GUE
                + "0600 0e00 17c1 0000"          // 6081, network order
                + "0600 0f00 0200 0000"          // REMCSUM
                + "0800 0500 00000000 0800 0600 00000000"
                + "0800 0700 01000000 0800 0800 02000000 0800 0900 03000000"
                + "0600 0b00 0200 0000"
                + "5c00 0a00"
                + "0800 0100 07000000 0800 0200 08000000 0800 0300 00000000"
                + "0c00 0400 0002000000000000 0c00 0500 0000000000000000"
                + "0800 0600 00000000 0800 0700 00000000 0800 0800 00000000"
                + "0800 0900 00000000 0800 0a00 00000000"
                + "7c00 0c00"
                + "0c00 0100 0700000000000000 0c00 0200 0800000000000000 0c00 0300 0000000000000000"
                + "0c00 0400 0002000000000000 0c00 0500 0000000000000000 0c00 0600 0000000000000000"
                + "0c00 0700 0000000000000000 0c00 0800 0000000000000000 0c00 0900 0000000000000000"
                + "0c00 0a00 0000000000000000";
        RealServerStatus r = new RealServerStatus(RealServerKey.of("198.18.0.21", 80),
                RealServerSpec.of(Forwarding.TUNNEL, 2).withTunnel(io.lvsdirector.ipvs.TunnelType.GUE, 6081,
                        Set.of(io.lvsdirector.ipvs.TunnelFlag.REMCSUM)),
                1, 2, 3, new Stats(7, 8, 0, 512, 0, 0, 0, 0, 0, 0));
        assertGolden(IpvsCodec.realServerReply(r), payload);
        assertThat(IpvsCodec.parseRealServer(Hex.buffer(payload), AddressFamily.INET)).isEqualTo(r);
    }

    @Test
    void genlCtrlNewFamilyReply() {
        String payload = "01 02 0000"           // CTRL_CMD_NEWFAMILY, ctrl version 2
                + "0900 0200 49505653 00000000" // CTRL_ATTR_FAMILY_NAME "IPVS"
                + "0600 0100 1c00 0000"         // CTRL_ATTR_FAMILY_ID 0x1c
                + "0800 0300 01000000"          // CTRL_ATTR_VERSION 1
                + "0800 0400 00000000"          // CTRL_ATTR_HDRSIZE
                + "0800 0500 06000000"          // CTRL_ATTR_MAXATTR 6
                + "1800 0680 1400 0100 0800 0100 01000000 0800 0200 0e000000"; // CTRL_ATTR_OPS, skipped
        assertThat(NetlinkCodec.parseFamily(Hex.buffer(payload)))
                .isEqualTo(new NetlinkCodec.GenlFamilyInfo(0x1c, "IPVS", 1, 6));
    }

    @Test
    void errorWithExtendedAckCapped() {
        String msg = ""
                + "44000000 0200 0003 01000000 d2040000"     // NLMSG_ERROR, CAPPED|ACK_TLVS, seq 1, pid 1234
                + "feffffff"                                 // error -2 (ENOENT)
                + "68000000 1c00 0500 01000000 00000000"     // echoed request header only (capped)
                + "1800 0100 5363686564756c6572206e6f7420666f756e6400" // NLMSGERR_ATTR_MSG
                + "0800 0200 24000000";                      // NLMSGERR_ATTR_OFFS 36
        NetlinkCodec.Frame f = NetlinkCodec.split(Hex.buffer(msg)).get(0);
        assertThat(f.type()).isEqualTo(NetlinkConstants.NLMSG_ERROR);
        NetlinkCodec.NetlinkError e = NetlinkCodec.parseError(f.payload(), f.flags());
        assertThat(e).isEqualTo(new NetlinkCodec.NetlinkError(2, 0x1c, 1, "Scheduler not found", 36));
        assertThat(e.isAck()).isFalse();
    }

    @Test
    void errorUncappedWithTlvsAfterEchoedRequest() {
        String msg = ""
                + "34000000 0200 0002 05000000 d2040000"     // ACK_TLVS only
                + "efffffff"                                 // -17 EEXIST
                + "14000000 1c00 0500 05000000 00000000 0f010000" // whole echoed request (20 bytes)
                + "0b00 0100 657869737473 00 00";            // "exists\0" + pad
        NetlinkCodec.Frame f = NetlinkCodec.split(Hex.buffer(msg)).get(0);
        NetlinkCodec.NetlinkError e = NetlinkCodec.parseError(f.payload(), f.flags());
        assertThat(e).isEqualTo(new NetlinkCodec.NetlinkError(17, 0x1c, 5, "exists", -1));
        byte[] request = Hex.bytes("14000000 1c00 0500 05000000 00000000 0f010000");
        assertGolden(NetlinkCodec.errorPayload(17, request, false, "exists"),
                "efffffff 14000000 1c00 0500 05000000 00000000 0f010000 0b00 0100 657869737473 00 00");
    }

    @Test
    void plainAck() {
        String msg = "28000000 0200 0000 05000000 d2040000 00000000"
                + "14000000 1c00 0500 05000000 00000000 0f010000";
        NetlinkCodec.Frame f = NetlinkCodec.split(Hex.buffer(msg)).get(0);
        NetlinkCodec.NetlinkError e = NetlinkCodec.parseError(f.payload(), f.flags());
        assertThat(e.isAck()).isTrue();
        assertThat(e.requestSeq()).isEqualTo(5);
        assertThat(e.message()).isEmpty();
    }
}
