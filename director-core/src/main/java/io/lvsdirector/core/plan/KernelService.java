package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A virtual service and its real servers as the kernel has them, by real-server key so the planner
 * can look one up.
 *
 * @param key the service's identity
 * @param spec scheduler, flags and persistence, as {@link KernelTable#of} reads them
 * @param realServers the real servers with their specs and connection counts
 */
public record KernelService(
        VirtualServerKey key, VirtualServerSpec spec, SortedMap<RealServerKey, RealServerStatus> realServers) {

    public KernelService {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        realServers = Collections.unmodifiableSortedMap(new TreeMap<>(realServers));
    }
}
