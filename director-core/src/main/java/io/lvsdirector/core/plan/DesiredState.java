package io.lvsdirector.core.plan;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The output of {@link DesiredStateBuilder#build}: the table the director wants, plus what the next
 * build and the probes need.
 *
 * @param at the instant the state was built for (the planner's "now")
 * @param services the wanted services by kernel identity
 * @param drainStarts when each currently draining real server began draining; pass it to the next
 *     build so the drain deadline does not move
 * @param probeTargets every (address, check) the probes must watch
 * @param problems config problems found while building (two services with one key, ...), one line each
 * @param quorumMemory per service, what the next build must know of its quorum: pass it on, as
 *     {@code drainStarts}; it holds the services below quorum and since when (the hysteresis needs it:
 *     a service below quorum needs {@code minHealthy + hysteresis} to be back), and the rotation a
 *     keep-last-healthy service keeps
 */
public record DesiredState(
        Instant at,
        SortedMap<VirtualServerKey, DesiredService> services,
        Map<DrainKey, Instant> drainStarts,
        Set<ProbeTarget> probeTargets,
        List<String> problems,
        Map<VirtualServerKey, QuorumMemo> quorumMemory) {

    public DesiredState {
        Objects.requireNonNull(at, "at");
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        drainStarts = Map.copyOf(drainStarts);
        probeTargets = Set.copyOf(probeTargets);
        problems = List.copyOf(problems);
        quorumMemory = quorumMemory == null ? Map.of() : Map.copyOf(quorumMemory);
    }

    /** The services below quorum, with since when. */
    public Map<VirtualServerKey, Instant> belowQuorum() {
        Map<VirtualServerKey, Instant> out = new java.util.HashMap<>();
        quorumMemory.forEach((k, m) -> {
            if (m.belowSince() != null) {
                out.put(k, m.belowSince());
            }
        });
        return out;
    }
}
