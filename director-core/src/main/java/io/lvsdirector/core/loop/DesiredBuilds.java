package io.lvsdirector.core.loop;

import io.lvsdirector.core.health.HealthSource;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.EndpointSource;
import io.lvsdirector.core.model.ManualDrainSource;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.DrainKey;
import io.lvsdirector.core.plan.Planner;
import io.lvsdirector.core.plan.QuorumMemo;
import io.lvsdirector.core.plan.ServiceTargets;
import io.lvsdirector.core.plan.VipPaths;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build step of a pass: everything, or only what changed. A pass asked for by health transitions
 * alone builds only the services the changed targets feed (plus any with a draining server, whose
 * deadline moves with the clock): {@link DesiredStateBuilder#rebuild} and
 * {@link Planner#plan(DesiredState, io.lvsdirector.core.plan.KernelTable, Set, Set)}. With services,
 * nodes and drains as the last good build saw them, and every other service already as desired, that
 * plans exactly what the full pass would ({@code IncrementalPassTest}). A timer pass builds the same
 * way when the services, nodes and drains the sources hold equal those of the last build; any change
 * of them, a pass after a whole-pass failure or a config problem builds everything.
 *
 * <p>Used on the loop's thread only, except {@link #inputsChanged()} (any thread).
 */
final class DesiredBuilds {

    private static final Logger LOG = LoggerFactory.getLogger(DesiredBuilds.class);

    private final ServiceStore services;
    private final NodeSource nodes;
    private final EndpointSource endpoints;
    private final HealthSource health;
    private final ManualDrainSource drains;
    private final VipPaths paths;
    // Set by the service, node and drain sources: the next pass builds everything.
    private final AtomicBoolean inputsChanged = new AtomicBoolean(true);
    // What the last good pass built from. Null: the next pass builds everything.
    private Built lastBuilt;

    /**
     * One build and what it was built from.
     *
     * @param adopt the specs' keys that say {@code adopt: true}
     * @param rebuilt the services an incremental build rebuilt, {@code null} after a full build
     */
    record Built(DesiredState desired, Collection<ServiceSpec> specs, Collection<NodeView> nodes,
            Map<String, ServiceEndpointsView> endpoints, Collection<ManualDrain> drains, ServiceTargets targets,
            Set<VirtualServerKey> adopt, Set<VirtualServerKey> rebuilt) {

        /** Whether the sources hold what this was built from (order aside). */
        boolean sameInputs(Collection<ServiceSpec> specsNow, Collection<NodeView> nodesNow,
                Map<String, ServiceEndpointsView> endpointsNow, Collection<ManualDrain> drainsNow) {
            return sameElements(specs, specsNow) && sameElements(drains, drainsNow) && sameElements(nodes, nodesNow)
                    && endpoints.equals(endpointsNow);
        }

        private static <T> boolean sameElements(Collection<T> a, Collection<T> b) {
            return a.size() == b.size() && (a.equals(b) || new HashSet<>(a).equals(new HashSet<>(b)));
        }
    }

    DesiredBuilds(ServiceStore services, NodeSource nodes, EndpointSource endpoints, HealthSource health,
            ManualDrainSource drains, VipPaths paths) {
        this.paths = paths;
        this.services = services;
        this.nodes = nodes;
        this.endpoints = endpoints;
        this.health = health;
        this.drains = drains;
    }

    /** A source's services, nodes or drains changed: the next build is full. */
    void inputsChanged() {
        inputsChanged.set(true);
    }

    /** The pass ended: {@code good} is what the next incremental build starts from, or {@code null}. */
    void passEnded(Built good) {
        lastBuilt = good;
    }

    /** Builds the desired state: everything, or only what the changed probe targets feed. */
    Built build(Instant at, boolean readKernel, Map<DrainKey, Instant> drainStarts,
            Map<VirtualServerKey, QuorumMemo> quorumMemory) {
        // Taken first: a transition after this is in the next pass, whatever this one reads.
        Set<ProbeTarget> changed = health.takeChanged();
        Built before = lastBuilt;
        // Until this pass ends well, the next one builds everything.
        lastBuilt = null;
        // Cleared before the sources are read: a change after this sets it again for the next pass.
        boolean sourcesChanged = inputsChanged.getAndSet(false);
        boolean full = sourcesChanged || before == null || changed == null || !before.desired().problems().isEmpty();
        Collection<ServiceSpec> specs = null;
        Collection<NodeView> nodeList = null;
        Map<String, ServiceEndpointsView> views = null;
        Collection<ManualDrain> drainList = null;
        if (!full && readKernel) {
            // A timer pass repairs the kernel by reading it and planning every service. Building every
            // service again gives the same desired state when nothing it is built from changed, and
            // costs most of a full pass: comparing what the sources hold with what the last build
            // used makes that independent of a lost notice.
            specs = services.services();
            nodeList = nodes.nodes();
            views = views(endpoints, specs);
            drainList = drains.drains();
            full = !before.sameInputs(specs, nodeList, views, drainList);
        }
        if (full) {
            if (specs == null) {
                specs = services.services();
                nodeList = nodes.nodes();
                views = views(endpoints, specs);
                drainList = drains.drains();
            }
            // The internal probe-path services depend on services, nodes and endpoints only, like probe
            // targets: full builds add them, incremental ones keep the previous build's.
            DesiredState desired = paths.withPaths(DesiredStateBuilder.build(specs, nodeList, views,
                    health.snapshot(), drainList, drainStarts, quorumMemory, at));
            health.watch(desired.probeTargets());
            for (String problem : desired.problems()) {
                LOG.debug("event=config_problem problem=\"{}\"", problem);
            }
            return new Built(desired, specs, nodeList, views, drainList, ServiceTargets.of(desired, specs, nodeList),
                    PlanStep.adoptKeys(specs), null);
        }
        // Services, nodes and drains are as the last build saw them, so only the services fed by the
        // changed targets can be built differently — and those with a draining server.
        Set<VirtualServerKey> rebuilt = before.targets().servicesOf(changed);
        for (DrainKey k : before.desired().drainStarts().keySet()) {
            rebuilt.add(k.service());
        }
        Map<ProbeTarget, HealthStatus> statuses = new HashMap<>();
        for (VirtualServerKey k : rebuilt) {
            for (ProbeTarget t : before.targets().targetsOf(k)) {
                HealthStatus st = health.status(t);
                if (st != null) {
                    statuses.put(t, st);
                }
            }
        }
        List<NodeView> selected = before.targets().nodesOf(rebuilt);
        DesiredState desired = DesiredStateBuilder.rebuild(before.desired(), before.specs(),
                selected != null ? selected : before.nodes(), before.endpoints(), statuses, before.drains(), rebuilt, at);
        return new Built(desired, before.specs(), before.nodes(), before.endpoints(), before.drains(), before.targets(),
                before.adopt(), rebuilt);
    }

    /** The views of the Services the specs name: one cache lookup each, no I/O. */
    static Map<String, ServiceEndpointsView> views(EndpointSource source, Collection<ServiceSpec> specs) {
        Map<String, ServiceEndpointsView> out = null;
        for (ServiceSpec spec : specs) {
            if (spec.realServers() instanceof RealServerSource.ServiceEndpoints ref) {
                if (out == null) {
                    out = new HashMap<>();
                }
                out.computeIfAbsent(ref.serviceKey(), k -> source.endpoints(ref.namespace(), ref.name()));
            }
        }
        return out == null ? Map.of() : out;
    }

}
