package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.Quorum;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The full build and plan are the reference: a pass that rebuilds only the services a health
 * transition touched ({@link DesiredStateBuilder#rebuild}, {@link Planner#plan(DesiredState,
 * KernelTable, Set, Set)}) must plan exactly the ops the full pass plans, in the same order.
 */
class IncrementalPassTest {

    private static final HealthCheck OTHER = HealthCheck.http().withPort(9090);

    @Test
    void anIncrementalPassPlansWhatAFullPassPlans() {
        int compared = 0;
        int nonEmpty = 0;
        int drifts = 0;
        int quorumLost = 0;
        int keptLast = 0;
        for (int round = 0; round < 300; round++) {
            Random r = new Random(round);
            List<NodeView> nodes = new ArrayList<>();
            int nodeCount = 10 + r.nextInt(30);
            for (int n = 0; n < nodeCount; n++) {
                nodes.add(Fixtures.node("n" + n, "10.1." + (n / 200) + "." + (n % 200 + 1),
                        Map.of("svc", "s" + r.nextInt(4))));
            }
            List<ServiceSpec> specs = new ArrayList<>();
            for (int s = 0; s < 6; s++) {
                // Services 0 and 4 select the same nodes: with the same check they share targets.
                HealthCheck check = r.nextInt(3) == 0 ? OTHER : Fixtures.PING;
                WhenAllDown policy = switch (r.nextInt(4)) {
                    case 0 -> new WhenAllDown.FailOpen();
                    case 1 -> new WhenAllDown.SorryServer(ip("10.9.0." + (s + 1)), 1);
                    case 2 -> new WhenAllDown.KeepLastHealthy();
                    default -> new WhenAllDown.Empty();
                };
                // Half of them with a quorum above one, some with hysteresis: its memory must carry
                // over an incremental build as it does over a full one.
                Quorum quorum = r.nextBoolean() ? Quorum.DEFAULT : new Quorum(2 + r.nextInt(5), r.nextInt(3));
                specs.add(new ServiceSpec(VirtualService.tcp("svc" + s, ip("10.100.0." + (s + 1)), 80),
                        new RealServerSource.NodeSelector(Map.of("svc", "s" + (s % 4)), 10 + s), check, policy,
                        Duration.ofSeconds(1 + r.nextInt(20)), false, null, quorum));
            }
            specs.add(ServiceSpec.of(VirtualService.tcp("static", ip("10.100.1.1"), 443),
                    new RealServerSource.StaticList(List.of(new StaticRealServer(ip("10.1.0.1"), 5),
                            new StaticRealServer(ip("10.1.0.2"), 5))), Fixtures.PING));

            Map<ProbeTarget, HealthStatus> health = new HashMap<>();
            DesiredState probe = DesiredStateBuilder.build(specs, nodes, Map.of(), List.of(), Map.of(), T0);
            List<ProbeTarget> targets = new ArrayList<>(probe.probeTargets());
            targets.sort((a, b) -> a.toString().compareTo(b.toString()));
            for (ProbeTarget t : targets) {
                HealthStatus st = randomStatus(r, T0);
                if (st != null) {
                    health.put(t, st);
                }
            }
            Instant now = T0;
            DesiredState previous = DesiredStateBuilder.build(specs, nodes, health, List.of(), Map.of(), now);
            assertTrue(previous.problems().isEmpty(), previous.problems().toString());
            Set<VirtualServerKey> owned = new HashSet<>(previous.services().keySet());
            KernelTable actual = withConnections(r,
                    Fixtures.apply(KernelTable.EMPTY, Planner.plan(previous, KernelTable.EMPTY, owned)));
            actual = Fixtures.apply(actual, Planner.plan(previous, actual, owned));

            for (int step = 0; step < 10; step++) {
                now = now.plusMillis(r.nextInt(4000));
                Set<ProbeTarget> changed = new HashSet<>();
                int k = 1 + r.nextInt(3);
                for (int i = 0; i < k && !targets.isEmpty(); i++) {
                    ProbeTarget t = targets.get(r.nextInt(targets.size()));
                    changed.add(t);
                    HealthStatus st = randomStatus(r, now);
                    if (st == null) {
                        health.remove(t);
                    } else {
                        health.put(t, st);
                    }
                }
                DesiredState full = DesiredStateBuilder.build(specs, nodes, health, List.of(),
                        previous.drainStarts(), previous.quorumMemory(), now);
                Plan fullPlan = Planner.plan(full, actual, owned);

                ServiceTargets serviceTargets = ServiceTargets.of(previous, specs, nodes);
                Set<VirtualServerKey> only = serviceTargets.servicesOf(changed);
                previous.drainStarts().keySet().forEach(d -> only.add(d.service()));
                DesiredState incremental = DesiredStateBuilder.rebuild(previous, specs, nodes, health, List.of(),
                        only, now);
                Plan incrementalPlan = Planner.plan(incremental, actual, owned, only);
                // The loop hands rebuild only the nodes those services select.
                DesiredState fromSelected = DesiredStateBuilder.rebuild(previous, specs, serviceTargets.nodesOf(only),
                        health, List.of(), only, now);

                String where = "round " + round + " step " + step;
                assertEquals(fullPlan.ops(), incrementalPlan.ops(), where);
                assertEquals(incremental, fromSelected, where);
                // A timer pass builds the same way but plans every service against the table it
                // read, which someone may have changed: the drift repair must be the full pass's.
                KernelTable drifted = drift(r, actual, nodes);
                assertEquals(Planner.plan(full, drifted, owned).ops(), Planner.plan(incremental, drifted, owned).ops(),
                        where + " after drift");
                drifts += Planner.plan(full, drifted, owned).ops().equals(fullPlan.ops()) ? 0 : 1;
                assertEquals(full.drainStarts(), incremental.drainStarts(), where);
                assertEquals(full.quorumMemory(), incremental.quorumMemory(), where);
                for (DesiredService ds : full.services().values()) {
                    quorumLost += ds.allDown() && ds.minHealthy() > 1 ? 1 : 0;
                    keptLast += ds.allDown() && ds.whenAllDown() instanceof WhenAllDown.KeepLastHealthy ? 1 : 0;
                }
                assertEquals(full.probeTargets(), incremental.probeTargets(), where);
                assertEquals(full.problems(), incremental.problems(), where);
                assertEquals(dispositions(full), dispositions(incremental), where);
                for (VirtualServerKey key : only) {
                    assertEquals(full.services().get(key), incremental.services().get(key), where);
                }
                compared++;
                nonEmpty += fullPlan.isEmpty() ? 0 : 1;
                actual = Fixtures.apply(actual, fullPlan);
                previous = incremental;
            }
        }
        // The comparison means something only if transitions did plan ops, and drift did too.
        assertTrue(nonEmpty > compared / 4, nonEmpty + " of " + compared);
        assertTrue(drifts > compared / 2, drifts + " of " + compared);
        // And services below a quorum above one were among them.
        assertTrue(quorumLost > compared / 4, quorumLost + " below quorum in " + compared + " passes");
        assertTrue(keptLast > compared / 10, keptLast + " keep-last-healthy below quorum in " + compared + " passes");
    }

