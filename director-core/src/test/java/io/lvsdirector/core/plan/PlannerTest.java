package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.apply;
import static io.lvsdirector.core.plan.Fixtures.dest;
import static io.lvsdirector.core.plan.Fixtures.draining;
import static io.lvsdirector.core.plan.Fixtures.failed;
import static io.lvsdirector.core.plan.Fixtures.healthy;
import static io.lvsdirector.core.plan.Fixtures.ip;
import static io.lvsdirector.core.plan.Fixtures.key;
import static io.lvsdirector.core.plan.Fixtures.plus;
import static io.lvsdirector.core.plan.Fixtures.staticService;
import static io.lvsdirector.core.plan.Fixtures.table;
import static io.lvsdirector.core.plan.Fixtures.target;
import static io.lvsdirector.core.plan.Fixtures.withDrainTimeout;
import static io.lvsdirector.core.plan.Fixtures.withPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static final VirtualServerKey WEB = key("10.0.0.100", 80);
    private static final VirtualServerSpec WRR = VirtualServerSpec.of("wrr");
    private static final RealServerSpec W100 = RealServerSpec.of(Forwarding.DIRECT_ROUTE, 100);

    private static RealServerStatus rs(String address, int weight, long active, long inactive) {
        return new RealServerStatus(dest(address, 80), RealServerSpec.of(Forwarding.DIRECT_ROUTE, weight),
                active, inactive, 0, Stats.ZERO);
    }

    private static DesiredState desired(List<ServiceSpec> specs, Map<ProbeTarget, HealthStatus> health,
            Instant now) {
        return DesiredStateBuilder.build(specs, List.of(), health, List.of(), Map.of(), now);
    }

    private static Map<ProbeTarget, HealthStatus> allHealthy(String... rs) {
        Map<ProbeTarget, HealthStatus> m = new HashMap<>();
        for (String r : rs) {
            m.put(target(r), healthy());
        }
        return m;
    }

    @Test
    void anEmptyKernelGetsTheServiceFirstThenItsRealServers() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                allHealthy("10.0.1.1", "10.0.1.2"), T0);
        Plan plan = Planner.plan(d, KernelTable.EMPTY, Set.of());
        assertThat(plan.ops()).containsExactly(
                PlanOp.addService("web", WEB, WRR),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.1", 80), W100),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.2", 80), W100));
    }

    @Test
    void aKernelThatAlreadyMatchesIsAdoptedWithoutAnyOp() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                allHealthy("10.0.1.1", "10.0.1.2"), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 3, 9), rs("10.0.1.2", 100, 0, 0));
        // Not owned yet: this is the first pass after a restart.
        assertThat(Planner.plan(d, kernel, Set.of()).ops()).isEmpty();
    }

    @Test
    void aRestartBeforeAnyProbeAnsweredChangesNothing() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 3, 9), rs("10.0.1.2", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of()).ops()).isEmpty();
    }

    @Test
    void anUnknownServerIsNeitherAddedNorRemoved() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).isEmpty();
    }

    @Test
    void servicesTheDirectorDoesNotOwnAreNeverTouched() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1")),
                allHealthy("10.0.1.1"), T0);
        // kube-proxy's service on the same VIP, another port, and a hand-made one elsewhere.
        KernelTable kernel = plus(plus(
                table(WEB, WRR, rs("10.0.1.1", 100, 0, 0)),
                table(key("10.0.0.100", 8443), VirtualServerSpec.of("rr"),
                        rs("10.0.7.7", 1, 0, 0))),
                table(key("10.96.0.1", 443), VirtualServerSpec.of("rr"),
                        rs("10.0.7.8", 1, 0, 0)));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).isEmpty();
    }

    @Test
    void anOwnedServiceNoLongerDesiredIsDeletedWithoutDeletingItsServersOneByOne() {
        DesiredState d = desired(List.of(), Map.of(), T0);
        KernelTable kernel = plus(table(WEB, WRR, rs("10.0.1.1", 100, 0, 0), rs("10.0.1.2", 100, 0, 0)),
                table(key("10.96.0.1", 443), WRR));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops())
                .containsExactly(PlanOp.deleteService(WEB.toString(), WEB));
    }

    @Test
    void aWeightChangeIsAnEditInPlace() {
        ServiceSpec spec = staticService("web", "10.0.0.100", 80, "10.0.1.1");
        DesiredState d = desired(List.of(spec), allHealthy("10.0.1.1"), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 5, 10, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops())
                .containsExactly(PlanOp.updateRealServer("web", WEB, dest("10.0.1.1", 80), W100));
    }

    @Test
    void aForwardingChangeIsAnEditInPlace() {
        ServiceSpec spec = staticService("web", "10.0.0.100", 80, "10.0.1.1");
        spec = new ServiceSpec(spec.service().withForwarding(Forwarding.MASQ), spec.realServers(),
                spec.healthCheck(), spec.whenAllDown(), spec.drainTimeout());
        DesiredState d = desired(List.of(spec), allHealthy("10.0.1.1"), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).containsExactly(PlanOp.updateRealServer(
                "web", WEB, dest("10.0.1.1", 80), RealServerSpec.of(Forwarding.MASQ, 100)));
    }

    @Test
    void schedulerFlagsAndPersistenceChangesAreOneServiceEditInPlace() {
        ServiceSpec spec = staticService("web", "10.0.0.100", 80, "10.0.1.1");
        spec = new ServiceSpec(spec.service().withScheduler("mh").withFlags(Set.of(ServiceFlag.SCHED_FLAG_1))
                .withPersistence(Persistence.of(Duration.ofSeconds(300))), spec.realServers(), spec.healthCheck(),
                spec.whenAllDown(), spec.drainTimeout());
        DesiredState d = desired(List.of(spec), allHealthy("10.0.1.1"), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 4, 4));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).containsExactly(PlanOp.updateService("web", WEB,
                new VirtualServerSpec("mh", Set.of(SchedulerFlag.MH_FALLBACK), 300, 0, "")));
    }

    @Test
    void aFailedServerIsDeletedAtOnceEvenWithConnections() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), failed("connect refused"), target("10.0.1.2"), healthy()), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 50, 50), rs("10.0.1.2", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops())
                .containsExactly(PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)));
    }

    @Test
    void aFailedServerAbsentFromTheKernelIsNotAdded() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), failed("timeout"), target("10.0.1.2"), healthy()), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.2", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).isEmpty();
    }

    @Test
    void aDrainingServerGoesToWeightZeroWhileItHasConnections() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), draining(), target("10.0.1.2"), healthy()), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 0, 2), rs("10.0.1.2", 100, 0, 0));
        Plan plan = Planner.plan(d, kernel, Set.of(WEB));
        assertThat(plan.ops()).containsExactly(PlanOp.updateRealServer("web", WEB, dest("10.0.1.1", 80),
                W100.withWeight(0)));
        // Once at weight 0 nothing more happens while connections remain.
        assertThat(Planner.plan(d, apply(kernel, plan), Set.of(WEB)).ops()).isEmpty();
    }

    @Test
    void withCountsNotReadNowADrainingServerAtZeroGoesToWeightZeroNotOut() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), draining(), target("10.0.1.2"), healthy()), T0);
        // The table a pass kept from an earlier read: 0 connections there may be stale.
        KernelTable kept = table(WEB, WRR, rs("10.0.1.1", 100, 0, 0), rs("10.0.1.2", 100, 0, 0));
        assertThat(Planner.plan(d, kept, Set.of(WEB), null, false).ops()).containsExactly(
                PlanOp.updateRealServer("web", WEB, dest("10.0.1.1", 80), W100.withWeight(0)));
        // Read just now: out.
        assertThat(Planner.plan(d, kept, Set.of(WEB), null, true).ops())
                .containsExactly(PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)));
    }

    @Test
    void aDrainingServerIsDeletedAtZeroActiveAndInactiveConnections() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), draining(), target("10.0.1.2"), healthy()), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 0, 0, 0), rs("10.0.1.2", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops())
                .containsExactly(PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)));
    }

    @Test
    void aDrainingServerIsDeletedAtItsDeadlineWithConnectionsLeft() {
        ServiceSpec spec = withDrainTimeout(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2"),
                Duration.ofSeconds(30));
        Map<ProbeTarget, HealthStatus> health = Map.of(target("10.0.1.1"), draining(), target("10.0.1.2"), healthy());
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 0, 7, 0), rs("10.0.1.2", 100, 0, 0));
        DesiredState first = DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(), Map.of(), T0);

        DesiredState before = DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(),
                first.drainStarts(), T0.plusSeconds(29));
        assertThat(Planner.plan(before, kernel, Set.of(WEB)).ops()).isEmpty();

        DesiredState at = DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(),
                first.drainStarts(), T0.plusSeconds(30));
        assertThat(Planner.plan(at, kernel, Set.of(WEB)).ops())
                .containsExactly(PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)));
    }

    @Test
    void aDrainingServerAbsentFromTheKernelIsNotAddedBack() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), draining(), target("10.0.1.2"), healthy()), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.2", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).isEmpty();
    }

    @Test
    void aStrayServerInAnOwnedServiceIsRemoved() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1")),
                allHealthy("10.0.1.1"), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 0, 0), rs("10.0.1.9", 1, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops())
                .containsExactly(PlanOp.deleteRealServer("web", WEB, dest("10.0.1.9", 80)));
    }

    @Test
    void failOpenKeepsFailedServersInTheKernel() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), failed("timeout"), target("10.0.1.2"), failed("HTTP 500")), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 0, 0), rs("10.0.1.2", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).isEmpty();
    }

    @Test
    void failOpenPutsAllDownServersBackAtTheirWeights() {
        DesiredState d = desired(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")),
                Map.of(target("10.0.1.1"), failed("timeout"), target("10.0.1.2"), draining()), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.2", 0, 5, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).containsExactly(
                PlanOp.addRealServer("web", WEB, dest("10.0.1.1", 80), W100),
                PlanOp.updateRealServer("web", WEB, dest("10.0.1.2", 80), W100));
    }

    @Test
    void theSorryServerComesInBeforeTheLastRealServerGoesOut() {
        ServiceSpec spec = withPolicy(staticService("web", "10.0.0.100", 80, "10.0.1.1"),
                new WhenAllDown.SorryServer(ip("10.0.9.9"), 1));
        DesiredState d = desired(List.of(spec), Map.of(target("10.0.1.1"), failed("HTTP 500")), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops()).containsExactly(
                PlanOp.addRealServer("web", WEB, dest("10.0.9.9", 80),
                        RealServerSpec.of(Forwarding.DIRECT_ROUTE, 1)),
                PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)));

        // And leaves when a real server is back.
        DesiredState back = desired(List.of(spec), Map.of(target("10.0.1.1"), healthy()), T0);
        KernelTable sorry = table(WEB, WRR, new RealServerStatus(dest("10.0.9.9", 80),
                RealServerSpec.of(Forwarding.DIRECT_ROUTE, 1), 0, 0, 0, Stats.ZERO));
        assertThat(Planner.plan(back, sorry, Set.of(WEB)).ops()).containsExactly(
                PlanOp.addRealServer("web", WEB, dest("10.0.1.1", 80), W100),
                PlanOp.deleteRealServer("web", WEB, dest("10.0.9.9", 80)));
    }

    @Test
    void emptyRemovesEveryServerWhenAllAreDown() {
        ServiceSpec spec = withPolicy(staticService("web", "10.0.0.100", 80, "10.0.1.1"), WhenAllDown.EMPTY);
        DesiredState d = desired(List.of(spec), Map.of(target("10.0.1.1"), failed("HTTP 500")), T0);
        KernelTable kernel = table(WEB, WRR, rs("10.0.1.1", 100, 0, 0));
        assertThat(Planner.plan(d, kernel, Set.of(WEB)).ops())
                .containsExactly(PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)));
    }

    @Test
    void aPlanNeverDeletesAndAddsTheSameObject() {
        // Whatever the inputs, applying a plan converges in one step and never churns an object.
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            List<ServiceSpec> specs = new ArrayList<>();
            Map<ProbeTarget, HealthStatus> health = new HashMap<>();
            TreeMap<VirtualServerKey, KernelService> kernel = new TreeMap<>();
            Set<VirtualServerKey> owned = new java.util.HashSet<>();
            for (int s = 0; s < 4; s++) {
                String vip = "10.0.0." + (100 + s);
                List<String> rs = new ArrayList<>();
                TreeMap<RealServerKey, RealServerStatus> dests = new TreeMap<>();
                for (int r = 1; r <= 4; r++) {
                    String a = "10.0.1." + r;
                    if (random.nextBoolean()) {
                        rs.add(a);
                    }
                    int h = random.nextInt(4);
                    if (h > 0) {
                        health.put(target(a), h == 1 ? healthy() : h == 2 ? failed("timeout") : draining());
                    }
                    if (random.nextBoolean()) {
                        dests.put(dest(a, 80), new RealServerStatus(dest(a, 80), RealServerSpec.of(Forwarding.DIRECT_ROUTE, 
                                random.nextInt(3) * 50), random.nextInt(2), 0, 0, Stats.ZERO));
                    }
                }
                if (random.nextInt(4) > 0) {
                    ServiceSpec spec = staticService("s" + s, vip, 80, rs.toArray(String[]::new));
                    int p = random.nextInt(3);
                    specs.add(withPolicy(spec, p == 0 ? WhenAllDown.FAIL_OPEN : p == 1 ? WhenAllDown.EMPTY
                            : new WhenAllDown.SorryServer(ip("10.0.9.9"), 1)));
                }
                if (random.nextBoolean()) {
                    kernel.put(key(vip, 80), new KernelService(key(vip, 80),
                            random.nextBoolean() ? WRR : VirtualServerSpec.of("rr"), dests));
                }
                if (random.nextBoolean()) {
                    owned.add(key(vip, 80));
                }
            }
            DesiredState d = desired(specs, health, T0);
            KernelTable actual = new KernelTable(kernel);
            Plan plan = Planner.plan(d, actual, owned);

            Set<Object> deleted = new java.util.HashSet<>();
            Set<Object> added = new java.util.HashSet<>();
            for (PlanOp op : plan.ops()) {
                if (op.op() instanceof IpvsOp.DeleteRealServer del) {
                    deleted.add(List.of(del.service(), del.realServer()));
                } else if (op.op() instanceof IpvsOp.AddRealServer add) {
                    added.add(List.of(add.service(), add.realServer().key()));
                } else if (op.op() instanceof IpvsOp.DeleteService del) {
                    deleted.add(del.service());
                } else if (op.op() instanceof IpvsOp.AddService add) {
                    added.add(add.service());
                    assertThat(actual.services()).doesNotContainKey(add.service());
                }
            }
            assertThat(java.util.Collections.disjoint(deleted, added)).as("round %d churn", round).isTrue();

            KernelTable after = apply(actual, plan);
            assertThat(Planner.plan(d, after, owned).ops()).as("round %d re-plan", round).isEmpty();
            for (VirtualServerKey k : kernel.keySet()) {
                if (!owned.contains(k) && !d.services().containsKey(k)) {
                    assertThat(after.services().get(k)).as("foreign service").isEqualTo(kernel.get(k));
                }
            }
        }
    }
}
