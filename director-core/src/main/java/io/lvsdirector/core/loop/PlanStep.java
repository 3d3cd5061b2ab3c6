package io.lvsdirector.core.loop;

import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.plan.DesiredService;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.plan.Plan;
import io.lvsdirector.core.plan.Planner;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The planning step of a pass, shared by the loop and every dry run ({@code /v1/plan}, the
 * {@code plan} command) so that they cannot disagree: the ownership rule, then {@link Planner}.
 *
 * <p>Ownership rule: a desired service the director owns is planned. One it does not own is
 * <em>claimed</em> (to be saved as owned before its ops are applied) when the kernel does not have it,
 * or when it does and the spec says {@code adopt: true}, or when ownership was never recorded (an
 * upgrade from a version that did not record it: what it ran is adopted as before). Any other desired
 * service whose protocol:VIP:port the kernel has is <em>foreign</em>: someone else's (kube-proxy, a
 * hand-made {@code ipvsadm} service), not planned at all. Only owned services are ever deleted.
 *
 * <p>Pure and thread-safe.
 */
public final class PlanStep {

    private PlanStep() {
    }

    /**
     * @param plan the ops, foreign services left out
     * @param claims desired services not owned yet that the plan creates or adopts: save them as owned first
     * @param foreign desired services (name by key) the kernel has and the director does not own
     */
    public record Result(Plan plan, Set<VirtualServerKey> claims, Map<VirtualServerKey, String> foreign) {
        public Result {
            claims = Set.copyOf(claims);
            foreign = Map.copyOf(foreign);
        }
    }

    /**
     * @param owned what the director owns now
     * @param ownershipRecorded whether ownership was ever saved; while not, desired services found in
     *     the kernel are adopted
     * @param adopt desired services whose spec says {@code adopt: true}
     * @param only as in {@link Planner#plan(DesiredState, KernelTable, Set, Set)}: plan these services
     *     only and delete none, or {@code null} for every service
     */
    public static Result plan(DesiredState desired, KernelTable actual, Set<VirtualServerKey> owned,
            boolean ownershipRecorded, Set<VirtualServerKey> adopt, Set<VirtualServerKey> only) {
        return plan(desired, actual, owned, ownershipRecorded, adopt, only, true);
    }

    /**
     * @param countsRead as in {@link Planner#plan(DesiredState, KernelTable, Set, Set, boolean)}: whether
     *     {@code actual} was read from the kernel in this pass
     */
    public static Result plan(DesiredState desired, KernelTable actual, Set<VirtualServerKey> owned,
            boolean ownershipRecorded, Set<VirtualServerKey> adopt, Set<VirtualServerKey> only, boolean countsRead) {
        Set<VirtualServerKey> claims = new HashSet<>();
        Map<VirtualServerKey, String> foreign = new LinkedHashMap<>();
        for (DesiredService ds : desired.services().values()) {
            VirtualServerKey k = ds.key();
            if (owned.contains(k) || only != null && !only.contains(k)) {
                continue;
            }
            if (!actual.hasService(k) || adopt.contains(k) || !ownershipRecorded) {
                claims.add(k);
            } else {
                foreign.put(k, ds.name());
            }
        }
        DesiredState planned = desired;
        if (!foreign.isEmpty()) {
            TreeMap<VirtualServerKey, DesiredService> kept = new TreeMap<>(desired.services());
            kept.keySet().removeAll(foreign.keySet());
            planned = new DesiredState(desired.at(), kept, desired.drainStarts(), desired.probeTargets(),
                    desired.problems(), desired.quorumMemory());
        }
        Set<VirtualServerKey> own;
        if (claims.isEmpty()) {
            own = owned;
        } else {
            own = new HashSet<>(owned);
            own.addAll(claims);
        }
        return new Result(Planner.plan(planned, actual, own, only, countsRead), claims, foreign);
    }

    /** The keys of the specs that say {@code adopt: true}. */
    public static Set<VirtualServerKey> adoptKeys(Collection<ServiceSpec> specs) {
        Set<VirtualServerKey> out = new HashSet<>();
        for (ServiceSpec s : specs) {
            if (s.adopt()) {
                out.add(s.service().key());
            }
        }
        return out;
    }
}
