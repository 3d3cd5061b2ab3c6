package io.lvsdirector.core.plan;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/** A virtual service and its real servers as the kernel has them. */
public record ActualService(
        ServiceKey key, ServiceConfig config, SortedMap<DestinationKey, ActualDestination> destinations) {

    public ActualService {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(config, "config");
        destinations = Collections.unmodifiableSortedMap(new TreeMap<>(destinations));
    }
}
