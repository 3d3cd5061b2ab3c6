package io.lvsdirector.ipvs.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.Timeouts;
import io.lvsdirector.ipvs.TunnelFlag;
import io.lvsdirector.ipvs.TunnelType;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.ipvs.IpAddresses;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every IPVS request against bytes written by hand from {@code linux/ip_vs.h}, {@code netlink.h}
 * and {@code genetlink.h}, and the same bytes read back into the wire structs. Little-endian
 * hosts only (the expected host-order integers are written little-endian).
 *
 * <p>Where a test names an ipvsadm command, the genl payload expected here was also compared with
 * what ipvsadm 1.31 itself sent for that command in the lab
 * ({@code lab/uml-run -- strace -f -e trace=sendmsg -xx -s 4096 ipvsadm ...}): identical for
 * {@code -A} (both), {@code -E}, {@code --set} and {@code --start-daemon}. For real-server
 * commands ipvsadm also sends the full service and, always, the three tunnel attributes; this
 * library sends the service's identity and tunnel attributes only for TUNNEL. For
 * {@code --stop-daemon} ipvsadm adds an empty interface name and sync id 0; only the state counts.
 */
class GoldenRequestTest {

    static final int FAMILY = 0x1c;

    static final VirtualServerKey TCP_VIP = VirtualServerKey.tcp("10.0.0.1", 80);

