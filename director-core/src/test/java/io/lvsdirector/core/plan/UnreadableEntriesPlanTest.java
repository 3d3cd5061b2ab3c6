package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.dest;
import static io.lvsdirector.core.plan.Fixtures.key;
import static io.lvsdirector.core.plan.Fixtures.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Entries the kernel has but the records could not read are present with unknown settings: the
 * planner edits or deletes them, never adds them (which would meet EEXIST on every pass).
 */
class UnreadableEntriesPlanTest {

    private static final VirtualServerKey WEB = key("198.18.0.100", 80);
    private static final VirtualServerSpec WRR = VirtualServerSpec.of("wrr");
    private static final RealServerSpec W100 = RealServerSpec.of(Forwarding.DIRECT_ROUTE, 100);

    private static DesiredState desired(Map<ProbeTarget, HealthStatus> health, ServiceSpec... specs) {
        return DesiredStateBuilder.build(List.of(specs), List.of(), health, List.of(), Map.of(), T0);
    }

    private static KernelTable withUnreadable(KernelTable readable, Unreadable... odd) {
        TreeMap<VirtualServerKey, Unreadable> m = new TreeMap<>();
        for (Unreadable u : odd) {
            m.put(u.service(), u);
        }
        return new KernelTable(readable.services(), m);
    }

    private static Unreadable dests(VirtualServerKey key, String... addresses) {
        TreeMap<RealServerKey, String> d = new TreeMap<>();
        for (String a : addresses) {
            d.put(dest(a, 80), "weight 100000 out of range 0..65535");
        }
        return new Unreadable(key, Optional.empty(), d);
    }

    @Test
    void anUnreadableServiceOfOursIsEditedInPlaceAndItsRealServersWaitForTheNextRead() {
        DesiredState d = desired(Map.of(target("198.18.0.21"), Fixtures.healthy()),
                Fixtures.staticService("web", "198.18.0.100", 80, "198.18.0.21"));
        KernelTable actual = withUnreadable(KernelTable.EMPTY,
                Unreadable.service(WEB, "persistence netmask 255.0.255.0 is not a prefix"));

        Plan plan = Planner.plan(d, actual, Set.of());

        // Not an add (EEXIST), and no real server yet: the kernel may hold any of them.
        assertThat(plan.ops()).containsExactly(PlanOp.updateService("web", WEB, WRR));
        assertThat(Planner.plan(d, actual, Set.of(), Set.of(WEB)).ops()).isEqualTo(plan.ops());
    }

    @Test
    void unreadableRealServersAreEditedOrDeletedAsTheirDispositionSays() {
        ServiceSpec spec = Fixtures.staticService("web", "198.18.0.100", 80,
                "198.18.0.21", "198.18.0.22", "198.18.0.23", "198.18.0.24");
        DesiredState d = desired(Map.of(target("198.18.0.21"), Fixtures.healthy(),
                target("198.18.0.22"), Fixtures.failed("timeout"),
                target("198.18.0.23"), Fixtures.draining()), spec);
        // The service reads, with .24 readable; .21, .22, .23 and a stray .29 are not.
        KernelTable actual = withUnreadable(Fixtures.table(WEB, WRR,
                        new RealServerStatus(dest("198.18.0.24", 80), W100, 0, 0, 0, Stats.ZERO)),
                dests(WEB, "198.18.0.21", "198.18.0.22", "198.18.0.23", "198.18.0.29"));

        Plan plan = Planner.plan(d, actual, Set.of(WEB));

        assertThat(plan.ops()).containsExactly(
                PlanOp.updateRealServer("web", WEB, dest("198.18.0.21", 80), W100),
                // Draining with unknown connections: weight 0 now; the next read decides the delete.
                PlanOp.updateRealServer("web", WEB, dest("198.18.0.23", 80), W100.withWeight(0)),
                PlanOp.deleteRealServer("web", WEB, dest("198.18.0.22", 80)),
                PlanOp.deleteRealServer("web", WEB, dest("198.18.0.29", 80)));
        assertThat(plan.ops()).noneMatch(op -> op.op() instanceof IpvsOp.AddRealServer);
    }

    @Test
    void aDrainingUnreadableRealServerPastItsDeadlineIsDeleted() {
        ServiceSpec spec = Fixtures.withDrainTimeout(
                Fixtures.staticService("web", "198.18.0.100", 80, "198.18.0.21", "198.18.0.22"), Duration.ofSeconds(1));
        Map<ProbeTarget, HealthStatus> health = Map.of(target("198.18.0.21"), Fixtures.draining(),
                target("198.18.0.22"), Fixtures.healthy());
        DesiredState first = desired(health, spec);
        DesiredState later = DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(),
                first.drainStarts(), T0.plusSeconds(5));
        KernelTable actual = withUnreadable(Fixtures.table(WEB, WRR,
                new RealServerStatus(dest("198.18.0.22", 80), W100, 0, 0, 0, Stats.ZERO)), dests(WEB, "198.18.0.21"));

        assertThat(Planner.plan(first, actual, Set.of(WEB)).ops()).containsExactly(
                PlanOp.updateRealServer("web", WEB, dest("198.18.0.21", 80), W100.withWeight(0)));

        assertThat(Planner.plan(later, actual, Set.of(WEB)).ops())
                .containsExactly(PlanOp.deleteRealServer("web", WEB, dest("198.18.0.21", 80)));
    }

    @Test
    void foreignUnreadableEntriesAreLeftAloneAndOwnedOnesNoLongerDesiredAreDeleted() {
        VirtualServerKey foreign = key("198.18.0.200", 80);
        VirtualServerKey foreignToo = key("198.18.0.201", 80);
        VirtualServerKey ours = key("198.18.0.101", 80);
        KernelTable actual = withUnreadable(Fixtures.table(foreignToo, WRR),
                Unreadable.service(foreign, "odd netmask"), dests(foreignToo, "10.0.0.1"),
                Unreadable.service(ours, "odd netmask"));
        DesiredState nothing = desired(Map.of());

        assertThat(Planner.plan(nothing, actual, Set.of()).ops()).isEmpty();
        assertThat(Planner.unreadableProblems(nothing, actual, Set.of())).isEmpty();
        assertThat(Planner.plan(nothing, actual, Set.of(ours)).ops())
                .containsExactly(PlanOp.deleteService(ours.toString(), ours));
        assertThat(Planner.unreadableProblems(nothing, actual, Set.of(ours)))
                .singleElement().asString().contains("198.18.0.101:80").contains("odd netmask");
    }

    @Test
    void theTableAfterAnEditKeepsTheEntryUnknownAndAfterADeleteForgetsIt() {
        KernelTable actual = withUnreadable(Fixtures.table(WEB, WRR), dests(WEB, "198.18.0.21", "198.18.0.22"));

        KernelTable edited = actual.after(PlanOp.updateRealServer("web", WEB, dest("198.18.0.21", 80), W100).op());
        // Its connection count is still unknown: only a read tells.
        assertThat(edited.unreadable().get(WEB).realServers()).containsOnlyKeys(dest("198.18.0.21", 80),
                dest("198.18.0.22", 80));
        assertThat(edited.services().get(WEB).realServers()).isEmpty();

        KernelTable deleted = edited.after(PlanOp.deleteRealServer("web", WEB, dest("198.18.0.21", 80)).op())
                .after(PlanOp.deleteRealServer("web", WEB, dest("198.18.0.22", 80)).op());
        assertThat(deleted.unreadable()).isEmpty();
    }
}