    private static HealthStatus randomStatus(Random r, Instant at) {
        return switch (r.nextInt(5)) {
            case 0 -> null;
            case 1 -> new HealthStatus(HealthState.FAILED, "timeout", at);
            case 2 -> new HealthStatus(HealthState.DRAINING, "draining: 503", at);
            default -> new HealthStatus(HealthState.HEALTHY, "ok", at);
        };
    }

    private static KernelTable withConnections(Random r, KernelTable a) {
        TreeMap<VirtualServerKey, KernelService> t = new TreeMap<>();
        for (KernelService s : a.services().values()) {
            TreeMap<RealServerKey, RealServerStatus> d = new TreeMap<>();
            for (RealServerStatus x : s.realServers().values()) {
                d.put(x.key(), new RealServerStatus(x.key(), x.spec(), r.nextInt(2) * r.nextInt(5), 0, 0, Stats.ZERO));
            }
            t.put(s.key(), new KernelService(s.key(), s.spec(), d));
        }
        return new KernelTable(t);
    }

    /**
     * The table after someone else's hand: a service gone ({@code ipvsadm -D}), a real server gone or
     * at another weight, a stray real server added.
     */
    private static KernelTable drift(Random r, KernelTable a, List<NodeView> nodes) {
        TreeMap<VirtualServerKey, KernelService> t = new TreeMap<>(a.services());
        List<VirtualServerKey> keys = new ArrayList<>(t.keySet());
        for (int i = 0; i < 1 + r.nextInt(3) && !keys.isEmpty(); i++) {
            VirtualServerKey k = keys.get(r.nextInt(keys.size()));
            KernelService s = t.get(k);
            if (s == null) {
                continue;
            }
            TreeMap<RealServerKey, RealServerStatus> d = new TreeMap<>(s.realServers());
            List<RealServerKey> dk = new ArrayList<>(d.keySet());
            switch (r.nextInt(4)) {
                case 0 -> t.remove(k);
                case 1 -> {
                    if (!dk.isEmpty()) {
                        d.remove(dk.get(r.nextInt(dk.size())));
                    }
                }
                case 2 -> {
                    if (!dk.isEmpty()) {
                        RealServerStatus x = d.get(dk.get(r.nextInt(dk.size())));
                        d.put(x.key(), new RealServerStatus(x.key(), x.spec().withWeight(1 + r.nextInt(3)),
                                x.activeConns(), x.inactiveConns(), 0, Stats.ZERO));
                    }
                }
                default -> {
                    RealServerKey stray = new RealServerKey(nodes.get(r.nextInt(nodes.size())).addresses().get(0), 8443);
                    d.put(stray, new RealServerStatus(stray, RealServerSpec.of(io.lvsdirector.ipvs.Forwarding.DIRECT_ROUTE, 1), 0, 0, 0, Stats.ZERO));
                }
            }
            if (t.containsKey(k)) {
                t.put(k, new KernelService(k, s.spec(), d));
            }
        }
        return new KernelTable(t);
    }

    /** What the planner reads of each real server (not the "since" of unprobed servers). */
    private static Map<VirtualServerKey, Map<RealServerKey, String>> dispositions(DesiredState d) {
        Map<VirtualServerKey, Map<RealServerKey, String>> out = new TreeMap<>();
        for (DesiredService s : d.services().values()) {
            Map<RealServerKey, String> m = new TreeMap<>();
            s.realServers().values().forEach(x -> m.put(x.key(), x.disposition() + " " + x.spec() + " "
                    + x.drainDeadline()));
            out.put(s.key(), m);
        }
        return out;
    }
}