    /** IPVS_CMD_ATTR_SERVICE identity of TCP 10.0.0.1:80, nested: 48 bytes. */
    static final String SVC_ID_TCP_VIP = ""
            + "3000 0180"                        // nla len 48, IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED
            + "0600 0100 0200 0000"              // IPVS_SVC_ATTR_AF u16 2 (AF_INET), padded
            + "0600 0200 0600 0000"              // IPVS_SVC_ATTR_PROTOCOL u16 6 (TCP)
            + "1400 0300 0a000001 00000000 00000000 00000000" // IPVS_SVC_ATTR_ADDR: nf_inet_addr, 16 bytes
            + "0600 0400 0050 0000";             // IPVS_SVC_ATTR_PORT __be16 80: NETWORK order

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "golden bytes are little-endian");
    }

    @Test
    void newServiceLikeIpvsadmAddTcpRr() {
        // ipvsadm -A -t 10.0.0.1:80 -s rr
        byte[] msg = IpvsCodec.addService(VirtualServer.of(TCP_VIP, "rr")).toMessage(FAMILY, 1, 0);
        String expected = ""
                + "68000000 1c00 0500 01000000 00000000" // nlmsghdr: len 104, IPVS family, REQUEST|ACK, seq 1, pid 0
                + "01 01 0000"                           // genlmsghdr: IPVS_CMD_NEW_SERVICE, version 1
                + "5400 0180"                            // IPVS_CMD_ATTR_SERVICE, 84 bytes, nested
                + "0600 0100 0200 0000"
                + "0600 0200 0600 0000"
                + "1400 0300 0a000001 00000000 00000000 00000000"
                + "0600 0400 0050 0000"
                + "0700 0600 727200 00"                  // IPVS_SVC_ATTR_SCHED_NAME "rr\0", pad 1
                + "0c00 0700 00000000 ffffffff"          // IPVS_SVC_ATTR_FLAGS struct ip_vs_flags {0, ~0}
                + "0800 0800 00000000"                   // IPVS_SVC_ATTR_TIMEOUT 0
                + "0800 0900 ffffffff";                  // IPVS_SVC_ATTR_NETMASK __be32 255.255.255.255
        assertGolden(msg, expected);
        ServiceAttrs back = serviceOf(msg);
        assertThat(back.af()).isEqualTo(2);
        assertThat(back.protocol()).isEqualTo(6);
        assertThat(back.port()).isEqualTo(80);
        assertThat(back.schedName()).isEqualTo("rr");
        assertThat(back.flagsMask()).isEqualTo(0xFFFFFFFF);
        assertThat(back.netmask()).isEqualTo(0xFFFFFFFF);
    }

    @Test
    void newServiceIpv6FwmarkPersistentShWithFlags() {
        // ipvsadm -A -f 7 -6 -s sh -b sh-fallback,sh-port -p 300 -M 64
        VirtualServerSpec spec = VirtualServerSpec.of("sh")
                .withFlags(Set.of(SchedulerFlag.SH_FALLBACK, SchedulerFlag.SH_PORT))
                .withPersistence(300).withPersistenceNetmask(64);
        byte[] msg = IpvsCodec.addService(new VirtualServer(VirtualServerKey.fwmark(AddressFamily.INET6, 7), spec))
                .toMessage(FAMILY, 2, 0);
        String expected = ""
                + "4c000000 1c00 0500 02000000 00000000"
                + "01 01 0000"
                + "3800 0180"
                + "0600 0100 0a00 0000"          // AF 10 (AF_INET6)
                + "0800 0500 07000000"           // IPVS_SVC_ATTR_FWMARK u32 7, host order
                + "0700 0600 736800 00"          // "sh\0"
                + "0c00 0700 19000000 ffffffff"  // PERSISTENT|SCHED1|SCHED2 = 0x19
                + "0800 0800 2c010000"           // timeout 300
                + "0800 0900 40000000";          // IPv6 netmask: prefix 64 in HOST order
        assertGolden(msg, expected);
        ServiceAttrs back = serviceOf(msg);
        assertThat(back.fwmark()).isEqualTo(7);
        assertThat(back.netmask()).isEqualTo(64);
        assertThat(back.flags()).isEqualTo(0x19);
    }

    @Test
    void setServiceIpv4PersistentWithNetmaskAndPe() {
        // ipvsadm -E -u 10.0.0.1:53 -s wrr -p 60 -M 255.255.255.0 --pe sip
        VirtualServerSpec spec = VirtualServerSpec.of("wrr").withPersistence(60).withPersistenceNetmask(24)
                .withPersistenceEngine("sip");
        byte[] msg = IpvsCodec.updateService(new VirtualServer(VirtualServerKey.udp("10.0.0.1", 53), spec))
                .toMessage(FAMILY, 3, 0);
        String expected = ""
                + "70000000 1c00 0500 03000000 00000000"
                + "02 01 0000"                   // IPVS_CMD_SET_SERVICE
                + "5c00 0180"
                + "0600 0100 0200 0000"
                + "0600 0200 1100 0000"          // UDP 17
                + "1400 0300 0a000001 00000000 00000000 00000000"
                + "0600 0400 0035 0000"          // port 53 big-endian
                + "0800 0600 77727200"           // "wrr\0"
                + "0800 0b00 73697000"           // IPVS_SVC_ATTR_PE_NAME "sip\0"
                + "0c00 0700 01000000 ffffffff"  // PERSISTENT
                + "0800 0800 3c000000"           // 60
                + "0800 0900 ffffff00";          // 255.255.255.0, network order
        assertGolden(msg, expected);
    }

    @Test
    void deleteGetAndZeroServiceCarryIdentityOnly() {
        String body = "01 0000" + SVC_ID_TCP_VIP;
        assertGolden(IpvsCodec.deleteService(TCP_VIP).toMessage(FAMILY, 4, 0),
                "44000000 1c00 0500 04000000 00000000 03" + body);   // IPVS_CMD_DEL_SERVICE
        assertGolden(IpvsCodec.getService(TCP_VIP).toMessage(FAMILY, 4, 0),
                "44000000 1c00 0500 04000000 00000000 04" + body);   // IPVS_CMD_GET_SERVICE, not a dump
        assertGolden(IpvsCodec.zero(TCP_VIP).toMessage(FAMILY, 4, 0),
                "44000000 1c00 0500 04000000 00000000 10" + body);   // IPVS_CMD_ZERO = 16
    }

    @Test
    void commandsWithoutAttributes() {
        // Dumps carry NLM_F_REQUEST|NLM_F_DUMP (0x301), others REQUEST|ACK.
        assertGolden(IpvsCodec.dumpServices().toMessage(FAMILY, 5, 77),
                "14000000 1c00 0103 05000000 4d000000 04 01 0000");
        assertGolden(IpvsCodec.zeroAll().toMessage(FAMILY, 5, 77),
                "14000000 1c00 0500 05000000 4d000000 10 01 0000");
        assertGolden(IpvsCodec.flush().toMessage(FAMILY, 5, 77),
                "14000000 1c00 0500 05000000 4d000000 11 01 0000");
        assertGolden(IpvsCodec.getInfo().toMessage(FAMILY, 5, 77),
                "14000000 1c00 0500 05000000 4d000000 0f 01 0000");
        assertGolden(IpvsCodec.getConfig().toMessage(FAMILY, 5, 77),
                "14000000 1c00 0500 05000000 4d000000 0d 01 0000");
        assertGolden(IpvsCodec.dumpDaemons().toMessage(FAMILY, 5, 77),
                "14000000 1c00 0103 05000000 4d000000 0b 01 0000");
    }

    @Test
    void newDestDirectRoute() {
        // ipvsadm -a -t 10.0.0.1:80 -r 198.18.0.21:80 -g -w 1
        byte[] msg = IpvsCodec.addRealServer(TCP_VIP, RealServer.directRoute("198.18.0.21", 80, 1))
                .toMessage(FAMILY, 6, 0);
        String expected = ""
                + "8c000000 1c00 0500 06000000 00000000"
                + "05 01 0000"                   // IPVS_CMD_NEW_DEST
                + SVC_ID_TCP_VIP
                + "4800 0280"                    // IPVS_CMD_ATTR_DEST, 72 bytes, nested
                + "0600 0b00 0200 0000"          // IPVS_DEST_ATTR_ADDR_FAMILY 2, first as libipvs sends it
                + "1400 0100 c6120015 00000000 00000000 00000000" // 198.18.0.21
                + "0600 0200 0050 0000"          // port 80 big-endian
                + "0800 0300 03000000"           // IPVS_DEST_ATTR_FWD_METHOD IP_VS_CONN_F_DROUTE
                + "0800 0400 01000000"           // weight 1
                + "0800 0500 00000000"           // upper threshold
                + "0800 0600 00000000";          // lower threshold
        assertGolden(msg, expected);
        DestAttrs back = destOf(msg);
        assertThat(back.fwdMethod()).isEqualTo(3);
        assertThat(back.tunType()).isNull();
    }

    @Test
    void setDestIpv6GueTunnelWithChecksum() {
        // ipvsadm -e -t [2001:db8::1]:443 -r [2001:db8::2]:443 -i --tun-type gue --tun-port 6080 --tun-csum
        //         -w 5 -x 1000 -y 10
        VirtualServerKey svc = VirtualServerKey.tcp("2001:db8::1", 443);
        RealServerSpec spec = RealServerSpec.of(Forwarding.TUNNEL, 5).withThresholds(1000, 10)
                .withTunnel(TunnelType.GUE, 6080, Set.of(TunnelFlag.CSUM));
        byte[] msg = IpvsCodec.updateRealServer(svc, new RealServer(RealServerKey.of("2001:db8::2", 443), spec))
                .toMessage(FAMILY, 7, 0);
        String expected = ""
                + "a4000000 1c00 0500 07000000 00000000"
                + "06 01 0000"                   // IPVS_CMD_SET_DEST
                + "3000 0180"
                + "0600 0100 0a00 0000"
                + "0600 0200 0600 0000"
                + "1400 0300 20010db8 00000000 00000000 00000001"
                + "0600 0400 01bb 0000"          // 443 big-endian
                + "6000 0280"                    // dest, 96 bytes
                + "0600 0b00 0a00 0000"          // AF_INET6
                + "1400 0100 20010db8 00000000 00000000 00000002"
                + "0600 0200 01bb 0000"
                + "0800 0300 02000000"           // IP_VS_CONN_F_TUNNEL
                + "0800 0400 05000000"
                + "0500 0d00 01 000000"          // IPVS_DEST_ATTR_TUN_TYPE u8 GUE
                + "0600 0e00 17c0 0000"          // IPVS_DEST_ATTR_TUN_PORT __be16 6080: network order
                + "0600 0f00 0100 0000"          // IPVS_DEST_ATTR_TUN_FLAGS u16 CSUM: host order
                + "0800 0500 e8030000"           // 1000
                + "0800 0600 0a000000";          // 10
        assertGolden(msg, expected);
        DestAttrs back = destOf(msg);
        assertThat(back.tunPort()).isEqualTo(6080);
        assertThat(back.tunFlags()).isEqualTo(1);
    }

    @Test
    void deleteDestAndDumpDests() {
        // ipvsadm -d -t 10.0.0.1:80 -r 198.18.0.21:80
        String dest = ""
                + "2800 0280"                    // IPVS_CMD_ATTR_DEST, 40 bytes
                + "0600 0b00 0200 0000"
                + "1400 0100 c6120015 00000000 00000000 00000000"
                + "0600 0200 0050 0000";
        assertGolden(IpvsCodec.deleteRealServer(TCP_VIP, RealServerKey.of("198.18.0.21", 80)).toMessage(FAMILY, 8, 0),
                "6c000000 1c00 0500 08000000 00000000 07 01 0000" + SVC_ID_TCP_VIP + dest);
        // The dest dump names its service; flags REQUEST|DUMP.
        assertGolden(IpvsCodec.dumpRealServers(TCP_VIP).toMessage(FAMILY, 8, 0),
                "44000000 1c00 0103 08000000 00000000 08 01 0000" + SVC_ID_TCP_VIP);
    }

    @Test
    void setConfigSendsOnlyNonZeroTimeouts() {
        // ipvsadm --set 900 120 300
        assertGolden(IpvsCodec.setConfig(new Timeouts(900, 120, 300)).toMessage(FAMILY, 9, 0),
                "2c000000 1c00 0500 09000000 00000000 0c 01 0000"
                        + "0800 0400 84030000"   // IPVS_CMD_ATTR_TIMEOUT_TCP 900
                        + "0800 0500 78000000"   // IPVS_CMD_ATTR_TIMEOUT_TCP_FIN 120
                        + "0800 0600 2c010000"); // IPVS_CMD_ATTR_TIMEOUT_UDP 300
        // ipvsadm --set 0 0 60: the zeros are left out, so the kernel keeps those timeouts.
        assertGolden(IpvsCodec.setConfig(new Timeouts(0, 0, 60)).toMessage(FAMILY, 9, 0),
                "1c000000 1c00 0500 09000000 00000000 0c 01 0000 0800 0600 3c000000");
    }

    @Test
    void newDaemonWithEveryAttribute() {
        // ipvsadm --start-daemon master --mcast-interface sync0 --syncid 7 --sync-maxlen 1400
        //         --mcast-group 239.1.2.3 --mcast-port 8849 --mcast-ttl 2
        SyncDaemon d = new SyncDaemon(SyncDaemon.State.MASTER, "sync0", 7, 1400, 8849, 2,
                IpAddresses.parse("239.1.2.3"));
        String expected = ""
                + "54000000 1c00 0500 0a000000 00000000"
                + "09 01 0000"                   // IPVS_CMD_NEW_DAEMON
                + "4000 0380"                    // IPVS_CMD_ATTR_DAEMON, 64 bytes, nested
                + "0800 0100 01000000"           // IPVS_DAEMON_ATTR_STATE master
                + "0a00 0200 73796e63 3000 0000" // IPVS_DAEMON_ATTR_MCAST_IFN "sync0\0"
                + "0800 0300 07000000"           // IPVS_DAEMON_ATTR_SYNC_ID
                + "0600 0400 7805 0000"          // IPVS_DAEMON_ATTR_SYNC_MAXLEN u16 1400
                + "0600 0700 9122 0000"          // IPVS_DAEMON_ATTR_MCAST_PORT u16 8849: HOST order
                + "0500 0800 02 000000"          // IPVS_DAEMON_ATTR_MCAST_TTL u8
                + "0800 0500 ef010203";          // IPVS_DAEMON_ATTR_MCAST_GROUP in_addr
        assertGolden(IpvsCodec.startDaemon(d).toMessage(FAMILY, 10, 0), expected);
    }

    @Test
    void newDaemonIpv6GroupAndDefaultsLeftOut() {
        SyncDaemon d = new SyncDaemon(SyncDaemon.State.BACKUP, "eth1", 0, 0, 0, 0, IpAddresses.parse("ff02::1:81"));
        String expected = ""
                + "48000000 1c00 0500 0b000000 00000000"
                + "09 01 0000"
                + "3400 0380"
                + "0800 0100 02000000"
                + "0900 0200 65746831 00 000000"
                + "0800 0300 00000000"
                + "1400 0600 ff020000 00000000 00000000 00010081"; // IPVS_DAEMON_ATTR_MCAST_GROUP6
        assertGolden(IpvsCodec.startDaemon(d).toMessage(FAMILY, 11, 0), expected);
    }

    @Test
    void delDaemonSendsStateOnly() {
        // ipvsadm --stop-daemon backup
        assertGolden(IpvsCodec.stopDaemon(SyncDaemon.State.BACKUP).toMessage(FAMILY, 12, 0),
                "20000000 1c00 0500 0c000000 00000000 0a 01 0000 0c00 0380 0800 0100 02000000");
    }

    @Test
    void genlCtrlGetFamily() {
        assertGolden(NetlinkCodec.getFamilyRequest("IPVS", 9, 0),
                "20000000 1000 0500 09000000 00000000" // type GENL_ID_CTRL
                        + "03 01 0000"                 // CTRL_CMD_GETFAMILY, version 1
                        + "0900 0200 49505653 00 000000"); // CTRL_ATTR_FAMILY_NAME "IPVS\0"
    }

    @Test
    void opDispatchMatchesNamedMethods() {
        VirtualServer vs = VirtualServer.of(TCP_VIP, "rr");
        RealServer rs = RealServer.directRoute("198.18.0.21", 80, 1);
        assertThat(IpvsCodec.request(new IpvsOp.AddService(vs))).isEqualTo(IpvsCodec.addService(vs));
        assertThat(IpvsCodec.request(new IpvsOp.UpdateService(vs))).isEqualTo(IpvsCodec.updateService(vs));
        assertThat(IpvsCodec.request(new IpvsOp.DeleteService(TCP_VIP))).isEqualTo(IpvsCodec.deleteService(TCP_VIP));
        assertThat(IpvsCodec.request(new IpvsOp.AddRealServer(TCP_VIP, rs))).isEqualTo(IpvsCodec.addRealServer(TCP_VIP, rs));
        assertThat(IpvsCodec.request(new IpvsOp.UpdateRealServer(TCP_VIP, rs)))
                .isEqualTo(IpvsCodec.updateRealServer(TCP_VIP, rs));
        assertThat(IpvsCodec.request(new IpvsOp.DeleteRealServer(TCP_VIP, rs.key())))
                .isEqualTo(IpvsCodec.deleteRealServer(TCP_VIP, rs.key()));
        assertThat(IpvsCodec.addService(vs).label()).isEqualTo("-A -t 10.0.0.1:80 -s rr");
        assertThat(IpvsCodec.addRealServer(TCP_VIP, rs).label()).isEqualTo("-a -t 10.0.0.1:80 -r 198.18.0.21:80 -g -w 1");
    }

    static void assertGolden(byte[] actual, String expectedHex) {
        assertThat(Hex.of(actual)).isEqualTo(Hex.of(Hex.bytes(expectedHex)));
    }

    /** Reads the service attributes back out of a request message. */
    static ServiceAttrs serviceOf(byte[] msg) {
        Attributes top = topAttributes(msg);
        return ServiceAttrs.read(top.nested(IpvsConstants.IPVS_CMD_ATTR_SERVICE, IpvsConstants.IPVS_SVC_ATTR_STATS64, "svc"));
    }

    static DestAttrs destOf(byte[] msg) {
        Attributes top = topAttributes(msg);
        return DestAttrs.read(top.nested(IpvsConstants.IPVS_CMD_ATTR_DEST, IpvsConstants.IPVS_DEST_ATTR_TUN_FLAGS, "dest"));
    }

    private static Attributes topAttributes(byte[] msg) {
        NetlinkCodec.Frame f = NetlinkCodec.split(ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder())).get(0);
        ByteBuffer p = f.payload();
        p.position(p.position() + NetlinkConstants.GENL_HDRLEN);
        return Attributes.parse(p, IpvsConstants.IPVS_CMD_ATTR_TIMEOUT_UDP, "top");
    }
}
