package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A virtual service and its real servers as the kernel has them, by real-server key so the planner
 * can look one up, and in the kernel's list order.
 *
 * @param key the service's identity
 * @param spec scheduler, flags and persistence, as {@link KernelTable#of} reads them
 * @param realServers the real servers with their specs and connection counts
 * @param order the keys of {@code realServers} in the kernel's list order ({@code svc->destinations},
 *     which the netlink dump walks head first). The {@code mh} scheduler builds its lookup table from
 *     this order, so the planner keeps it canonical for {@code mh} services
 */
public record KernelService(
        VirtualServerKey key, VirtualServerSpec spec, SortedMap<RealServerKey, RealServerStatus> realServers,
        List<RealServerKey> order) {

    public KernelService {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        realServers = Collections.unmodifiableSortedMap(new TreeMap<>(realServers));
        order = List.copyOf(order);
        if (order.size() != realServers.size() || !new HashSet<>(order).equals(realServers.keySet())) {
            throw new IllegalArgumentException("order " + order + " is not the real servers " + realServers.keySet());
        }
    }

    /** A service whose kernel list is in key order (the canonical order). */
    public KernelService(VirtualServerKey key, VirtualServerSpec spec,
            SortedMap<RealServerKey, RealServerStatus> realServers) {
        this(key, spec, realServers, List.copyOf(realServers.keySet()));
    }
}
