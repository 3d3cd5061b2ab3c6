package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.apply;
import static io.lvsdirector.core.plan.Fixtures.ip;
import static io.lvsdirector.core.plan.Fixtures.staticService;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.ProbeRoutes;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.status.StatusBuilder;
import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The internal fwmark services behind probes via a VIP: what is desired, planned, owned and shown. */
class VipPathsTest {

    private static final VipPaths.Marks MARKS = new VipPaths.Marks(1000, 3);
    private static final InetAddress SOURCE = ip("198.18.0.11");

    private static ServiceSpec viaVip(ServiceSpec s) {
        return new ServiceSpec(s.service(), s.realServers(), s.healthCheck().withVia(HealthCheck.Via.VIP),
                s.whenAllDown(), s.drainTimeout());
    }

    private static DesiredState build(VipPaths paths, Collection<ServiceSpec> specs) {
        return paths.withPaths(DesiredStateBuilder.build(specs, List.of(), Map.of(), List.of(), Map.of(), T0));
    }

    private static Map<InetAddress, Integer> marks(DesiredState d) {
        return d.services().values().stream().filter(s -> VipPaths.isInternal(s.name())).collect(Collectors.toMap(
                s -> s.realServers().firstKey().address(), s -> s.key().fwmark()));
    }

    @Test
    void eachRealServerCheckedViaAVipGetsOneInternalServiceAndNodeChecksGetNone() {
        VipPaths paths = new VipPaths(MARKS, a -> SOURCE);
        ServiceSpec web = viaVip(staticService("web", "198.18.0.100", 80, "198.18.0.21", "198.18.0.22"));
        // The same nodes behind another VIP, checked via that VIP: two probe targets per node, one path.
        ServiceSpec api = viaVip(staticService("api", "198.18.0.101", 80, "198.18.0.21", "198.18.0.22"));
        ServiceSpec plain = staticService("plain", "198.18.0.102", 80, "198.18.0.23");
        DesiredState d = build(paths, List.of(web, api, plain));

        assertThat(marks(d)).isEqualTo(Map.of(ip("198.18.0.21"), 1000, ip("198.18.0.22"), 1001));
        DesiredService internal = d.services().get(VirtualServerKey.fwmark(AddressFamily.INET, 1000));
        assertThat(internal.name()).isEqualTo("vip-probe:198.18.0.21");
        assertThat(internal.realServers()).hasSize(1);
        DesiredRealServer rs = internal.realServers().values().iterator().next();
        assertThat(rs.key().port()).isZero();
        assertThat(rs.desiredWeight()).isEqualTo(1);
        assertThat(rs.spec().forwarding()).isEqualTo(io.lvsdirector.ipvs.Forwarding.DIRECT_ROUTE);
        // The probe targets: via a VIP they differ by VIP; the node check's target has none.
        assertThat(d.probeTargets()).hasSize(5);
        assertThat(d.probeTargets().stream().filter(t -> t.vip() == null).map(ProbeTarget::address))
                .containsExactly(ip("198.18.0.23"));
    }

    @Test
    void theInternalServicesArePlannedOwnedAndDeletedLikeAnyOtherButNotShownAsServices() {
        VipPaths paths = new VipPaths(MARKS, a -> SOURCE);
        ServiceSpec web = viaVip(staticService("web", "198.18.0.100", 80, "198.18.0.21"));
        DesiredState d = build(paths, List.of(web));
        Plan plan = Planner.plan(d, KernelTable.EMPTY, Set.of());
        VirtualServerKey fwm = VirtualServerKey.fwmark(AddressFamily.INET, 1000);
        assertThat(plan.ops().stream().map(PlanOp::op).filter(o -> o instanceof IpvsOp.AddService))
                .hasSize(2);
        assertThat(plan.ops()).anyMatch(o -> o.op() instanceof IpvsOp.AddRealServer a && a.service().equals(fwm)
                && a.realServer().key().address().equals(ip("198.18.0.21")));
        KernelTable kernel = apply(KernelTable.EMPTY, plan);
        assertThat(Planner.plan(d, kernel, Set.of(fwm, web.service().key())).ops()).isEmpty();

        // Status lists what users asked for, not the director's probe paths.
        assertThat(StatusBuilder.services(d, kernel)).extracting(s -> s.name()).containsExactly("web");

        // Back to a check via the node: the owned internal service goes.
        ServiceSpec node = staticService("web", "198.18.0.100", 80, "198.18.0.21");
        DesiredState after = build(paths, List.of(node));
        assertThat(marks(after)).isEmpty();
        Plan cleanup = Planner.plan(after, kernel, Set.of(fwm, web.service().key()));
        assertThat(cleanup.ops()).extracting(PlanOp::op).containsExactly(new IpvsOp.DeleteService(fwm));
        // Never owned (someone else's mark in the range, say): left alone, as any foreign service.
        assertThat(Planner.plan(after, kernel, Set.of(web.service().key())).ops()).isEmpty();
    }

