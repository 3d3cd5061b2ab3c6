package io.lvsdirector.core.plan;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which services each probe target feeds, and the other way round, for one desired state: a
 * health transition of a target then rebuilds only its services
 * ({@link DesiredStateBuilder#rebuild}). A target shared by several services (one node in two
 * services with the same check) maps to all of them. Immutable.
 */
public final class ServiceTargets {

    private final Map<ProbeTarget, List<VirtualServerKey>> servicesByTarget;
    private final Map<VirtualServerKey, List<ProbeTarget>> targetsByService;
    // The nodes each service's real servers come from; null when the nodes were not given.
    private final Map<VirtualServerKey, List<NodeView>> nodesByService;

    private ServiceTargets(Map<ProbeTarget, List<VirtualServerKey>> servicesByTarget,
            Map<VirtualServerKey, List<ProbeTarget>> targetsByService, Map<VirtualServerKey, List<NodeView>> nodesByService) {
        this.servicesByTarget = servicesByTarget;
        this.targetsByService = targetsByService;
        this.nodesByService = nodesByService;
    }

    /**
     * @param desired a state built from {@code specs}
     * @param specs the specs it was built from
     */
    public static ServiceTargets of(DesiredState desired, Collection<ServiceSpec> specs) {
        return of(desired, specs, null);
    }

    /**
     * As {@link #of(DesiredState, Collection)}, also noting which nodes each service's real servers
     * come from, so that a rebuild of two services need not look at all 5,000 nodes
     * ({@link #nodesOf}).
     *
     * @param nodes the nodes {@code desired} was built from, or null
     */
    public static ServiceTargets of(DesiredState desired, Collection<ServiceSpec> specs, Collection<NodeView> nodes) {
        Map<VirtualServerKey, List<NodeView>> nodesByService = nodes == null ? null : nodesByService(desired, nodes);
        Map<ProbeTarget, List<VirtualServerKey>> byTarget = new HashMap<>();
        Map<VirtualServerKey, List<ProbeTarget>> byService = new HashMap<>();
        for (ServiceSpec spec : specs) {
            VirtualService vs = spec.service();
            VirtualServerKey key = vs.key();
            DesiredService ds = desired.services().get(key);
            if (ds == null || !ds.name().equals(spec.name()) || spec.healthCheck() == null) {
                continue;
            }
            HealthCheck check = spec.healthCheck().resolvePort(vs.port());
            List<ProbeTarget> targets = new ArrayList<>(ds.realServers().size());
            for (DesiredRealServer d : ds.realServers().values()) {
                if (d.disposition() == Disposition.SORRY) {
                    continue;
                }
                ProbeTarget t = ProbeTarget.of(d.key().address(), check, vs.vip());
                targets.add(t);
                byTarget.computeIfAbsent(t, x -> new ArrayList<>(1)).add(key);
            }
            byService.put(key, targets);
        }
        return new ServiceTargets(byTarget, byService, nodesByService);
    }

    private static Map<VirtualServerKey, List<NodeView>> nodesByService(DesiredState desired, Collection<NodeView> nodes) {
        Map<String, List<NodeView>> byName = new HashMap<>();
        for (NodeView n : nodes) {
            byName.computeIfAbsent(n.name(), x -> new ArrayList<>(1)).add(n);
        }
        Map<VirtualServerKey, List<NodeView>> out = new HashMap<>();
        for (DesiredService ds : desired.services().values()) {
            List<NodeView> list = new ArrayList<>();
            for (DesiredRealServer d : ds.realServers().values()) {
                if (d.node() != null) {
                    list.addAll(byName.getOrDefault(d.node(), List.of()));
                }
            }
            out.put(ds.key(), list);
        }
        return out;
    }

    /** The services that use any of {@code targets}. */
    public Set<VirtualServerKey> servicesOf(Collection<ProbeTarget> targets) {
        Set<VirtualServerKey> out = new HashSet<>();
        for (ProbeTarget t : targets) {
            out.addAll(servicesByTarget.getOrDefault(t, List.of()));
        }
        return out;
    }

    /**
     * The nodes the real servers of these services come from: for a state built without problems
     * (every node a selector matches then gives a real server), every node those selectors match,
     * which is all {@link DesiredStateBuilder#rebuild} needs for them. Null when this was made
     * without the nodes.
     */
    public List<NodeView> nodesOf(Collection<VirtualServerKey> services) {
        if (nodesByService == null) {
            return null;
        }
        // Two services may select the same nodes: each node once, or it would repeat its address.
        Set<NodeView> out = new LinkedHashSet<>();
        for (VirtualServerKey k : services) {
            out.addAll(nodesByService.getOrDefault(k, List.of()));
        }
        return new ArrayList<>(out);
    }

    /** The targets a service's real servers are probed as (none for an unchecked service). */
    public List<ProbeTarget> targetsOf(VirtualServerKey service) {
        return targetsByService.getOrDefault(service, List.of());
    }
}
