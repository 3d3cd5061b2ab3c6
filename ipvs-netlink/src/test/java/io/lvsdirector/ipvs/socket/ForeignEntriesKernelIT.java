package io.lvsdirector.ipvs.socket;

import static io.lvsdirector.ipvs.wire.IpvsConstants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.BatchResult;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.IpvsSnapshot.Unreadable;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.ipvs.wire.AttrWriter;
import io.lvsdirector.ipvs.wire.DestAttrs;
import io.lvsdirector.ipvs.wire.IpvsRequest;
import io.lvsdirector.ipvs.wire.WireMapping;
import io.lvsdirector.lab.Ipvsadm;
import io.lvsdirector.lab.Lab;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The table shared with other tools, in the real kernel: entries that ipvsadm (or another netlink
 * client) can make but the public records cannot hold sit next to a service of ours. Reading the
 * table must return ours intact and list the others, and writing ours must still work.
 *
 * <p>ipvsadm itself makes the non-prefix netmasks. It refuses a weight above 65535 and the tunnel
 * flag combinations below, which the kernel takes, so those are written over netlink here, as
 * another client could (the bytes are built by the wire layer, bypassing the records on purpose).
 */
@Tag("kernel")
class ForeignEntriesKernelIT {

    private static final String NS = "foreignit" + ProcessHandle.current().pid();
    private static NetlinkIpvs ipvs;

    private static final VirtualServerKey OURS = VirtualServerKey.tcp("198.18.0.100", 80);
    private static final VirtualServerKey ODD_MASK = VirtualServerKey.tcp("198.18.0.100", 81);
    private static final VirtualServerKey ZERO_MASK = VirtualServerKey.tcp("198.18.0.100", 82);
    private static final VirtualServerKey FOREIGN = VirtualServerKey.tcp("198.18.0.100", 83);

    @BeforeAll
    static void namespace() {
        Lab.requireKernel();
        Lab.check("ip", "netns", "add", NS);
        // The kernel refuses (EINVAL) a real server whose address has no unicast route, as in a bare
        // namespace: give the real servers' subnet one.
        Lab.check("ip", "-n", NS, "link", "set", "lo", "up");
        Lab.check("ip", "-n", NS, "link", "add", "rs0", "type", "dummy");
        Lab.check("ip", "-n", NS, "link", "set", "rs0", "up");
        Lab.check("ip", "-n", NS, "addr", "add", "198.18.0.1/24", "dev", "rs0");
        ipvs = NetlinkIpvs.open(NS);
    }

    @AfterAll
    static void dropNamespace() {
        if (ipvs != null) {
            ipvs.close();
        }
        Lab.run(30, List.of("ip", "netns", "del", NS));
    }

