package io.lvsdirector.core.plan;

import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
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
 * @param config scheduler, flags, persistence
 * @param destinations every candidate real server, including failed ones (so status can show them)
 * @param whenAllDown the all-down policy
 * @param allDown whether the policy is in force now (no candidate is healthy or unknown)
 */
public record DesiredService(
        String name,
        VirtualServerKey key,
        ServiceConfig config,
        SortedMap<RealServerKey, DesiredDestination> destinations,
        WhenAllDown whenAllDown,
        boolean allDown) {

    public DesiredService {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(whenAllDown, "whenAllDown");
        destinations = Collections.unmodifiableSortedMap(new TreeMap<>(destinations));
        for (Map.Entry<RealServerKey, DesiredDestination> e : destinations.entrySet()) {
            if (!e.getKey().equals(e.getValue().key())) {
                throw new IllegalArgumentException("destination map key differs from its value's key: " + e.getKey());
            }
        }
    }
}
