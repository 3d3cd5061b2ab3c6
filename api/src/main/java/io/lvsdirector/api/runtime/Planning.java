package io.lvsdirector.api.runtime;

import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.loop.PlanStep;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.plan.Plan;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.VipPaths;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Dry runs: the operations a reconcile pass would apply for a given set of services, applying none.
 * Shared by {@code POST /v1/plan} and the {@code plan} command; both call the loop's planning step
 * ({@link PlanStep}), so a dry run cannot disagree with the loop.
 */
public final class Planning {

    private Planning() {
    }

    /**
     * One operation.
     *
     * @param kind {@code add_service}, {@code update_real_server}, ...
     * @param service the service's name
     * @param ipvsadm the ipvsadm arguments that do the same ({@code -a -t 198.18.0.100:80 -r ...})
     */
    public record Operation(String kind, String service, String ipvsadm) {
        public Operation {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(ipvsadm, "ipvsadm");
        }
    }

    /**
     * The operations in the order they would be applied, config problems the build found, services
     * the kernel has that belong to someone else (left untouched, see {@link PlanStep}), and when the
     * kernel table planned against was read ({@code null}: never).
     */
    public record Result(List<Operation> operations, List<String> problems, List<String> foreign,
            Instant kernelReadAt) {
        public Result {
            operations = List.copyOf(operations);
            problems = List.copyOf(problems);
            foreign = List.copyOf(foreign);
        }
    }

    /**
     * What the running director would do if {@code specs} were its services: the loop's own
     * planning step on the table its last pass left, with its ownership, drain start times (so drain
     * deadlines match), and the nodes, health and drains the sources hold now. Reads nothing from the
     * kernel.
     */
    public static Result dryRun(Director director, Collection<ServiceSpec> specs) {
        ReconcileLoop.DryRun dry = director.loop().dryRun(specs);
        return result(dry.plan(), dry.problems(), dry.foreign(), dry.kernelReadAt());
    }

    /**
     * The plan for {@code specs} against {@code kernel}, for the {@code plan} command (no running
     * loop): the same planning step the loop uses, with no drain in progress. {@code owned} empty
     * means ownership unknown, and then desired services found in the kernel are adopted, as a
     * director does when it never recorded ownership.
     */
    public static Result plan(Collection<ServiceSpec> specs, Collection<NodeView> nodes,
            Map<ProbeTarget, HealthStatus> health, Collection<ManualDrain> drains, IpvsSnapshot kernel,
            Set<VirtualServerKey> owned, Instant now) {
        return plan(specs, nodes, Map.of(), health, drains, kernel, owned, now, VipPaths.Marks.DEFAULT);
    }

    /**
     * As {@link #plan(Collection, Collection, Map, Collection, IpvsSnapshot, Set, Instant)}, with the
     * views of the Kubernetes Services that specs name, and the probe paths of checks via a VIP a
     * director starting now would keep (marks from {@code probeMarks}, in address order).
     */
    public static Result plan(Collection<ServiceSpec> specs, Collection<NodeView> nodes,
            Map<String, ServiceEndpointsView> endpoints, Map<ProbeTarget, HealthStatus> health,
            Collection<ManualDrain> drains, IpvsSnapshot kernel, Set<VirtualServerKey> owned, Instant now,
            VipPaths.Marks probeMarks) {
        VipPaths paths = new VipPaths(probeMarks);
        DesiredState desired = paths.plannedFor(DesiredStateBuilder.build(specs, nodes, endpoints, health, drains,
                Map.of(), Map.of(), now));
        PlanStep.Result step = PlanStep.plan(desired, KernelTable.of(kernel, paths::isInternal), owned, !owned.isEmpty(),
                PlanStep.adoptKeys(specs), null);
        return result(step.plan(), desired.problems(), step.foreign(), now);
    }

    private static Result result(Plan plan, List<String> problems, Map<VirtualServerKey, String> foreign,
            Instant readAt) {
        List<Operation> out = new ArrayList<>(plan.ops().size());
        for (PlanOp op : plan.ops()) {
            out.add(new Operation(op.kind(), op.name(), op.describe()));
        }
        return new Result(out, problems, foreign.values().stream().sorted().toList(), readAt);
    }

    /**
     * @throws io.lvsdirector.api.state.ConflictException if two specs share protocol, VIP and port
     */
    public static void checkIdentities(Collection<ServiceSpec> specs) {
        FileServiceStore.checkIdentities(specs, null);
    }
}
