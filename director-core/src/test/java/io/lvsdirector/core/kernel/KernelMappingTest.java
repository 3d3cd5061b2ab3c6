package io.lvsdirector.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.core.plan.ActualState;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.DestinationConfig;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.Planner;
import io.lvsdirector.core.plan.ServiceConfig;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelMappingTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Whatever the director writes, it reads back equal: otherwise every pass would edit. */
    @Test
    void whatIsWrittenReadsBackEqual() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        List<ServiceConfig> configs = List.of(
                new ServiceConfig("wrr", Set.of(), Persistence.NONE),
                new ServiceConfig("sh", Set.of(ServiceFlag.SCHED_FLAG_1, ServiceFlag.SCHED_FLAG_2), Persistence.NONE),
                new ServiceConfig("mh", Set.of(ServiceFlag.SCHED_FLAG_2), new Persistence(Duration.ofSeconds(300), 24)),
                new ServiceConfig("rr", Set.of(ServiceFlag.SCHED_FLAG_3), Persistence.of(Duration.ofSeconds(60))));
        int port = 80;
        for (ServiceConfig c : configs) {
            VirtualServerKey key = VirtualServerKey.of(Protocol.TCP, ip("198.18.0.100"), port++);
            RealServerKey dk = new RealServerKey(ip("198.18.0.21"), key.port());
            DestinationConfig dc = new DestinationConfig(7, Forwarding.DIRECT_ROUTE);
            ipvs.apply(List.of(KernelMapping.op(new PlanOp.AddService("s", key, c)),
                    KernelMapping.op(new PlanOp.AddDestination("s", key, dk, dc))));
            ActualState read = KernelMapping.actual(ipvs.snapshot());
            assertThat(read.services().get(key).config()).isEqualTo(c);
            assertThat(read.services().get(key).destinations().get(dk).config()).isEqualTo(dc);
        }
    }

    @Test
    void schedulerFlagsGetTheSchedulersOwnNames() throws Exception {
        VirtualServerKey key = VirtualServerKey.of(Protocol.TCP, ip("198.18.0.100"), 80);
        IpvsOp op = KernelMapping.op(new PlanOp.AddService("s", key,
                new ServiceConfig("sh", Set.of(ServiceFlag.SCHED_FLAG_1), Persistence.NONE)));
        assertThat(((IpvsOp.AddService) op).virtualServer().spec().flags()).containsExactly(SchedulerFlag.SH_FALLBACK);
    }

    @Test
    void masqueradeAndIpv6MapBothWays() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        VirtualServerKey key = VirtualServerKey.of(Protocol.UDP, ip("fd00::100"), 53);
        RealServerKey dk = new RealServerKey(ip("fd00::21"), 5353);
        DestinationConfig dc = new DestinationConfig(3, Forwarding.MASQ);
        ipvs.apply(List.of(
                KernelMapping.op(new PlanOp.AddService("dns", key, new ServiceConfig("rr",
                        Set.of(ServiceFlag.ONE_PACKET), new Persistence(Duration.ofSeconds(30), 64)))),
                KernelMapping.op(new PlanOp.AddDestination("dns", key, dk, dc))));
        assertThat(ipvs.getService(VirtualServerKey.udp("fd00::100", 53))).isPresent();
        ActualState read = KernelMapping.actual(ipvs.snapshot());
        assertThat(read.services().get(key).destinations().get(dk).config()).isEqualTo(dc);
        assertThat(read.services().get(key).config().persistence().netmaskPrefix()).isEqualTo(64);
    }

    @Test
    void firewallMarkServicesAreLeftOutOfTheDirectorsView() {
        FakeIpvs ipvs = new FakeIpvs();
        ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(
                VirtualServerKey.fwmark(io.lvsdirector.ipvs.AddressFamily.INET, 7), "rr"));
        assertThat(KernelMapping.actual(ipvs.snapshot()).services()).isEmpty();
    }

    /**
     * A service's realServerLimits, end to end without a kernel: desired destination config, ops,
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
        assertThat(edits).hasSize(2).allSatisfy(op -> assertThat(op).isInstanceOf(PlanOp.UpdateDestination.class));
        assertThat(KernelMapping.op(edits.get(0)).describe()).endsWith("-w 1 -x 200 -y 0");
        assertThat(ipvs.realServers(k)).extracting(rs -> rs.spec().upperThreshold() + "/" + rs.spec().lowerThreshold())
                .containsExactly("200/0", "200/0");

        // No limits again: the thresholds are taken off (an edit to 0/0), and the line shows none.
        List<PlanOp> off = pass(ipvs, new ServiceSpec(vs, two, null, null, null, false));
        assertThat(off).hasSize(2);
        assertThat(KernelMapping.op(off.get(0)).describe()).endsWith("-w 1");
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
        List<PlanOp> ops = Planner.plan(desired, KernelMapping.actual(ipvs.snapshot()), Set.of()).ops();
        ipvs.apply(ops.stream().map(KernelMapping::op).toList());
        return ops;
    }

    @Test
    void thresholdsAKernelEntryHasAreReadIntoItsConfig() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(VirtualServerKey.tcp("198.18.0.100", 80), "wrr"));
        ipvs.addRealServer(VirtualServerKey.tcp("198.18.0.100", 80), new io.lvsdirector.ipvs.RealServer(
                io.lvsdirector.ipvs.RealServerKey.of("198.18.0.21", 80),
                io.lvsdirector.ipvs.RealServerSpec.directRoute(1).withThresholds(0xFFFF_FFFFL, 7)));
        DestinationConfig read = KernelMapping.actual(ipvs.snapshot()).services().values().iterator().next()
                .destinations().values().iterator().next().config();
        // Above what the spec takes (ipvsadm's INT_MAX), but what the kernel has: read as it is, so
        // the planner sees the difference and edits it to the desired limits.
        assertThat(read.limits()).isEqualTo(new RealServerLimits(0xFFFF_FFFFL, 7));
    }
}
