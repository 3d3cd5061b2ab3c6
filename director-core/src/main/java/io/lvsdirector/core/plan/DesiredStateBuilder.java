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
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceEndpointsView.EndpointState;
import io.lvsdirector.core.model.ServiceEndpointsView.IpFamily;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.InetAddress;
import java.time.Duration;
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
 * The pure function {@code desired = build(services, nodes, endpoints, health, manual drains, now)}.
 *
 * <p>Candidates: a static list's servers; the nodes a node selector matches; for a Kubernetes
 * Service ({@link RealServerSource.ServiceEndpoints}, resolved in {@link ServiceEndpointsView}):
 * with {@code externalTrafficPolicy: Cluster} every node, with {@code Local} the nodes with an
 * endpoint of the VIP's family that is ready or terminating (a node with neither is no candidate:
 * it leaves; one already draining when its last endpoint goes keeps draining to its deadline,
 * reason {@code endpoints gone}, so its open connections are not cut). A Service that cannot be resolved (missing, no such port, its port not the virtual
 * port, no address family of the VIP) gives no candidate and a problem naming the service; nothing
 * else is touched. A node's address is its first of the VIP's family; a node without one is left
 * out with a problem.
 *
 * <p>Rules, per candidate real server of a service (first match wins):
 * <ol>
 *   <li>the probe says FAILED: {@link Disposition#FAILED}, out at once (a dead node cannot drain);
 *   <li>drained by hand, node cordoned, node labelled {@value NodeView#EXCLUDE_LABEL}, node not
 *       ready, every endpoint of the Service on the node terminating (kube-proxy's graceful
 *       termination: the node serves its open connections and takes no new ones), or the probe
 *       says DRAINING (an HTTP 503): {@link Disposition#DRAINING};
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
        return build(services, nodes, Map.of(), health, manualDrains, drainStarts, quorumMemory, now);
    }

    /**
     * Builds the desired state.
     *
     * @param endpoints the views of the Kubernetes Services that specs name, by
     *     {@link RealServerSource.ServiceEndpoints#serviceKey()}; a Service missing here is a problem
     *     of the specs that name it
     * @see #build(Collection, Collection, Map, Collection, Map, Map, Instant)
     */
    public static DesiredState build(
            Collection<ServiceSpec> services,
            Collection<NodeView> nodes,
            Map<String, ServiceEndpointsView> endpoints,
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
        NodeIndex index = new NodeIndex(ordered, nodeList, endpoints);

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
        return rebuild(previous, services, nodes, Map.of(), health, manualDrains, which, now);
    }

    /**
     * As {@link #rebuild(DesiredState, Collection, Collection, Map, Collection, Set, Instant)}, with
     * the Service views {@code previous} was built from.
     */
    public static DesiredState rebuild(
            DesiredState previous,
            Collection<ServiceSpec> services,
            Collection<NodeView> nodes,
            Map<String, ServiceEndpointsView> endpoints,
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
                if (spec.realServers() instanceof RealServerSource.NodeSelector sel && sel.matches(node.labels())
                        || spec.realServers() instanceof RealServerSource.ServiceEndpoints) {
                    nodeList.add(node);
                    break;
                }
            }
        }
        nodeList.sort(Comparator.comparing(NodeView::name));
        NodeIndex index = new NodeIndex(specs, nodeList, endpoints);

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

    /** @param terminating why the node drains for its Service's endpoints, or {@code null} */
    private record Candidate(InetAddress address, int weight, NodeView node, String terminating) {}

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
                candidates.add(new Candidate(rs.address(), rs.weight(), null, null));
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
                candidates.add(new Candidate(address, selector.weight(), node, null));
            }
        } else if (spec.realServers() instanceof RealServerSource.ServiceEndpoints ref) {
            endpointCandidates(vs, key, ref, nodes, drainStarts, spec.drainTimeout(), now, candidates, problems);
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

    /**
     * The nodes serving a Kubernetes Service, for a VIP of one family. Problems that make the Service
     * unusable leave the candidates empty (the service alone has no real server and says why).
     */
    private static void endpointCandidates(VirtualService vs, VirtualServerKey key, RealServerSource.ServiceEndpoints ref,
            NodeIndex nodes, Map<DrainKey, Instant> drainStarts, Duration drainTimeout, Instant now,
            List<Candidate> candidates, List<String> problems) {
        String svc = "service " + vs.name() + ": ";
        ServiceEndpointsView view = nodes.endpoints(ref);
        if (view == null) {
            problems.add(svc + "Service " + ref.serviceKey() + " is not known to the endpoint source");
            return;
        }
        for (String note : view.notes()) {
            problems.add(svc + note);
        }
        if (view.problem() != null) {
            problems.add(svc + view.problem());
            return;
        }
        int servicePort = view.portNumber(ref.port());
        if (servicePort < 0) {
            problems.add(svc + "Service " + ref.serviceKey() + " has no port '" + ref.port() + "' (it has "
                    + new TreeMap<>(view.ports()) + ")");
            return;
        }
        if (servicePort != vs.port()) {
            // Direct routing delivers VIP:port unchanged; kube-proxy on the node matches the Service's
            // LoadBalancer address on the Service port, so any other port would be dropped there.
            problems.add(svc + "Service " + ref.serviceKey() + " port '" + ref.port() + "' is " + servicePort
                    + ", not the virtual port " + vs.port() + " that direct routing delivers to the node");
            return;
        }
        IpFamily family = IpFamily.of(vs.vip());
        if (!view.ipFamilies().contains(family)) {
            problems.add(svc + "Service " + ref.serviceKey() + " has no " + familyName(family) + " family (ipFamilies "
                    + familyNames(view.ipFamilies()) + "): kube-proxy serves no " + familyName(family)
                    + " LoadBalancer address for it");
            return;
        }
        Map<String, EndpointState> states = view.nodes(family);
        boolean local = view.trafficPolicy() == ServiceEndpointsView.TrafficPolicy.LOCAL;
        Set<InetAddress> seen = new HashSet<>();
        for (NodeView node : nodes.all()) {
            EndpointState state = states.get(node.name());
            if (local && state == null) {
                // No endpoint left on the node. One that was draining (its endpoints terminated, or a node
                // rule) keeps draining to its deadline: its connections are still open when the pod's
                // endpoint leaves the slice, and deleting the real server at once would cut them where
                // net.ipv4.vs.expire_nodest_conn is 1 (the packaged default). Any other node leaves now.
                InetAddress address = node.addressFor(vs.vip()).orElse(null);
                Instant started = address == null ? null
                        : drainStarts.get(new DrainKey(key, new RealServerKey(address, vs.port())));
                if (started != null && now.isBefore(started.plus(drainTimeout)) && seen.add(address)) {
                    candidates.add(new Candidate(address, ref.weight(), node, "endpoints gone"));
                }
                continue;
            }
            InetAddress address = node.addressFor(vs.vip()).orElse(null);
            if (address == null) {
                problems.add(svc + "node " + node.name() + " has no " + familyName(family)
                        + " address for the VIP, ignored");
                continue;
            }
            if (!seen.add(address)) {
                problems.add(svc + "node " + node.name() + " repeats address " + address.getHostAddress() + ", ignored");
                continue;
            }
            String terminating = local && state == EndpointState.TERMINATING ? "endpoints terminating" : null;
            candidates.add(new Candidate(address, ref.weight(), node, terminating));
        }
        if (local) {
            for (String name : new java.util.TreeSet<>(states.keySet())) {
                if (!nodes.known(name)) {
                    problems.add(svc + "Service " + ref.serviceKey() + " has endpoints on node " + name
                            + ", which the node source does not know, ignored");
                }
            }
        }
    }

    private static String familyName(IpFamily f) {
        return f == IpFamily.IPV4 ? "IPv4" : "IPv6";
    }

    private static List<String> familyNames(Set<IpFamily> families) {
        return families.stream().sorted().map(DesiredStateBuilder::familyName).toList();
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
        private final Map<String, ServiceEndpointsView> endpoints;
        private Set<String> names;

        NodeIndex(List<ServiceSpec> specs, List<NodeView> nodes, Map<String, ServiceEndpointsView> endpoints) {
            this.all = nodes;
            this.endpoints = endpoints;
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

        /** Every node, in name order. */
        List<NodeView> all() {
            return all;
        }

        ServiceEndpointsView endpoints(RealServerSource.ServiceEndpoints ref) {
            return endpoints.get(ref.serviceKey());
        }

        boolean known(String nodeName) {
            if (names == null) {
                names = new HashSet<>();
                all.forEach(n -> names.add(n.name()));
            }
            return names.contains(nodeName);
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
        if (c.terminating() != null) {
            return c.terminating();
        }
        if (hs.state() == HealthState.DRAINING) {
            return hs.reason();
        }
        return null;
    }
}
