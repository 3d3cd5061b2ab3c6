package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.apply;
import static io.lvsdirector.core.plan.Fixtures.dest;
import static io.lvsdirector.core.plan.Fixtures.failed;
import static io.lvsdirector.core.plan.Fixtures.healthy;
import static io.lvsdirector.core.plan.Fixtures.key;
import static io.lvsdirector.core.plan.Fixtures.staticService;
import static io.lvsdirector.core.plan.Fixtures.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The kernel list order of {@code mh} services: canonical whatever the history, untouched otherwise. */
class MaglevOrderTest {

    private static final VirtualServerKey WEB = key("10.0.0.100", 80);
    private static final RealServerSpec W100 = RealServerSpec.of(Forwarding.DIRECT_ROUTE, 100);
    private static final List<String> NODES = List.of("10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5",
            "10.0.1.6", "10.0.1.7", "10.0.1.8");

    private static ServiceSpec service(String scheduler, List<String> rs) {
        ServiceSpec s = staticService("web", "10.0.0.100", 80, rs.toArray(String[]::new));
        return new ServiceSpec(s.service().withScheduler(scheduler), s.realServers(), s.healthCheck(),
                s.whenAllDown(), s.drainTimeout());
    }

    private static DesiredState desired(ServiceSpec spec, Map<ProbeTarget, HealthStatus> health) {
        return DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(), Map.of(), T0);
    }

    private static Map<ProbeTarget, HealthStatus> healthyAll(List<String> rs) {
        Map<ProbeTarget, HealthStatus> m = new HashMap<>();
        rs.forEach(r -> m.put(target(r), healthy()));
        return m;
    }

    /** One service in the kernel with these real servers (weight 100) in this list order, head first. */
    private static KernelTable kernel(String scheduler, String... order) {
        TreeMap<RealServerKey, RealServerStatus> rs = new TreeMap<>();
        List<RealServerKey> keys = new ArrayList<>();
        for (String a : order) {
            rs.put(dest(a, 80), new RealServerStatus(dest(a, 80), W100, 0, 0, 0, Stats.ZERO));
            keys.add(dest(a, 80));
        }
        TreeMap<VirtualServerKey, KernelService> t = new TreeMap<>();
        t.put(WEB, new KernelService(WEB, VirtualServerSpec.of(scheduler), rs, keys));
        return new KernelTable(t);
    }

    private static List<RealServerKey> order(KernelTable t) {
        return t.services().get(WEB).order();
    }

    private static List<RealServerKey> sorted(KernelTable t) {
        return List.copyOf(t.services().get(WEB).realServers().keySet());
    }

    @Test
    void aNewMaglevServiceGetsItsRealServersInReverseSoTheListEndsInKeyOrder() {
        List<String> rs = List.of("10.0.1.1", "10.0.1.2", "10.0.1.3");
        Plan plan = Planner.plan(desired(service("mh", rs), healthyAll(rs)), KernelTable.EMPTY, Set.of());
        assertThat(plan.ops()).containsExactly(
                PlanOp.addService("web", WEB, VirtualServerSpec.of("mh")),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.3", 80), W100),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.2", 80), W100),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.1", 80), W100));
        KernelTable after = apply(KernelTable.EMPTY, plan);
        assertThat(order(after)).containsExactly(dest("10.0.1.1", 80), dest("10.0.1.2", 80), dest("10.0.1.3", 80));
    }

    @Test
    void aMaglevServiceAlreadyInKeyOrderPlansNothing() {
        List<String> rs = List.of("10.0.1.1", "10.0.1.2", "10.0.1.3");
        assertThat(Planner.plan(desired(service("mh", rs), healthyAll(rs)),
                kernel("mh", "10.0.1.1", "10.0.1.2", "10.0.1.3"), Set.of()).ops()).isEmpty();
    }

    @Test
    void onlyTheOutOfOrderPrefixIsDeletedAndReAddedInOneBatch() {
        // Kernel 3,1,2 (3 came back after a failure: re-added at the head). The suffix 2,3 is not in that
        // order in the kernel, 3 alone is; so 1 and 2 are re-added, 2 first, and 3 is left alone.
        List<String> rs = List.of("10.0.1.1", "10.0.1.2", "10.0.1.3");
        KernelTable k = kernel("mh", "10.0.1.3", "10.0.1.1", "10.0.1.2");
        Plan plan = Planner.plan(desired(service("mh", rs), healthyAll(rs)), k, Set.of());
        assertThat(plan.ops()).containsExactly(
                PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)),
                PlanOp.deleteRealServer("web", WEB, dest("10.0.1.2", 80)),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.2", 80), W100),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.1", 80), W100));
        assertThat(order(apply(k, plan))).isEqualTo(sorted(k));
    }

    @Test
    void aTailAlreadyInOrderIsLeftAlone() {
        // Kernel 2,1,3: 2,3 are in order, so only 1 is re-added (it lands at the head).
        List<String> rs = List.of("10.0.1.1", "10.0.1.2", "10.0.1.3");
        KernelTable k = kernel("mh", "10.0.1.2", "10.0.1.1", "10.0.1.3");
        Plan plan = Planner.plan(desired(service("mh", rs), healthyAll(rs)), k, Set.of());
        assertThat(plan.ops()).containsExactly(
                PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.1", 80), W100));
        assertThat(order(apply(k, plan))).isEqualTo(sorted(k));
    }

    @Test
    void aReAddCarriesTheEditedSpecInsteadOfAnEdit() {
        List<String> rs = List.of("10.0.1.1", "10.0.1.2");
        Map<ProbeTarget, HealthStatus> health = healthyAll(rs);
        KernelTable k = kernel("mh", "10.0.1.2", "10.0.1.1");
        ServiceSpec spec = service("mh", rs);
        // the kernel holds weight 100; make the desired weight differ for 10.0.1.1 by a kernel at 50
        TreeMap<RealServerKey, RealServerStatus> m = new TreeMap<>(k.services().get(WEB).realServers());
        RealServerSpec w50 = RealServerSpec.of(Forwarding.DIRECT_ROUTE, 50);
        m.put(dest("10.0.1.1", 80), new RealServerStatus(dest("10.0.1.1", 80), w50, 0, 0, 0, Stats.ZERO));
        TreeMap<VirtualServerKey, KernelService> t = new TreeMap<>();
        t.put(WEB, new KernelService(WEB, VirtualServerSpec.of("mh"), m, k.services().get(WEB).order()));
        Plan plan = Planner.plan(desired(spec, health), new KernelTable(t), Set.of());
        assertThat(plan.ops()).containsExactly(
                PlanOp.deleteRealServer("web", WEB, dest("10.0.1.1", 80)),
                PlanOp.addRealServer("web", WEB, dest("10.0.1.1", 80), W100));
    }

    @Test
    void otherSchedulersKeepWhateverOrderTheKernelHas() {
        List<String> rs = List.of("10.0.1.1", "10.0.1.2", "10.0.1.3");
        assertThat(Planner.plan(desired(service("wrr", rs), healthyAll(rs)),
                kernel("wrr", "10.0.1.3", "10.0.1.1", "10.0.1.2"), Set.of()).ops()).isEmpty();
        Plan fresh = Planner.plan(desired(service("sh", rs), healthyAll(rs)), KernelTable.EMPTY, Set.of());
        assertThat(fresh.ops().stream().skip(1).map(PlanOp::realServer))
                .containsExactly(dest("10.0.1.1", 80), dest("10.0.1.2", 80), dest("10.0.1.3", 80));
    }

    /**
     * Random histories (real servers joining, failing, coming back, leaving), each pass applied as the
     * kernel would (adds at the head): after every pass the list is in key order, and a second plan
     * of the same state is empty. Two histories that end with the same set end with the same list.
     */
    @Test
    void randomHistoriesAlwaysEndInKeyOrder() {
        Random random = new Random(17);
        for (int run = 0; run < 200; run++) {
            List<List<RealServerKey>> ends = new ArrayList<>();
            for (int history = 0; history < 2; history++) {
                // start from a kernel in a random order (a director upgraded from a version without this)
                List<String> start = new ArrayList<>(NODES.subList(0, 1 + random.nextInt(NODES.size())));
                java.util.Collections.shuffle(start, random);
                KernelTable k = kernel("mh", start.toArray(String[]::new));
                for (int pass = 0; pass < 6; pass++) {
                    List<String> listed = new ArrayList<>();
                    Map<ProbeTarget, HealthStatus> health = new HashMap<>();
                    for (String n : NODES) {
                        if (random.nextInt(4) > 0) {
                            listed.add(n);
                            health.put(target(n), random.nextInt(4) > 0 ? healthy() : failed("down"));
                        }
                    }
                    if (pass == 5) { // both histories end with every node listed and healthy
                        listed = NODES;
                        health = healthyAll(NODES);
                    }
                    DesiredState d = desired(service("mh", listed), health);
                    k = apply(k, Planner.plan(d, k, Set.of()));
                    if (k.services().containsKey(WEB)) {
                        assertThat(order(k)).as("run %d pass %d", run, pass).isEqualTo(sorted(k));
                    }
                    assertThat(Planner.plan(d, k, Set.of()).ops()).as("run %d pass %d again", run, pass).isEmpty();
                }
                ends.add(order(k));
            }
            assertThat(ends.get(0)).isEqualTo(ends.get(1)).hasSize(NODES.size());
        }
    }
}
