package io.lvsdirector.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bad input is refused when the records are built, before anything could be sent, with a clear message. */
class ValidationTest {

    @Test
    void unparsableAddresses() {
        for (String bad : new String[] {"", "10.0.0", "10.0.0.256", "10.0.0.1.2", "10..0.1", "web1",
                "10.0.0.-1", "1.2.3.4 ", "2001:db8::g", "2001:db8:::1", "fe80::1%eth0", "::1/128"}) {
            assertThatThrownBy(() -> IpAddresses.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("address");
        }
        assertThatThrownBy(() -> VirtualServerKey.tcp("web1", 80)).hasMessageContaining("not an IP address: 'web1'");
        assertThatThrownBy(() -> RealServerKey.of("10.0.0.300", 80)).hasMessageContaining("300 > 255");
    }

    @Test
    void literalsParseWithoutResolving() {
        assertThat(IpAddresses.parse("10.0.0.1")).isInstanceOf(Inet4Address.class);
        assertThat(IpAddresses.parse("2001:db8::1")).isInstanceOf(Inet6Address.class);
        assertThat(IpAddresses.parse("::")).isInstanceOf(Inet6Address.class);
        assertThat(IpAddresses.parse("010.000.000.001").getHostAddress()).isEqualTo("10.0.0.1");
    }

    @Test
    void ipv6TextIsRfc5952() {
        assertThat(IpAddresses.toText(IpAddresses.parse("2001:0db8:0000:0000:0000:0000:0000:0001"))).isEqualTo("2001:db8::1");
        assertThat(IpAddresses.toText(IpAddresses.parse("::"))).isEqualTo("::");
        assertThat(IpAddresses.toText(IpAddresses.parse("::1"))).isEqualTo("::1");
        assertThat(IpAddresses.toText(IpAddresses.parse("fe80::"))).isEqualTo("fe80::");
        assertThat(IpAddresses.toText(IpAddresses.parse("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
        assertThat(IpAddresses.toText(IpAddresses.parse("2001:0:0:1:0:0:1:1"))).isEqualTo("2001::1:0:0:1:1");
        assertThat(IpAddresses.toText(IpAddresses.parse("2001:db8:1:1:1:1:0:1"))).isEqualTo("2001:db8:1:1:1:1:0:1");
    }

    @Test
    void ipv4MappedIpv6IsRefusedRatherThanSilentlyChangingFamily() {
        assertThatThrownBy(() -> IpAddresses.parse("::ffff:10.0.0.1")).hasMessageContaining("IPv4-mapped");
    }

    @Test
    void mixedFamilyAddresses() {
        assertThatThrownBy(() -> new VirtualServerKey(AddressFamily.INET6, Protocol.TCP,
                IpAddresses.parse("10.0.0.1"), 80, 0)).hasMessageContaining("mixed address families");
        assertThatThrownBy(() -> IpAddresses.parse("10.0.0.1", AddressFamily.INET6))
                .hasMessageContaining("is not INET6");
        VirtualServerKey v4 = VirtualServerKey.tcp("10.0.0.1", 80);
        RealServer v6dr = RealServer.directRoute("2001:db8::2", 80, 1);
        assertThatThrownBy(() -> new IpvsOp.AddRealServer(v4, v6dr))
                .hasMessageContaining("mixed address families are only possible with TUNNEL forwarding");
        assertThatThrownBy(() -> new IpvsOp.UpdateRealServer(v4, v6dr)).hasMessageContaining("TUNNEL");
        // Tunnelling may cross families, as the kernel allows; deleting never checks.
        RealServer v6tun = new RealServer(v6dr.key(), RealServerSpec.of(Forwarding.TUNNEL, 1));
        assertThatCode(() -> new IpvsOp.AddRealServer(v4, v6tun)).doesNotThrowAnyException();
        assertThatCode(() -> new IpvsOp.DeleteRealServer(v4, v6dr.key())).doesNotThrowAnyException();
    }

    @Test
    void portZeroOnlyForFwmark() {
        assertThatThrownBy(() -> VirtualServerKey.tcp("10.0.0.1", 0))
                .hasMessageContaining("port 0 out of range 1..65535").hasMessageContaining("only for fwmark");
        assertThatThrownBy(() -> VirtualServerKey.udp("10.0.0.1", 65536)).hasMessageContaining("65536");
        assertThatThrownBy(() -> VirtualServerKey.fwmark(AddressFamily.INET, 0)).hasMessageContaining("non-zero");
        assertThatThrownBy(() -> new VirtualServerKey(AddressFamily.INET, Protocol.TCP, null, 0, 5))
                .hasMessageContaining("fwmark service is identified by family and mark only");
        assertThat(VirtualServerKey.fwmark(AddressFamily.INET, -1).toString()).isEqualTo("FWM 4294967295");
        // Real servers may have port 0 (fwmark services, DR without port).
        assertThat(RealServerKey.of("10.0.0.2", 0).port()).isZero();
        assertThatThrownBy(() -> RealServerKey.of("10.0.0.2", -1)).hasMessageContaining("out of range 0..65535");
    }

    @Test
    void weightOutOfRange() {
        assertThatThrownBy(() -> RealServerSpec.directRoute(-1)).hasMessageContaining("weight -1 out of range 0..65535");
        assertThatThrownBy(() -> RealServerSpec.directRoute(65536)).hasMessageContaining("weight 65536");
        assertThat(RealServerSpec.directRoute(0).weight()).isZero();
        assertThat(RealServerSpec.directRoute(65535).weight()).isEqualTo(65535);
    }

    @Test
    void thresholds() {
        assertThatThrownBy(() -> RealServerSpec.directRoute(1).withThresholds(10, 20))
                .hasMessageContaining("lower threshold 20 above upper threshold 10").hasMessageContaining("ERANGE");
        assertThatThrownBy(() -> RealServerSpec.directRoute(1).withThresholds(1L << 32, 0))
                .hasMessageContaining("upper threshold");
        assertThat(RealServerSpec.directRoute(1).withThresholds(0xFFFF_FFFFL, 5).upperThreshold()).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void schedulerNameTooLong() {
        assertThatThrownBy(() -> VirtualServerSpec.of("a23456789012345x"))
                .hasMessageContaining("is 16 characters; the kernel takes at most 15");
        assertThat(VirtualServerSpec.of("a23456789012345").scheduler()).hasSize(15);
        assertThatThrownBy(() -> VirtualServerSpec.of("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> VirtualServerSpec.of("r r")).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> VirtualServerSpec.of("rr").withPersistenceEngine("a23456789012345x"))
                .hasMessageContaining("persistence engine");
    }

    @Test
    void schedulerFlagsAreCanonicalForTheirScheduler() {
        assertThatThrownBy(() -> VirtualServerSpec.of("rr").withFlags(Set.of(SchedulerFlag.SH_PORT)))
                .hasMessageContaining("SH_PORT does not apply to scheduler 'rr'");
        assertThatThrownBy(() -> VirtualServerSpec.of("sh").withFlags(Set.of(SchedulerFlag.SCHED1)))
                .hasMessageContaining("SCHED1");
        assertThatThrownBy(() -> VirtualServerSpec.of("mh").withFlags(Set.of(SchedulerFlag.SH_FALLBACK)))
                .hasMessageContaining("SH_FALLBACK");
        assertThatCode(() -> VirtualServerSpec.of("sh").withFlags(EnumSet.of(SchedulerFlag.SH_FALLBACK,
                SchedulerFlag.SCHED3, SchedulerFlag.ONE_PACKET))).doesNotThrowAnyException();
        // One kernel bit set, two spellings: the scheduler decides which.
        assertThat(SchedulerFlag.fromBits(0x08, "sh")).containsExactly(SchedulerFlag.SH_FALLBACK);
        assertThat(SchedulerFlag.fromBits(0x08, "mh")).containsExactly(SchedulerFlag.MH_FALLBACK);
        assertThat(SchedulerFlag.fromBits(0x08, "rr")).containsExactly(SchedulerFlag.SCHED1);
        assertThat(SchedulerFlag.fromBits(0x3F, "sh")).containsExactlyInAnyOrder(SchedulerFlag.ONE_PACKET,
                SchedulerFlag.SH_FALLBACK, SchedulerFlag.SH_PORT, SchedulerFlag.SCHED3);
        assertThat(SchedulerFlag.toBits(Set.of(SchedulerFlag.MH_PORT, SchedulerFlag.ONE_PACKET))).isEqualTo(0x14);
    }

    @Test
    void persistenceNetmaskIsCanonical() {
        VirtualServerKey v4 = VirtualServerKey.tcp("10.0.0.1", 80);
        VirtualServerKey v6 = VirtualServerKey.tcp("2001:db8::1", 80);
        assertThatThrownBy(() -> new VirtualServer(v4, VirtualServerSpec.of("rr").withPersistenceNetmask(33)))
                .hasMessageContaining("/33 is longer than a INET address");
        assertThatThrownBy(() -> VirtualServerSpec.of("rr").withPersistenceNetmask(129)).hasMessageContaining("0..128");
        assertThat(new VirtualServer(v4, VirtualServerSpec.of("rr").withPersistenceNetmask(32)).spec())
                .isEqualTo(VirtualServerSpec.of("rr"));
        assertThat(new VirtualServer(v6, VirtualServerSpec.of("rr").withPersistenceNetmask(128)).spec())
                .isEqualTo(VirtualServerSpec.of("rr"));
        assertThat(new VirtualServer(v6, VirtualServerSpec.of("rr").withPersistenceNetmask(64)).spec()
                .persistenceNetmaskBits()).isEqualTo(64);
        assertThatThrownBy(() -> VirtualServerSpec.of("rr").withPersistence(-1)).hasMessageContaining("< 0");
    }

    @Test
    void tunnelSettings() {
        RealServerSpec dr = RealServerSpec.directRoute(1);
        assertThatThrownBy(() -> new RealServerSpec(1, Forwarding.DIRECT_ROUTE, 0, 0, TunnelType.GUE, 6080, Set.of()))
                .hasMessageContaining("TUNNEL forwarding only");
        assertThatThrownBy(() -> dr.withTunnel(TunnelType.GUE, 0, Set.of())).hasMessageContaining("GUE tunnel port 0");
        assertThatThrownBy(() -> dr.withTunnel(TunnelType.GRE, 6080, Set.of())).hasMessageContaining("GUE only");
        assertThatThrownBy(() -> dr.withTunnel(TunnelType.IPIP, 0, Set.of(TunnelFlag.CSUM)))
                .hasMessageContaining("not IPIP");
        assertThatThrownBy(() -> dr.withTunnel(TunnelType.GRE, 0, Set.of(TunnelFlag.REMCSUM)))
                .hasMessageContaining("GUE only");
        assertThatThrownBy(() -> dr.withTunnel(TunnelType.GUE, 1, Set.of(TunnelFlag.CSUM, TunnelFlag.REMCSUM)))
                .hasMessageContaining("not both");
        assertThat(dr.withTunnel(TunnelType.GUE, 6080, Set.of(TunnelFlag.REMCSUM)).forwarding()).isEqualTo(Forwarding.TUNNEL);
    }

    @Test
    void syncDaemon() {
        assertThatThrownBy(() -> SyncDaemon.of(SyncDaemon.State.MASTER, "", 1)).hasMessageContaining("1..15");
        assertThatThrownBy(() -> SyncDaemon.of(SyncDaemon.State.MASTER, "a234567890123456", 1)).hasMessageContaining("1..15");
        assertThatThrownBy(() -> SyncDaemon.of(SyncDaemon.State.MASTER, "eth0", 256)).hasMessageContaining("sync id 256");
        assertThatThrownBy(() -> new SyncDaemon(SyncDaemon.State.MASTER, "eth0", 1, 0, 0, 256, null))
                .hasMessageContaining("ttl 256");
        assertThatThrownBy(() -> new SyncDaemon(SyncDaemon.State.MASTER, "eth0", 1, 0, 0, 0,
                IpAddresses.parse("10.0.0.1"))).hasMessageContaining("not a multicast address");
    }

    @Test
    void timeoutsAndCollectionsAreCopied() {
        assertThatThrownBy(() -> new Timeouts(-1, 0, 0)).hasMessageContaining(">= 0");
        Set<SchedulerFlag> flags = EnumSet.of(SchedulerFlag.ONE_PACKET);
        VirtualServerSpec spec = VirtualServerSpec.of("rr").withFlags(flags);
        flags.add(SchedulerFlag.SCHED1);
        assertThat(spec.flags()).containsExactly(SchedulerFlag.ONE_PACKET);
        assertThatThrownBy(() -> spec.flags().add(SchedulerFlag.SCHED2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void opsDescribeThemselvesInIpvsadmWords() {
        VirtualServerKey fwm = VirtualServerKey.fwmark(AddressFamily.INET6, 7);
        assertThat(new IpvsOp.DeleteService(fwm).describe()).isEqualTo("-D -f 7 -6");
        assertThat(new IpvsOp.DeleteRealServer(VirtualServerKey.sctp("2001:db8::1", 9), RealServerKey.of("2001:db8::2", 9))
                .describe()).isEqualTo("-d --sctp-service [2001:db8::1]:9 -r [2001:db8::2]:9");
        assertThat(VirtualServerKey.udp("10.0.0.1", 53).toString()).isEqualTo("UDP 10.0.0.1:53");
    }

    @Test
    void exceptionCarriesErrnoByName() {
        IpvsOp op = new IpvsOp.DeleteService(VirtualServerKey.tcp("10.0.0.1", 80));
        IpvsException e = new IpvsException(Errno.ESRCH, op.describe(), "", op);
        assertThat(e.errno()).isEqualTo(3);
        assertThat(e.errnoName()).isEqualTo("ESRCH");
        assertThat(e.op()).contains(op);
        assertThat(e.getMessage()).isEqualTo("ipvs -D -t 10.0.0.1:80: ESRCH (3)");
        assertThat(new IpvsException(Errno.ENOENT, "-A", "no such scheduler").getMessage()).endsWith(": no such scheduler");
        assertThat(Errno.name(9999)).isEqualTo("errno 9999");
    }

    @Test
    void batchResultIsNeverAmbiguous() {
        IpvsOp op = new IpvsOp.DeleteService(VirtualServerKey.tcp("10.0.0.1", 80));
        IpvsException e = new IpvsException(Errno.ESRCH, op.describe(), "", op);
        assertThatThrownBy(() -> new BatchResult.Outcome(op, BatchResult.Status.OK, e)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchResult.Outcome(op, BatchResult.Status.FAILED, null)).isInstanceOf(IllegalArgumentException.class);
        BatchResult r = new BatchResult(java.util.List.of(BatchResult.Outcome.ok(op), BatchResult.Outcome.failed(op, e),
                BatchResult.Outcome.notAttempted(op, e)));
        assertThat(r.allOk()).isFalse();
        assertThat(r.okCount()).isEqualTo(1);
        assertThat(r.failures()).extracting(BatchResult.Outcome::status)
                .containsExactly(BatchResult.Status.FAILED, BatchResult.Status.NOT_ATTEMPTED);
        assertThatThrownBy(r::throwIfFailed).isSameAs(e);
    }

    @Test
    void snapshotRefusesDuplicateServices() {
        VirtualServerStatus s = new VirtualServerStatus(VirtualServerKey.tcp("10.0.0.1", 80), VirtualServerSpec.of("rr"), Stats.ZERO);
        assertThatThrownBy(() -> new IpvsSnapshot(java.util.List.of(new IpvsSnapshot.Entry(s, java.util.List.of()),
                new IpvsSnapshot.Entry(s, java.util.List.of())))).hasMessageContaining("listed twice");
    }
}