    @Test
    void foreignEntriesAreListedOursReadIntactAndStillWritable() throws Exception {
        // Ours, written through the records.
        RealServer rs1 = RealServer.directRoute("198.18.0.21", 80, 10);
        ipvs.addService(new VirtualServer(OURS, VirtualServerSpec.of("wlc").withPersistence(300).withPersistenceNetmask(24)));
        ipvs.addRealServer(OURS, rs1);

        // Theirs: ipvsadm services whose persistence mask has no prefix spelling...
        ipvsadm("-A", "-t", "198.18.0.100:81", "-s", "rr", "-p", "60", "-M", "255.0.255.0");
        ipvsadm("-A", "-t", "198.18.0.100:82", "-s", "rr", "-p", "60", "-M", "0.0.0.0");
        // ... and a plain service with one ordinary real server and three the records refuse.
        ipvsadm("-A", "-t", "198.18.0.100:83", "-s", "wrr");
        // (ipvsadm gives a direct-routing or tunnel real server the service's port, 83, whatever it is told.)
        ipvsadm("-a", "-t", "198.18.0.100:83", "-r", "198.18.0.21", "-g", "-w", "5");
        ipvsadm("-a", "-t", "198.18.0.100:83", "-r", "198.18.0.22", "-g", "-w", "5");
        // ipvsadm -e ... -w 100000 is refused by ipvsadm, not by the kernel (its limit is 2^31-1).
        foreignDest(IPVS_CMD_SET_DEST, FOREIGN, "198.18.0.22", IP_VS_CONN_F_DROUTE, 100_000, null, null, null);
        foreignDest(IPVS_CMD_NEW_DEST, FOREIGN, "198.18.0.23", IP_VS_CONN_F_TUNNEL, 1,
                IP_VS_CONN_F_TUNNEL_TYPE_GRE, 0, IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
        foreignDest(IPVS_CMD_NEW_DEST, FOREIGN, "198.18.0.24", IP_VS_CONN_F_TUNNEL, 1,
                IP_VS_CONN_F_TUNNEL_TYPE_GUE, 6000, IP_VS_TUNNEL_ENCAP_FLAG_CSUM | IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);

        // They are really there, as ipvsadm reads them.
        assertThat(Ipvsadm.lines(ipvsadm("-Ln"))).contains(
                "TCP 198.18.0.100:81 rr persistent 60 mask 255.0.255.0",
                "TCP 198.18.0.100:82 rr persistent 60 mask 0.0.0.0",
                "-> 198.18.0.22:83 Route 100000 0 0");
        List<String> tunnels = Ipvsadm.lines(ipvsadm("-Ln", "--tun-info"));
        assertThat(tunnels).as(String.join("\n", tunnels))
                .anyMatch(l -> l.startsWith("-> 198.18.0.23:83 Tunnel gre"))
                .anyMatch(l -> l.startsWith("-> 198.18.0.24:83 Tunnel gue"));

        IpvsSnapshot snap = ipvs.snapshot();

        // Ours, intact.
        assertThat(snap.service(OURS)).hasValueSatisfying(s -> assertThat(s.virtualServer())
                .isEqualTo(new VirtualServer(OURS, VirtualServerSpec.of("wlc").withPersistence(300).withPersistenceNetmask(24))));
        assertThat(snap.realServers(OURS)).extracting(RealServerStatus::realServer).containsExactly(rs1);
        assertThat(snap.isComplete(OURS)).isTrue();
        // The foreign service with its one readable real server.
        assertThat(snap.services()).extracting(s -> s.key()).containsExactlyInAnyOrder(OURS, FOREIGN);
        assertThat(snap.realServers(FOREIGN)).extracting(RealServerStatus::realServer)
                .containsExactly(RealServer.directRoute("198.18.0.21", 83, 5));
        assertThat(snap.isComplete(FOREIGN)).isFalse();
        // And everything else, each with its reason.
        assertThat(snap.unreadable()).extracting(Unreadable::toString).satisfiesExactlyInAnyOrder(
                s -> assertThat(s).startsWith("TCP 198.18.0.100:81: persistence netmask 255.0.255.0 is not a prefix"),
                s -> assertThat(s).startsWith("TCP 198.18.0.100:82: persistence netmask 0.0.0.0 is not a prefix"),
                s -> assertThat(s).isEqualTo("TCP 198.18.0.100:83 -> 198.18.0.22:83: weight 100000 out of range 0..65535"),
                s -> assertThat(s).startsWith("TCP 198.18.0.100:83 -> 198.18.0.23:83: remote checksum offload"),
                s -> assertThat(s).startsWith("TCP 198.18.0.100:83 -> 198.18.0.24:83: choose one of CSUM and REMCSUM"));
        assertThat(snap.unreadable()).filteredOn(u -> u.service().endsWith(":81")).singleElement()
                .satisfies(u -> assertThat(u.serviceKey()).contains(ODD_MASK));
        assertThat(snap.unreadable()).filteredOn(Unreadable::isRealServer)
                .allSatisfy(u -> assertThat(u.serviceKey()).contains(FOREIGN));

        // The single-purpose reads agree; getService of an unrepresentable service cannot answer.
        assertThat(ipvs.services()).extracting(s -> s.key()).containsExactlyInAnyOrder(OURS, FOREIGN);
        assertThat(ipvs.realServers(FOREIGN)).extracting(r -> r.key())
                .containsExactly(RealServerKey.of("198.18.0.21", 83));
        assertThatThrownBy(() -> ipvs.getService(ZERO_MASK)).isInstanceOfSatisfying(IpvsException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EIO);
            assertThat(e.getMessage()).contains("0.0.0.0");
        });
        assertThat(ipvs.getService(OURS)).isPresent();

        // Writing ours still works, in a batch, next to the foreign entries.
        RealServer rs2 = RealServer.directRoute("198.18.0.22", 80, 7);
        BatchResult r = ipvs.apply(List.of(
                new IpvsOp.UpdateRealServer(OURS, rs1.withWeight(20)),
                new IpvsOp.AddRealServer(OURS, rs2)));
        assertThat(r.outcomes()).allSatisfy(o -> assertThat(o.status()).isEqualTo(BatchResult.Status.OK));
        assertThat(ipvs.snapshot().realServers(OURS)).extracting(RealServerStatus::realServer)
                .containsExactlyInAnyOrder(rs1.withWeight(20), rs2);
        assertThat(Ipvsadm.lines(ipvsadm("-Ln", "-t", "198.18.0.100:80"))).contains(
                "-> 198.18.0.21:80 Route 20 0 0", "-> 198.18.0.22:80 Route 7 0 0");
        // The foreign entries were left alone.
        assertThat(Ipvsadm.lines(ipvsadm("-Ln"))).contains(
                "TCP 198.18.0.100:81 rr persistent 60 mask 255.0.255.0", "-> 198.18.0.22:83 Route 100000 0 0");
    }

    /** A destination request as another netlink client might send it, past this library's records. */
    private static void foreignDest(int cmd, VirtualServerKey service, String address, int fwd, int weight,
            Integer tunType, Integer tunPort, Integer tunFlags) throws NetlinkException {
        AttrWriter w = new AttrWriter();
        WireMapping.serviceIdentity(service).writeTo(w);
        new DestAttrs(2, WireMapping.addr16(IpAddresses.parse(address)), service.port(), fwd, weight, 0, 0,
                tunType, tunPort, tunFlags, null, null, null, null, null).writeTo(w);
        IpvsRequest r = new IpvsRequest(cmd, w.toByteArray(), false, "foreign " + address);
        ipvs.connection().request(new NetlinkRequest(ipvs.familyId(), 0, r.genlPayload(), r.label()));
    }

    private static String ipvsadm(String... args) {
        return Lab.ipvsadm(NS, args);
    }
}
