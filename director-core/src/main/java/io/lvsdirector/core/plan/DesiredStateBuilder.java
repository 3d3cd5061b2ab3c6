package io.lvsdirector.core.plan;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.Quorum;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pure function {@code desired = build(services, nodes, health, manual drains, now)}.
 *
 * <p>Rules, per candidate real server of a service (first match wins):
 * <ol>
 *   <li>the probe says FAILED: {@link Disposition#FAILED}, out at once (a dead node cannot drain);
 *   <li>drained by hand, node cordoned, node labelled {@value NodeView#EXCLUDE_LABEL}, node not
 *       ready, or the probe says DRAINING (an HTTP 503): {@link Disposition#DRAINING};
 *   <li>not probed yet: {@link Disposition#UNKNOWN};
 *   <li>otherwise {@link Disposition#ACTIVE}.
 * </ol>
 * The candidates ACTIVE or UNKNOWN are the healthy ones (an unprobed server counts, so a restart
 * changes nothing before the first probe answers; a draining one does not, it is on its way out).
 * When fewer than the service's {@link Quorum#minHealthy()} are healthy (by default: none), the
 * service is below quorum, and stays so until {@code minHealthy + hysteresis} are; while it is, its
 * {@link WhenAllDown} applies:
 * <ul>
 *   <li>fail-open turns every other candidate (FAILED, DRAINING, UNKNOWN) into
 *       {@link Disposition#FAIL_OPEN}: every candidate is in at its weight;
 *   <li>sorry server: it is added as {@link Disposition#SORRY} and the healthy candidates drain, so
 *       new clients all get the sorry server (keepalived also takes the live ones out);
 *   <li>empty: the healthy candidates drain, leaving the service with no real server;
 *   <li>keep-last-healthy: the candidates in rotation at the last build in quorum stay in as
 *       {@link Disposition#FAIL_OPEN} ({@link QuorumMemo#rotation()}); the others follow the rules.
 * </ul>
 * With the default quorum of one there is no healthy candidate to drain, so the last two are
 * exactly the all-down rules.
 *
 * <p>Stateless and thread-safe: everything it needs comes in as arguments, including when each
 * drain began, so the same inputs always give the same state.
 */
public final class DesiredStateBuilder {

    private DesiredStateBuilder() {
    }

    /**
     * Builds the desired state.
     *
     * @param services the service specs; a second spec with an already used kernel identity (or
     *     name) is left out and reported in {@link DesiredState#problems()}
     * @param nodes the Kubernetes nodes node selectors pick from
     * @param health the newest probe status per target; absent means not probed yet
     * @param manualDrains drains requested by hand
     * @param drainStarts {@link DesiredState#drainStarts()} of the previous build (empty at start)
     * @param now the instant to build for
     */
    public static DesiredState build(
            Collection<ServiceSpec> services,
            Collection<NodeView> nodes,
            Map<ProbeTarget, HealthStatus> health,
            Collection<ManualDrain> manualDrains,
            Map<DrainKey, Instant> drainStarts,
            Instant now) {
        return build(services, nodes, health, manualDrains, drainStarts, Map.of(), now);
    }

    /**
     * Builds the desired state.
     *
     * @param quorumMemory {@link DesiredState#quorumMemory()} of the previous build (empty at start)
     * @see #build(Collection, Collection, Map, Collection, Map, Instant)
     */
    public static DesiredState build(
            Collection<ServiceSpec> services,
            Collection<NodeView> nodes,
            Map<ProbeTarget, HealthStatus> health,
            Collection<ManualDrain> manualDrains,
            Map<DrainKey, Instant> drainStarts,
            Map<VirtualServerKey, QuorumMemo> quorumMemory,
            Instant now) {
        Map<VirtualServerKey, QuorumMemo> newQuorumMemory = new HashMap<>();
        TreeMap<VirtualServerKey, DesiredService> out = new TreeMap<>();
        Map<DrainKey, Instant> newDrainStarts = new HashMap<>();
        Set<ProbeTarget> targets = new HashSet<>();
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();

        List<ServiceSpec> ordered = new ArrayList<>(services);
        // Name order decides which of two clashing specs wins, so the outcome does not depend on
        // the order a store happens to list them in.
        ordered.sort(Comparator.comparing(ServiceSpec::name));
        List<NodeView> nodeList = new ArrayList<>(nodes);
        nodeList.sort(Comparator.comparing(NodeView::name));
        NodeIndex index = new NodeIndex(ordered, nodeList);

        for (ServiceSpec spec : ordered) {
            VirtualService vs = spec.service();
            VirtualServerKey key = vs.key();
            if (!names.add(vs.name())) {
                problems.add("service " + vs.name() + ": duplicate name, ignored");
                continue;
            }
            if (out.containsKey(key)) {
                problems.add("service " + vs.name() + ": " + key + " is already service "
                        + out.get(key).name() + ", ignored");
                continue;
            }
            out.put(key, buildService(spec, key, index, health, manualDrains, drainStarts, quorumMemory, now,
                    newDrainStarts, newQuorumMemory, targets, problems));
        }
        return new DesiredState(now, out, newDrainStarts, targets, problems, newQuorumMemory);
    }

    /**
     * {@link #build} for some services only, the rest taken from {@code previous}: what a pass asked
     * for by a health transition needs, so that it costs the services the transition touches and
     * not all 5,000 real servers.
     *
     * <p>Precondition: {@code previous} was built by {@link #build} (or this method) from the same
     * {@code services}, {@code nodes} and {@code manualDrains}, and had no problems. Then, for the
     * services in {@code which}, the result equals what {@link #build} gives with the same
     * arguments and {@code previous.drainStarts()}; the other services are {@code previous}'s
     * unchanged (their {@code since} of unprobed or unchecked servers stays the earlier instant,
     * which no plan reads). Probe targets depend on services and nodes only and are
     * {@code previous}'s. A service whose drain deadline may pass must be in {@code which}: the
     * planner reads {@link DesiredState#at()} only for draining servers.
     *
     * @param nodes the nodes {@code previous} was built from, or only those the services in
     *     {@code which} select ({@link ServiceTargets#nodesOf}): others are not looked at
     * @param which kernel identities of the services to build again; unknown ones are ignored
     * @param health the newest status of at least every target those services use
     */
    public static DesiredState rebuild(
            DesiredState previous,
            Collection<ServiceSpec> services,
            Collection<NodeView> nodes,
            Map<ProbeTarget, HealthStatus> health,
            Collection<ManualDrain> manualDrains,
            Set<VirtualServerKey> which,
            Instant now) {
        List<ServiceSpec> specs = new ArrayList<>();
        for (ServiceSpec spec : services) {
            VirtualServerKey key = spec.service().key();
            DesiredService before = which.contains(key) ? previous.services().get(key) : null;
            // Only the spec that won the key in the full build (a loser was left out there).
            if (before != null && before.name().equals(spec.name())) {
                specs.add(spec);
            }
        }
        // Only the nodes these services may select: no index over all 5,000 for two services.
        List<NodeView> nodeList = new ArrayList<>();
        for (NodeView node : nodes) {
            for (ServiceSpec spec : specs) {
                if (spec.realServers() instanceof RealServerSource.NodeSelector sel && sel.matches(node.labels())) {
                    nodeList.add(node);
                    break;
                }
            }
        }
        nodeList.sort(Comparator.comparing(NodeView::name));
        NodeIndex index = new NodeIndex(specs, nodeList);

        TreeMap<VirtualServerKey, DesiredService> out = new TreeMap<>(previous.services());
        Map<DrainKey, Instant> newDrainStarts = new HashMap<>(previous.drainStarts());
        Map<VirtualServerKey, QuorumMemo> newQuorumMemory = new HashMap<>(previous.quorumMemory());
        List<String> problems = new ArrayList<>(previous.problems());
        Set<ProbeTarget> ignored = new HashSet<>();
        for (ServiceSpec spec : specs) {
            VirtualServerKey key = spec.service().key();
            newDrainStarts.keySet().removeIf(k -> k.service().equals(key));
            newQuorumMemory.remove(key);
            out.put(key, buildService(spec, key, index, health, manualDrains, previous.drainStarts(),
                    previous.quorumMemory(), now, newDrainStarts, newQuorumMemory, ignored, problems));
        }
        return new DesiredState(now, out, newDrainStarts, previous.probeTargets(), problems, newQuorumMemory);
    }

    private record Candidate(InetAddress address, int weight, NodeView node) {}

    private static DesiredService buildService(
            ServiceSpec spec,
            VirtualServerKey key,
            NodeIndex nodes,
            Map<ProbeTarget, HealthStatus> health,
            Collection<ManualDrain> manualDrains,
            Map<DrainKey, Instant> drainStarts,
            Map<VirtualServerKey, QuorumMemo> quorumMemory,
            Instant now,
            Map<DrainKey, Instant> newDrainStarts,
            Map<VirtualServerKey, QuorumMemo> newQuorumMemory,
            Set<ProbeTarget> targets,
            List<String> problems) {
        VirtualService vs = spec.service();
        List<Candidate> candidates = new ArrayList<>();
        if (spec.realServers() instanceof RealServerSource.StaticList list) {
            for (StaticRealServer rs : list.servers()) {
                if (rs.address().getClass() != vs.vip().getClass()) {
                    problems.add("service " + vs.name() + ": real server " + rs.address().getHostAddress()
                            + " is not in the VIP's address family, ignored");
                    continue;
                }
                candidates.add(new Candidate(rs.address(), rs.weight(), null));
            }
        } else if (spec.realServers() instanceof RealServerSource.NodeSelector selector) {
            Set<InetAddress> seen = new HashSet<>();
            for (NodeView node : nodes.candidates(selector)) {
                if (!selector.matches(node.labels())) {
                    continue;
                }
                InetAddress address = node.addressFor(vs.vip()).orElse(null);
                if (address == null) {
                    problems.add("service " + vs.name() + ": node " + node.name()
                            + " has no address in the VIP's family, ignored");
                    continue;
                }
                if (!seen.add(address)) {
                    problems.add("service " + vs.name() + ": node " + node.name() + " repeats address "
                            + address.getHostAddress() + ", ignored");
                    continue;
                }
                candidates.add(new Candidate(address, selector.weight(), node));
            }
        }

        TreeMap<RealServerKey, DesiredRealServer> dests = new TreeMap<>();
        HealthCheck check = spec.healthCheck() == null ? null : spec.healthCheck().resolvePort(vs.port());
        for (Candidate c : candidates) {
            RealServerKey dk = new RealServerKey(c.address(), vs.port());
            RealServerSpec cfg = realServerSpec(c.weight(), vs, spec.realServerLimits());
            String nodeName = c.node() == null ? null : c.node().name();
            HealthStatus hs;
            if (check == null) {
                hs = new HealthStatus(HealthState.HEALTHY, "no check", now);
            } else {
                ProbeTarget target = ProbeTarget.of(c.address(), check, vs.vip());
                targets.add(target);
                hs = health.getOrDefault(target, HealthStatus.unknown(now));
            }

            String drainReason = drainReason(vs.name(), c, hs, manualDrains);
            DesiredRealServer d;
            if (hs.state() == HealthState.FAILED) {
                d = new DesiredRealServer(dk, cfg, Disposition.FAILED, hs.state(), hs.reason(), hs.since(), null,
                        nodeName);
            } else if (drainReason != null) {
                DrainKey drainKey = new DrainKey(key, dk);
                Instant started = drainStarts.getOrDefault(drainKey, now);
                newDrainStarts.put(drainKey, started);
                d = new DesiredRealServer(dk, cfg, Disposition.DRAINING, hs.state(), drainReason, started,
                        started.plus(spec.drainTimeout()), nodeName);
            } else if (hs.state() == HealthState.UNKNOWN) {
                d = new DesiredRealServer(dk, cfg, Disposition.UNKNOWN, hs.state(), hs.reason(), hs.since(), null,
                        nodeName);
            } else {
                d = new DesiredRealServer(dk, cfg, Disposition.ACTIVE, hs.state(), hs.reason(), hs.since(), null,
                        nodeName);
            }
            dests.put(dk, d);
        }

        int healthy = 0;
        for (DesiredRealServer d : dests.values()) {
            if (d.disposition() == Disposition.ACTIVE || d.disposition() == Disposition.UNKNOWN) {
                healthy++;
            }
        }
        QuorumMemo before = quorumMemory.get(key);
        Instant belowSince = before == null ? null : before.belowSince();
        Quorum quorum = spec.quorum();
        WhenAllDown policy = spec.whenAllDown();
        boolean below = quorum.below(healthy, belowSince != null);
        Set<RealServerKey> rotation = Set.of();
        if (below) {
            // "all down" with the default quorum, as before; the counts when there is more to it.
            String why = healthy == 0 ? "all down"
                    : "below quorum, " + healthy + " healthy of minHealthy " + quorum.minHealthy()
                            + (quorum.hysteresis() == 0 ? "" : " + hysteresis " + quorum.hysteresis());
            if (policy instanceof WhenAllDown.KeepLastHealthy) {
                // The rotation when quorum was lost (the last build's, in quorum), kept while below. A
                // new process, or a policy just changed, has none and keeps what is healthy now.
                Set<RealServerKey> kept = before != null && !before.rotation().isEmpty() ? before.rotation()
                        : inRotation(dests);
                rotation = kept;
                dests.replaceAll((k, d) -> !kept.contains(k) || d.disposition() == Disposition.ACTIVE ? d
                        : new DesiredRealServer(k, d.spec(), Disposition.FAIL_OPEN, d.health(),
                                "keep-last-healthy: " + why + " (" + d.reason() + ")", d.since(), null, d.node()));
                dests.keySet().forEach(k -> {
                    if (kept.contains(k)) {
                        newDrainStarts.remove(new DrainKey(key, k));
                    }
                });
            } else if (policy instanceof WhenAllDown.FailOpen) {
                dests.replaceAll((k, d) -> d.disposition() == Disposition.ACTIVE ? d
                        : new DesiredRealServer(k, d.spec(), Disposition.FAIL_OPEN, d.health(),
                                "fail-open: " + why + " (" + d.reason() + ")", d.since(), null, d.node()));
                // A fail-open server is not draining; its drain starts over if it still is later.
                dests.keySet().forEach(k -> newDrainStarts.remove(new DrainKey(key, k)));
            } else {
                // Sorry server and empty: the healthy ones drain, so no new client reaches them.
                String reason = policy.label() + ": " + why;
                dests.replaceAll((k, d) -> {
                    if (d.disposition() != Disposition.ACTIVE && d.disposition() != Disposition.UNKNOWN) {
                        return d;
                    }
                    DrainKey drainKey = new DrainKey(key, k);
                    Instant started = drainStarts.getOrDefault(drainKey, now);
                    newDrainStarts.put(drainKey, started);
                    return new DesiredRealServer(k, d.spec(), Disposition.DRAINING, d.health(), reason, started,
                            started.plus(spec.drainTimeout()), d.node());
                });
                if (policy instanceof WhenAllDown.SorryServer sorry) {
                    RealServerKey sk = new RealServerKey(sorry.address(), vs.port());
                    if (dests.containsKey(sk)) {
                        problems.add("service " + vs.name() + ": sorry server " + sk + " is also a real server");
                    } else {
                        dests.put(sk, new DesiredRealServer(sk,
                                realServerSpec(sorry.weight(), vs, spec.realServerLimits()),
                                Disposition.SORRY, HealthState.HEALTHY, "sorry server: " + why, now, null, null));
                    }
                }
            }
            belowSince = belowSince == null ? now : belowSince;
        } else {
            belowSince = null;
            if (policy instanceof WhenAllDown.KeepLastHealthy) {
                rotation = inRotation(dests);
            }
        }
        if (belowSince != null || !rotation.isEmpty()) {
            newQuorumMemory.put(key, new QuorumMemo(belowSince, rotation));
        }
        return new DesiredService(vs.name(), key, vs.spec(), dests, spec.whenAllDown(), below, quorum.minHealthy(),
                belowSince);
    }

    /** The healthy candidates (ACTIVE or UNKNOWN): what a keep-last-healthy service keeps when quorum goes. */
    private static Set<RealServerKey> inRotation(Map<RealServerKey, DesiredRealServer> dests) {
        Set<RealServerKey> out = new HashSet<>();
        dests.forEach((k, d) -> {
            if (d.disposition() == Disposition.ACTIVE || d.disposition() == Disposition.UNKNOWN) {
                out.add(k);
            }
        });
        return out;
    }

    /** The kernel's settings for one real server of {@code vs}: its weight, the service's method and limits. */
    private static RealServerSpec realServerSpec(int weight, VirtualService vs, RealServerLimits limits) {
        return RealServerSpec.of(vs.forwarding(), weight)
                .withThresholds(limits.upperConnections(), limits.lowerConnections());
    }

    /**
     * Nodes grouped by the (key, value) pairs selectors ask for, so that 50 selectors over 5,000
     * nodes look at each service's own nodes rather than at all of them. Lists keep name order.
     */
    private static final class NodeIndex {
        private final List<NodeView> all;
        private final Map<String, Map<String, List<NodeView>>> byLabel = new HashMap<>();

        NodeIndex(List<ServiceSpec> specs, List<NodeView> nodes) {
            this.all = nodes;
            Set<String> keys = new HashSet<>();
            for (ServiceSpec s : specs) {
                if (s.realServers() instanceof RealServerSource.NodeSelector sel && !sel.labels().isEmpty()) {
                    keys.add(sel.labels().keySet().iterator().next());
                }
            }
            for (String k : keys) {
                Map<String, List<NodeView>> values = new HashMap<>();
                for (NodeView n : nodes) {
                    String v = n.labels().get(k);
                    if (v != null) {
                        values.computeIfAbsent(v, x -> new ArrayList<>()).add(n);
                    }
                }
                byLabel.put(k, values);
            }
        }

        /** A superset of the nodes the selector matches, in name order. */
        List<NodeView> candidates(RealServerSource.NodeSelector selector) {
            if (selector.labels().isEmpty()) {
                return all;
            }
            String k = selector.labels().keySet().iterator().next();
            return byLabel.get(k).getOrDefault(selector.labels().get(k), List.of());
        }
    }

    private static String drainReason(String service, Candidate c, HealthStatus hs,
            Collection<ManualDrain> manualDrains) {
        for (ManualDrain m : manualDrains) {
            if (m.appliesTo(service, c.address())) {
                return "manual";
            }
        }
        NodeView node = c.node();
        if (node != null) {
            if (node.unschedulable()) {
                return "cordoned";
            }
            if (node.excludedFromLoadBalancers()) {
                return "excluded from load balancers";
            }
            if (!node.ready()) {
                return "node not ready";
            }
        }
        if (hs.state() == HealthState.DRAINING) {
            return hs.reason();
        }
        return null;
    }
}
