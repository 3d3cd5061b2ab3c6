package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.IpvsOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
 *   <li>Scheduler, flags, persistence, weight, forwarding and threshold differences are edits in place.
 *   <li>An entry under a desired or owned service that the kernel has but could not be read
 *       ({@link KernelTable#unreadable()}) is present with unknown settings: it is edited in place to
 *       what is desired, or deleted; never added. A whole unreadable service's real servers are
 *       planned once it reads again. Unreadable entries of other services are ignored.
 *   <li>FAILED: deleted. DRAINING: weight 0 while it has connections, deleted at 0 active + inactive
 *       connections or once its drain deadline has passed; never added. UNKNOWN: kept at its weight
 *       if present, never added.
 *   <li>{@code mh} services: the kernel's real-server list ends in {@link RealServerKey} order; the part
 *       out of order is deleted and re-added among the adds ({@link #canonicalOrder}).
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
    public static Plan plan(DesiredState desired, KernelTable actual, Set<VirtualServerKey> owned) {
        return plan(desired, actual, owned, null);
    }

    /**
     * {@link #plan(DesiredState, KernelTable, Set)} restricted to the desired services in
     * {@code only}, and deleting no service: the plan of a pass that rebuilt those services only
     * ({@link DesiredStateBuilder#rebuild}). A service's ops depend on that service alone, so when
     * every other service is already as desired this equals the full plan.
     *
     * @param only kernel identities to plan; others are left as they are
     */
    public static Plan plan(DesiredState desired, KernelTable actual, Set<VirtualServerKey> owned, Set<VirtualServerKey> only) {
        return plan(desired, actual, owned, only, true);
    }

    /**
     * As {@link #plan(DesiredState, KernelTable, Set, Set)}.
     *
     * @param countsRead whether {@code actual}'s connection counts were read from the kernel just now.
     *     When not (a table kept from an earlier read, where a real server added since shows 0), a
     *     draining real server at 0 connections goes to weight 0 rather than being deleted: the next
     *     read (the loop's drain poll) decides its delete, so open connections are never cut on an
     *     old count.
     */
    public static Plan plan(DesiredState desired, KernelTable actual, Set<VirtualServerKey> owned, Set<VirtualServerKey> only,
            boolean countsRead) {
        List<PlanOp> serviceOps = new ArrayList<>();
        List<PlanOp> adds = new ArrayList<>();
        List<PlanOp> edits = new ArrayList<>();
        List<PlanOp> deletes = new ArrayList<>();
        List<PlanOp> serviceDeletes = new ArrayList<>();

        for (DesiredService ds : desired.services().values()) {
            if (only != null && !only.contains(ds.key())) {
                continue;
            }
            Unreadable odd = actual.unreadable().get(ds.key());
            if (odd != null && odd.wholeService()) {
                // Present but unknown: an edit in place writes every setting the director keeps,
                // which replaces whatever made it unreadable. Its real servers are unknown until
                // the service reads again, so none is planned now (an add could meet EEXIST).
                serviceOps.add(PlanOp.updateService(ds.name(), ds.key(), ds.spec()));
                continue;
            }
            KernelService as = actual.services().get(ds.key());
            if (as == null) {
                serviceOps.add(PlanOp.addService(ds.name(), ds.key(), ds.spec()));
            } else if (!as.spec().equals(ds.spec())) {
                serviceOps.add(PlanOp.updateService(ds.name(), ds.key(), ds.spec()));
            }
            Map<RealServerKey, RealServerStatus> present =
                    as == null ? Map.of() : as.realServers();
            Map<RealServerKey, String> unreadable = odd == null ? Map.of() : odd.realServers();
            List<PlanOp> svcAdds = new ArrayList<>();
            List<PlanOp> svcEdits = new ArrayList<>();
            List<PlanOp> svcDeletes = new ArrayList<>();
            for (DesiredRealServer dd : ds.realServers().values()) {
                if (unreadable.containsKey(dd.key())) {
                    planUnreadableRealServer(ds, dd, desired, svcEdits, svcDeletes);
                } else {
                    planRealServer(ds, dd, present.get(dd.key()), desired, countsRead, svcAdds, svcEdits, svcDeletes);
                }
            }
            for (RealServerStatus ad : present.values()) {
                if (!ds.realServers().containsKey(ad.key())) {
                    svcDeletes.add(PlanOp.deleteRealServer(ds.name(), ds.key(), ad.key()));
                }
            }
            for (RealServerKey k : unreadable.keySet()) {
                if (!ds.realServers().containsKey(k)) {
                    svcDeletes.add(PlanOp.deleteRealServer(ds.name(), ds.key(), k));
                }
            }
            // An unreadable real server sits somewhere in the kernel's list that the dump cannot tell:
            // its order is put right once it reads again.
            if (isMaglev(ds.spec().scheduler()) && unreadable.isEmpty()) {
                svcAdds = canonicalOrder(ds, as, svcAdds, svcEdits, svcDeletes);
            }
            adds.addAll(svcAdds);
            edits.addAll(svcEdits);
            deletes.addAll(svcDeletes);
        }
        if (only == null) {
            for (KernelService as : actual.services().values()) {
                if (!desired.services().containsKey(as.key()) && owned.contains(as.key())) {
                    serviceDeletes.add(PlanOp.deleteService(as.key().toString(), as.key()));
                }
            }
            for (Unreadable odd : actual.unreadable().values()) {
                if (odd.wholeService() && !desired.services().containsKey(odd.service())
                        && owned.contains(odd.service())) {
                    serviceDeletes.add(PlanOp.deleteService(odd.service().toString(), odd.service()));
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

    /**
     * A real server the kernel has but that could not be read: present, with unknown weight and
     * connection counts. What it should be is written with an edit in place (never an add, which
     * would meet EEXIST); one that must go is deleted. A draining one goes to weight 0: its
     * connection count, which decides its delete, is known once it reads again.
     */
    private static void planUnreadableRealServer(DesiredService ds, DesiredRealServer dd, DesiredState desired,
            List<PlanOp> edits, List<PlanOp> deletes) {
        switch (dd.disposition()) {
            case ACTIVE, FAIL_OPEN, SORRY, UNKNOWN ->
                    edits.add(PlanOp.updateRealServer(ds.name(), ds.key(), dd.key(), dd.spec()));
            case DRAINING -> {
                if (!desired.at().isBefore(dd.drainDeadline())) {
                    deletes.add(PlanOp.deleteRealServer(ds.name(), ds.key(), dd.key()));
                } else {
                    edits.add(PlanOp.updateRealServer(ds.name(), ds.key(), dd.key(), dd.spec().withWeight(0)));
                }
            }
            case FAILED -> deletes.add(PlanOp.deleteRealServer(ds.name(), ds.key(), dd.key()));
            default -> throw new IllegalStateException("unhandled disposition " + dd.disposition());
        }
    }

    /**
     * The kernel entries under the director's services that could not be read, one line each, for
     * status: the plan replaces them in place, and a line that stays after a pass that did so
     * names an entry the edit could not make readable. Foreign entries are not the director's
     * business and are left out.
     *
     * @param owned services owned before this plan; desired services count as owned
     */
    public static List<String> unreadableProblems(DesiredState desired, KernelTable actual, Set<VirtualServerKey> owned) {
        if (actual.unreadable().isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Unreadable odd : actual.unreadable().values()) {
            if (desired.services().containsKey(odd.service()) || owned.contains(odd.service())) {
                for (String line : odd.describe()) {
                    out.add("kernel entry " + line + " (cannot be read; edited in place to the desired settings, or deleted)");
                }
            }
        }
        return out;
    }

    private static void planRealServer(DesiredService ds, DesiredRealServer dd, RealServerStatus ad,
            DesiredState desired, boolean countsRead, List<PlanOp> adds, List<PlanOp> edits, List<PlanOp> deletes) {
        switch (dd.disposition()) {
            case ACTIVE:
            case FAIL_OPEN:
            case SORRY:
                if (ad == null) {
                    adds.add(PlanOp.addRealServer(ds.name(), ds.key(), dd.key(), dd.spec()));
                } else if (!ad.spec().equals(dd.spec())) {
                    edits.add(PlanOp.updateRealServer(ds.name(), ds.key(), dd.key(), dd.spec()));
                }
                break;
            case UNKNOWN:
                if (ad != null && !ad.spec().equals(dd.spec())) {
                    edits.add(PlanOp.updateRealServer(ds.name(), ds.key(), dd.key(), dd.spec()));
                }
                break;
            case DRAINING:
                if (ad == null) {
                    break;
                }
                boolean expired = !desired.at().isBefore(dd.drainDeadline());
                if (countsRead && ad.activeConns() + ad.inactiveConns() == 0 || expired) {
                    deletes.add(PlanOp.deleteRealServer(ds.name(), ds.key(), dd.key()));
                } else {
                    RealServerSpec zero = dd.spec().withWeight(0);
                    if (!ad.spec().equals(zero)) {
                        edits.add(PlanOp.updateRealServer(ds.name(), ds.key(), dd.key(), zero));
                    }
                }
                break;
            case FAILED:
                if (ad != null) {
                    deletes.add(PlanOp.deleteRealServer(ds.name(), ds.key(), dd.key()));
                }
                break;
            default:
                throw new IllegalStateException("unhandled disposition " + dd.disposition());
        }
    }

    /** The Maglev scheduler, whose lookup table depends on the order of the service's real servers. */
    static boolean isMaglev(String scheduler) {
        return MAGLEV.equals(scheduler);
    }

    private static final String MAGLEV = "mh";

    /**
     * Rewrites one {@code mh} service's real-server adds so that the kernel's list ends in canonical
     * order, {@link RealServerKey}'s natural order from the head.
     *
     * <p>Why: {@code ip_vs_mh_populate} lets the destinations take turns in list order to fill the
     * lookup table, so two directors with the same real servers in a different order hash the same flow
     * to different nodes, and ECMP moving a flow between them breaks it. The kernel's order is history:
     * an add (also a re-add from the trash) goes to the head ({@code list_add_rcu}), a delete leaves the
     * others in place.
     *
     * <p>How: after this plan's deletes and adds, the list is the added servers in reverse add order,
     * then the untouched survivors in their present order. So the untouched ones must be a suffix of
     * the canonical order that the kernel already holds in that order: take the longest such suffix
     * (feasibility shrinks with length, so greedy from the end is the longest), and delete and re-add
     * every other survivor. The adds, new and re-added, go in reverse canonical order, each re-add
     * after its delete; a re-add carries the spec the server ends with, replacing its edit. Nothing
     * is re-added when the order is already canonical.
     *
     * @param actual the kernel's service, {@code null} when this plan adds it
     * @param adds the service's adds so far; {@code edits} and {@code deletes} are edited in place
     * @return the adds to apply in their place: re-add deletes first, then every add
     */
    static List<PlanOp> canonicalOrder(DesiredService ds, KernelService actual, List<PlanOp> adds,
            List<PlanOp> edits, List<PlanOp> deletes) {
        Map<RealServerKey, RealServerSpec> finalSpec = new TreeMap<>();
        List<RealServerKey> kernelOrder = actual == null ? List.of() : actual.order();
        if (actual != null) {
            actual.realServers().forEach((k, v) -> finalSpec.put(k, v.spec()));
        }
        Set<RealServerKey> deleted = new HashSet<>();
        for (PlanOp op : deletes) {
            deleted.add(op.realServer());
            finalSpec.remove(op.realServer());
        }
        Set<RealServerKey> added = new HashSet<>();
        for (PlanOp op : adds) {
            added.add(op.realServer());
            finalSpec.put(op.realServer(), ((IpvsOp.AddRealServer) op.op()).realServer().spec());
        }
        for (PlanOp op : edits) {
            finalSpec.put(op.realServer(), ((IpvsOp.UpdateRealServer) op.op()).realServer().spec());
        }
        Map<RealServerKey, Integer> position = new HashMap<>();
        for (int i = 0; i < kernelOrder.size(); i++) {
            position.put(kernelOrder.get(i), i);
        }
        List<RealServerKey> canonical = new ArrayList<>(finalSpec.keySet());
        int keep = canonical.size(); // canonical[keep..] stays untouched
        int firstKept = Integer.MAX_VALUE;
        while (keep > 0) {
            RealServerKey k = canonical.get(keep - 1);
            Integer at = position.get(k);
            if (added.contains(k) || deleted.contains(k) || at == null || at >= firstKept) {
                break;
            }
            firstKept = at;
            keep--;
        }
        List<PlanOp> out = new ArrayList<>();
        Set<RealServerKey> readd = new HashSet<>();
        for (int i = 0; i < keep; i++) {
            RealServerKey k = canonical.get(i);
            if (!added.contains(k)) {
                readd.add(k);
                out.add(PlanOp.deleteRealServer(ds.name(), ds.key(), k));
            }
        }
        edits.removeIf(op -> readd.contains(op.realServer()));
        for (int i = keep - 1; i >= 0; i--) {
            RealServerKey k = canonical.get(i);
            out.add(PlanOp.addRealServer(ds.name(), ds.key(), k, finalSpec.get(k)));
        }
        return out;
    }
}
