package io.lvsdirector.api.runtime;

import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.kernel.KernelMapping;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.plan.ActualState;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.Plan;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.Planner;
import io.lvsdirector.core.plan.ServiceKey;
import io.lvsdirector.ipvs.IpvsSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Dry runs: the operations a reconcile pass would apply for a given set of services, applying none.
 * Shared by {@code POST /v1/plan} and the {@code plan} command. Pure apart from the kernel read the
 * caller hands in.
 */
public final class Planning {

    private Planning() {
    }

    /**
     * One operation.
     *
     * @param kind {@code add_service}, {@code update_destination}, ...
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

    /** The operations in the order they would be applied, and config problems the build found. */
    public record Result(List<Operation> operations, List<String> problems) {
        public Result {
            operations = List.copyOf(operations);
            problems = List.copyOf(problems);
        }
    }

    /**
     * What the running director would do if {@code specs} were its services: current nodes, health,
     * drains, kernel table and ownership.
     *
     * @throws io.lvsdirector.ipvs.IpvsException if the kernel cannot be read
     */
    public static Result dryRun(Director director, Collection<ServiceSpec> specs) {
        return plan(specs, director.nodes().nodes(), director.health().snapshot(), director.store().drains(),
                director.ipvs().snapshot(), director.loop().owned(), director.clock().instant());
    }

    /**
     * The plan for {@code specs} against {@code kernel}. Services the director would own are those it
     * owns ({@code owned}) plus every desired one (adoption); only owned services are ever deleted.
     */
    public static Result plan(Collection<ServiceSpec> specs, Collection<NodeView> nodes,
            Map<ProbeTarget, HealthStatus> health, Collection<ManualDrain> drains, IpvsSnapshot kernel,
            Set<ServiceKey> owned, Instant now) {
        DesiredState desired = DesiredStateBuilder.build(specs, nodes, health, drains, Map.of(), now);
        ActualState actual = KernelMapping.actual(kernel);
        Set<ServiceKey> own = new HashSet<>(owned);
        own.addAll(desired.services().keySet());
        Plan plan = Planner.plan(desired, actual, own);
        List<Operation> out = new ArrayList<>(plan.ops().size());
        for (PlanOp op : plan.ops()) {
            String text;
            try {
                text = KernelMapping.op(op).describe();
            } catch (IllegalArgumentException e) {
                text = "(refused: " + e.getMessage() + ")";
            }
            out.add(new Operation(op.kind(), op.name(), text));
        }
        return new Result(out, desired.problems());
    }

    /**
     * @throws io.lvsdirector.api.state.ConflictException if two specs share protocol, VIP and port
     */
    public static void checkIdentities(Collection<ServiceSpec> specs) {
        FileServiceStore.checkIdentities(specs, null);
    }
}