    @Test
    void marksStayWithTheirRealServerFreedOnesAreReusedAndAFullRangeIsAReason() {
        VipPaths paths = new VipPaths(MARKS, a -> SOURCE);
        build(paths, List.of(viaVip(staticService("web", "198.18.0.100", 80, "198.18.0.21", "198.18.0.22",
                "198.18.0.23"))));
        // .21 goes: its mark is freed; .22 and .23 keep theirs; .24 takes the free one.
        DesiredState d = build(paths, List.of(viaVip(staticService("web", "198.18.0.100", 80, "198.18.0.22",
                "198.18.0.23", "198.18.0.24"))));
        assertThat(marks(d)).isEqualTo(Map.of(ip("198.18.0.22"), 1001, ip("198.18.0.23"), 1002,
                ip("198.18.0.24"), 1000));
        // A fourth node does not fit in three marks: its probes say so, the others' paths are unharmed.
        d = build(paths, List.of(viaVip(staticService("web", "198.18.0.100", 80, "198.18.0.22", "198.18.0.23",
                "198.18.0.24", "198.18.0.25"))));
        assertThat(marks(d)).hasSize(3).doesNotContainKey(ip("198.18.0.25"));
        paths.publish(apply(KernelTable.EMPTY, Planner.plan(d, KernelTable.EMPTY, Set.of())), Map.of());
        assertThat(paths.route(ip("198.18.0.25")).problem()).contains("no free probe mark");
        assertThat(paths.route(ip("198.18.0.22")).ready()).isTrue();
    }

    @Test
    void aPathIsReadyOnlyOnceItsInternalServiceIsInTheKernelAsPlanned() {
        VipPaths paths = new VipPaths(MARKS, a -> SOURCE);
        DesiredState d = build(paths, List.of(viaVip(staticService("web", "198.18.0.100", 80, "198.18.0.21"))));
        InetAddress rs = ip("198.18.0.21");
        assertThat(paths.route(rs).ready()).isFalse();
        paths.publish(KernelTable.EMPTY, Map.of());
        // Being made: pending, which the prober does not count (a restart must not fail every node).
        assertThat(paths.route(rs)).isSameAs(ProbeRoutes.Route.NOT_YET);
        assertThat(paths.route(rs).pending()).isTrue();
        VirtualServerKey fwm = VirtualServerKey.fwmark(AddressFamily.INET, 1000);
        paths.publish(KernelTable.EMPTY, Map.of(fwm, "-A -f 1000 -s rr: EEXIST"));
        assertThat(paths.route(rs).problem()).endsWith("failed: -A -f 1000 -s rr: EEXIST");
        assertThat(paths.route(rs).pending()).isFalse();

        KernelTable kernel = apply(KernelTable.EMPTY, Planner.plan(d, KernelTable.EMPTY, Set.of()));
        paths.publish(kernel, Map.of());
        ProbeRoutes.Route route = paths.route(rs);
        assertThat(route.ready()).isTrue();
        assertThat(route.mark()).isEqualTo(1000);
        assertThat(route.source()).isEqualTo(SOURCE);
        // Someone put another real server under the mark: an unmarked guess is worse than no probe.
        KernelTable tampered = kernel.after(new IpvsOp.AddRealServer(fwm, new io.lvsdirector.ipvs.RealServer(
                new io.lvsdirector.ipvs.RealServerKey(ip("198.18.0.99"), 0),
                io.lvsdirector.ipvs.RealServerSpec.directRoute(1))));
        paths.publish(tampered, Map.of());
        assertThat(paths.route(rs).ready()).isFalse();
        // A real server no longer checked via a VIP has no route at all.
        assertThat(paths.route(ip("198.18.0.77")).ready()).isFalse();
    }

    @Test
    void aDryRunPlansThePathsWithoutKeepingTheirMarks() {
        VipPaths paths = new VipPaths(MARKS, a -> SOURCE);
        DesiredState planned = paths.plannedFor(DesiredStateBuilder.build(List.of(viaVip(staticService("web",
                "198.18.0.100", 80, "198.18.0.21"))), List.of(), Map.of(), List.of(), Map.of(), T0));
        assertThat(marks(planned)).containsEntry(ip("198.18.0.21"), 1000);
        // Nothing was kept: the next real build allocates from scratch.
        DesiredState real = build(paths, List.of(viaVip(staticService("web", "198.18.0.100", 80, "198.18.0.22"))));
        assertThat(marks(real)).isEqualTo(Map.of(ip("198.18.0.22"), 1000));
    }

    @Test
    void theMarkRangeMustFitInThirtyTwoBits() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VipPaths.Marks(0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VipPaths.Marks(-1, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new VipPaths.Marks(-2, 2).contains(-1)).isTrue();
        assertThat(new VipPaths(MARKS).isInternal(VirtualServerKey.fwmark(AddressFamily.INET, 1003))).isFalse();
        assertThat(new VipPaths(MARKS).isInternal(VirtualServerKey.fwmark(AddressFamily.INET, 1002))).isTrue();
    }
}
