package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/** A virtual service and its real servers as the kernel has them. */
public record ActualService(
        VirtualServerKey key, ServiceConfig config, SortedMap<RealServerKey, ActualDestination> destinations) {

    public ActualService {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(config, "config");
        destinations = Collections.unmodifiableSortedMap(new TreeMap<>(destinations));
    }
}
