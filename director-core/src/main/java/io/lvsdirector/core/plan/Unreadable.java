package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the kernel has under one service key but could not be read into the planner's records:
 * another tool set something the records cannot hold ({@code ipvsadm -M 255.0.255.0}, a weight of
 * 100000). The entry is there all the same, so the planner must not take it for absent: adding it
 * would meet {@code EEXIST} on every pass.
 *
 * @param service the service key
 * @param serviceReason why the service itself could not be read; empty when the service was read
 *     and only some of its real servers could not be (then the service is also in
 *     {@link KernelTable#services()}). A whole unreadable service's real servers are unknown.
 * @param realServers real servers of a readable service that could not be read, with the reason
 */
public record Unreadable(VirtualServerKey service, Optional<String> serviceReason,
        SortedMap<RealServerKey, String> realServers) {

    public Unreadable {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(serviceReason, "serviceReason");
        realServers = Collections.unmodifiableSortedMap(new TreeMap<>(realServers));
        if (serviceReason.isPresent() && !realServers.isEmpty()) {
            throw new IllegalArgumentException("the real servers of an unreadable service are not read");
        }
        if (serviceReason.isEmpty() && realServers.isEmpty()) {
            throw new IllegalArgumentException("nothing unreadable under " + service);
        }
    }

    /** The whole service could not be read. */
    public static Unreadable service(VirtualServerKey service, String reason) {
        return new Unreadable(service, Optional.of(reason), new TreeMap<>());
    }

    /** Whether the service itself could not be read (rather than some of its real servers). */
    public boolean wholeService() {
        return serviceReason.isPresent();
    }

    /** Each entry's identity: {@code tcp 10.0.0.1:80} for a whole service, else {@code tcp 10.0.0.1:80 -> 10.0.1.1:80}. */
    public List<String> describeKeys() {
        if (serviceReason.isPresent()) {
            return List.of(service.toString());
        }
        List<String> out = new ArrayList<>(realServers.size());
        realServers.keySet().forEach(k -> out.add(service + " -> " + k));
        return out;
    }

    /** One line per entry, e.g. {@code tcp 10.0.0.1:80 -> 10.0.1.1:80: weight 100000 out of range}. */
    public List<String> describe() {
        if (serviceReason.isPresent()) {
            return List.of(service + ": " + serviceReason.get());
        }
        List<String> out = new ArrayList<>(realServers.size());
        realServers.forEach((k, reason) -> out.add(service + " -> " + k + ": " + reason));
        return out;
    }
}
