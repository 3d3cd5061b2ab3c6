package io.lvsdirector.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelTableTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Whatever the director writes, it reads back equal: otherwise every pass would edit. */
    @Test
    void whatIsWrittenReadsBackEqual() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        VirtualService base = VirtualService.tcp("s", ip("198.18.0.100"), 80);
        List<VirtualService> services = List.of(
                base.withScheduler("wrr"),
                base.withScheduler("sh").withFlags(Set.of(ServiceFlag.SCHED_FLAG_1, ServiceFlag.SCHED_FLAG_2)),
                base.withScheduler("mh").withFlags(Set.of(ServiceFlag.SCHED_FLAG_2))
                        .withPersistence(new Persistence(Duration.ofSeconds(300), 24)),
                base.withScheduler("rr").withFlags(Set.of(ServiceFlag.SCHED_FLAG_3))
                        .withPersistence(Persistence.of(Duration.ofSeconds(60))));
        int port = 80;
        for (VirtualService vs : services) {
            VirtualServerKey key = VirtualServerKey.of(Protocol.TCP, ip("198.18.0.100"), port++);
            RealServerKey dk = new RealServerKey(ip("198.18.0.21"), key.port());
            RealServerSpec dc = RealServerSpec.of(Forwarding.DIRECT_ROUTE, 7);
            ipvs.apply(List.of(PlanOp.addService("s", key, vs.spec()).op(),
                    PlanOp.addRealServer("s", key, dk, dc).op()));
            KernelTable read = KernelTable.of(ipvs.snapshot());
            assertThat(read.services().get(key).spec()).isEqualTo(vs.spec());
            assertThat(read.services().get(key).realServers().get(dk).spec()).isEqualTo(dc);
        }
    }

    @Test
    void schedulerFlagsGetTheSchedulersOwnNames() throws Exception {
        VirtualService vs = VirtualService.tcp("s", ip("198.18.0.100"), 80).withScheduler("sh")
                .withFlags(Set.of(ServiceFlag.SCHED_FLAG_1));
        assertThat(vs.spec().flags()).containsExactly(SchedulerFlag.SH_FALLBACK);
    }

    @Test
    void masqueradeAndIpv6ReadBackAsWritten() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        VirtualService vs = new VirtualService("dns", ip("fd00::100"), 53, Protocol.UDP, "rr",
                Set.of(ServiceFlag.ONE_PACKET), new Persistence(Duration.ofSeconds(30), 64), Forwarding.MASQ);
        VirtualServerKey key = vs.key();
        RealServerKey dk = new RealServerKey(ip("fd00::21"), 5353);
        RealServerSpec dc = RealServerSpec.of(Forwarding.MASQ, 3);
        ipvs.apply(List.of(PlanOp.addService("dns", key, vs.spec()).op(),
                PlanOp.addRealServer("dns", key, dk, dc).op()));
        assertThat(ipvs.getService(VirtualServerKey.udp("fd00::100", 53))).isPresent();
        KernelTable read = KernelTable.of(ipvs.snapshot());
        assertThat(read.services().get(key).realServers().get(dk).spec()).isEqualTo(dc);
        assertThat(read.services().get(key).spec().persistenceNetmaskBits()).isEqualTo(64);
        assertThat(read.services().get(key).spec()).isEqualTo(vs.spec());
    }

    /**
     * The kernel reports LOCAL for a real server on an address of this host whatever was asked; the
     * director asks for direct routing there, so it reads as that and a pass plans no edit.
     */
    @Test
    void localForwardingReadsAsDirectRoutingAndForeignSettingsAsTheDirectorWritesThem() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        VirtualServerKey key = VirtualServerKey.tcp("198.18.0.100", 80);
        ipvs.addService(new io.lvsdirector.ipvs.VirtualServer(key,
                VirtualServerSpec.of("rr").withPersistenceEngine("sip").withPersistence(60)));
        ipvs.addRealServer(key, new io.lvsdirector.ipvs.RealServer(RealServerKey.of("127.0.0.1", 80),
                RealServerSpec.of(Forwarding.LOCAL, 5)));
        KernelService read = KernelTable.of(ipvs.snapshot()).services().get(key);
        assertThat(read.spec()).isEqualTo(VirtualServerSpec.of("rr").withPersistence(60));
        assertThat(read.realServers().get(RealServerKey.of("127.0.0.1", 80)).spec())
                .isEqualTo(RealServerSpec.directRoute(5));
    }

    @Test
    void firewallMarkServicesAreLeftOutOfTheDirectorsView() {
        FakeIpvs ipvs = new FakeIpvs();
        ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(
                VirtualServerKey.fwmark(io.lvsdirector.ipvs.AddressFamily.INET, 7), "rr"));
        assertThat(KernelTable.of(ipvs.snapshot()).services()).isEmpty();
    }

    /**
     * A service's realServerLimits, end to end without a kernel: desired real-server spec, ops,
     * the fake kernel's real servers, read back equal (a second pass plans nothing), and a change of
     * limits is one in-place edit per real server, sorry server included, never a delete and add.
     */
    @Test
    void realServerLimitsReachEveryRealServerAndAChangeIsAnEdit() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        VirtualService vs = VirtualService.tcp("web", ip("198.18.0.100"), 80);
        RealServerSource two = new RealServerSource.StaticList(List.of(
                new StaticRealServer(ip("198.18.0.21"), 1), new StaticRealServer(ip("198.18.0.22"), 2)));
        ServiceSpec spec = new ServiceSpec(vs, two, null, null, null, false, new RealServerLimits(100, 10));

        assertThat(pass(ipvs, spec)).hasSize(3);
        VirtualServerKey k = VirtualServerKey.tcp("198.18.0.100", 80);
        assertThat(ipvs.realServers(k)).extracting(rs -> rs.spec().upperThreshold() + "/" + rs.spec().lowerThreshold())
                .containsExactly("100/10", "100/10");
        assertThat(pass(ipvs, spec)).as("read back equal").isEmpty();

        ServiceSpec changed = new ServiceSpec(vs, two, null, null, null, false, new RealServerLimits(200, 0));
        List<PlanOp> edits = pass(ipvs, changed);
        assertThat(edits).hasSize(2).allSatisfy(op -> assertThat(op.op()).isInstanceOf(IpvsOp.UpdateRealServer.class));
        assertThat(edits.get(0).describe()).endsWith("-w 1 -x 200 -y 0");
        assertThat(ipvs.realServers(k)).extracting(rs -> rs.spec().upperThreshold() + "/" + rs.spec().lowerThreshold())
                .containsExactly("200/0", "200/0");

        // No limits again: the thresholds are taken off (an edit to 0/0), and the line shows none.
        List<PlanOp> off = pass(ipvs, new ServiceSpec(vs, two, null, null, null, false));
        assertThat(off).hasSize(2);
        assertThat(off.get(0).describe()).endsWith("-w 1");
        assertThat(ipvs.realServers(k)).allSatisfy(rs -> assertThat(rs.spec().upperThreshold()).isZero());

        // The sorry server gets them too.
        ServiceSpec sorry = new ServiceSpec(vs, new RealServerSource.StaticList(List.of()), null,
                new WhenAllDown.SorryServer(ip("198.18.0.99"), 1), null, false, new RealServerLimits(5, 1));
        pass(ipvs, sorry);
        assertThat(ipvs.realServers(k)).singleElement()
                .satisfies(rs -> assertThat(rs.spec().upperThreshold() + "/" + rs.spec().lowerThreshold()).isEqualTo("5/1"));
    }

    /** One pass of build, plan and apply; the ops applied. */
    private static List<PlanOp> pass(FakeIpvs ipvs, ServiceSpec spec) {
        DesiredState desired = DesiredStateBuilder.build(List.of(spec), List.of(), Map.of(), List.of(), Map.of(),
                Instant.parse("2026-01-01T00:00:00Z"));
        List<PlanOp> ops = Planner.plan(desired, KernelTable.of(ipvs.snapshot()), Set.of()).ops();
        ipvs.apply(ops.stream().map(PlanOp::op).toList());
        return ops;
    }

    @Test
    void thresholdsAKernelEntryHasAreReadIntoItsSpec() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(VirtualServerKey.tcp("198.18.0.100", 80), "wrr"));
        ipvs.addRealServer(VirtualServerKey.tcp("198.18.0.100", 80), new io.lvsdirector.ipvs.RealServer(
                io.lvsdirector.ipvs.RealServerKey.of("198.18.0.21", 80),
                io.lvsdirector.ipvs.RealServerSpec.directRoute(1).withThresholds(0xFFFF_FFFFL, 7)));
        RealServerSpec read = KernelTable.of(ipvs.snapshot()).services().values().iterator().next()
                .realServers().values().iterator().next().spec();
        // Above what the spec takes (ipvsadm's INT_MAX), but what the kernel has: read as it is, so
        // the planner sees the difference and edits it to the desired limits.
        assertThat(read.upperThreshold()).isEqualTo(0xFFFF_FFFFL);
        assertThat(read.lowerThreshold()).isEqualTo(7);
    }
}
