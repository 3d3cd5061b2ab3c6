package io.lvsdirector.core.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pure function {@code ops = plan(desired, actual, owned)}.
 *
 * <p>Rules:
 * <ul>
 *   <li>Never flush. A kernel service that is neither desired nor {@code owned} is not touched, nor
 *       are its real servers (kube-proxy or a hand-made service may share the table).
 *   <li>A desired service already in the kernel is adopted as it is: a restart with nothing changed
 *       plans nothing. Within a desired service the director owns every real server, so a stray
 *       one is removed.
 *   <li>An owned service no longer desired is deleted (the kernel deletes its real servers with it).
 *   <li>Scheduler, flags, persistence, weight and forwarding differences are edits in place.
 *   <li>FAILED: deleted. DRAINING: weight 0 while it has connections, deleted at 0 active + inactive
 *       connections or once its drain deadline has passed; never added. UNKNOWN: kept at its weight
 *       if present, never added.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class Planner {

    private Planner() {
    }

    /**
     * Plans the ops that take {@code actual} to {@code desired}.
     *
     * @param desired what the director wants; {@link DesiredState#at()} is "now" for drain deadlines
     * @param actual the whole kernel table
     * @param owned kernel identities the director created or adopted earlier, deleted when no longer
     *     desired; desired services count as owned whatever this holds
     */
    public static Plan plan(DesiredState desired, ActualState actual, Set<ServiceKey> owned) {
        return plan(desired, actual, owned, null);
    }

    /**
     * {@link #plan(DesiredState, ActualState, Set)} restricted to the desired services in
     * {@code only}, and deleting no service: the plan of a pass that rebuilt those services only
     * ({@link DesiredStateBuilder#rebuild}). A service's ops depend on that service alone, so when
     * every other service is already as desired this equals the full plan.
     *
     * @param only kernel identities to plan; others are left as they are
     */
    public static Plan plan(DesiredState desired, ActualState actual, Set<ServiceKey> owned, Set<ServiceKey> only) {
        List<PlanOp> serviceOps = new ArrayList<>();
        List<PlanOp> adds = new ArrayList<>();
        List<PlanOp> edits = new ArrayList<>();
        List<PlanOp> deletes = new ArrayList<>();
        List<PlanOp> serviceDeletes = new ArrayList<>();

        for (DesiredService ds : desired.services().values()) {
            if (only != null && !only.contains(ds.key())) {
                continue;
            }
            ActualService as = actual.services().get(ds.key());
            if (as == null) {
                serviceOps.add(new PlanOp.AddService(ds.name(), ds.key(), ds.config()));
            } else if (!as.config().equals(ds.config())) {
                serviceOps.add(new PlanOp.UpdateService(ds.name(), ds.key(), ds.config()));
            }
            Map<DestinationKey, ActualDestination> present =
                    as == null ? Map.of() : as.destinations();
            for (DesiredDestination dd : ds.destinations().values()) {
                ActualDestination ad = present.get(dd.key());
                planDestination(ds, dd, ad, desired, adds, edits, deletes);
            }
            for (ActualDestination ad : present.values()) {
                if (!ds.destinations().containsKey(ad.key())) {
                    deletes.add(new PlanOp.DeleteDestination(ds.name(), ds.key(), ad.key()));
                }
            }
        }
        if (only == null) {
            for (ActualService as : actual.services().values()) {
                if (!desired.services().containsKey(as.key()) && owned.contains(as.key())) {
                    serviceDeletes.add(new PlanOp.DeleteService(as.key().toString(), as.key()));
                }
            }
        }

        List<PlanOp> ops = new ArrayList<>(serviceOps.size() + adds.size() + edits.size() + deletes.size()
                + serviceDeletes.size());
        ops.addAll(serviceOps);
        ops.addAll(adds);
        ops.addAll(edits);
        ops.addAll(deletes);
        ops.addAll(serviceDeletes);
        return new Plan(ops);
    }

    private static void planDestination(DesiredService ds, DesiredDestination dd, ActualDestination ad,
            DesiredState desired, List<PlanOp> adds, List<PlanOp> edits, List<PlanOp> deletes) {
        switch (dd.disposition()) {
            case ACTIVE:
            case FAIL_OPEN:
            case SORRY:
                if (ad == null) {
                    adds.add(new PlanOp.AddDestination(ds.name(), ds.key(), dd.key(), dd.config()));
                } else if (!ad.config().equals(dd.config())) {
                    edits.add(new PlanOp.UpdateDestination(ds.name(), ds.key(), dd.key(), dd.config()));
                }
                break;
            case UNKNOWN:
                if (ad != null && !ad.config().equals(dd.config())) {
                    edits.add(new PlanOp.UpdateDestination(ds.name(), ds.key(), dd.key(), dd.config()));
                }
                break;
            case DRAINING:
                if (ad == null) {
                    break;
                }
                boolean expired = !desired.at().isBefore(dd.drainDeadline());
                if (ad.connections() == 0 || expired) {
                    deletes.add(new PlanOp.DeleteDestination(ds.name(), ds.key(), dd.key()));
                } else {
                    DestinationConfig zero = dd.config().withWeight(0);
                    if (!ad.config().equals(zero)) {
                        edits.add(new PlanOp.UpdateDestination(ds.name(), ds.key(), dd.key(), zero));
                    }
                }
                break;
            case FAILED:
                if (ad != null) {
                    deletes.add(new PlanOp.DeleteDestination(ds.name(), ds.key(), dd.key()));
                }
                break;
            default:
                throw new IllegalStateException("unhandled disposition " + dd.disposition());
        }
    }
}
