package io.lvsdirector.core.plan;

import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One virtual service as the director wants it in the kernel.
 *
 * @param name the service's name
 * @param key its kernel identity
 * @param spec scheduler, flags, persistence
 * @param realServers every candidate real server, including failed ones (so status can show them)
 * @param whenAllDown the all-down policy
 * @param allDown whether the policy is in force now: the service is below its quorum (with the default
 *     quorum of one: no candidate is healthy or unknown)
 * @param minHealthy the quorum: the fewest healthy real servers the service runs on
 * @param belowQuorumSince since when the service is below quorum, {@code null} while it is not
 */
public record DesiredService(
        String name,
        VirtualServerKey key,
        VirtualServerSpec spec,
        SortedMap<RealServerKey, DesiredRealServer> realServers,
        WhenAllDown whenAllDown,
        boolean allDown,
        int minHealthy,
        Instant belowQuorumSince) {

    public DesiredService {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(whenAllDown, "whenAllDown");
        if (allDown != (belowQuorumSince != null)) {
            throw new IllegalArgumentException("allDown and belowQuorumSince disagree");
        }
        realServers = Collections.unmodifiableSortedMap(new TreeMap<>(realServers));
        for (Map.Entry<RealServerKey, DesiredRealServer> e : realServers.entrySet()) {
            if (!e.getKey().equals(e.getValue().key())) {
                throw new IllegalArgumentException("real server map key differs from its value's key: " + e.getKey());
            }
        }
    }
}
