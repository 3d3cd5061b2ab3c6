package io.lvsdirector.ipvs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole IPVS table at one reading: every service with its real servers, in kernel order.
 *
 * <p>The kernel offers no atomic read of the table: a reader dumps the services, then the real
 * servers of each. A service changed by another writer between the two steps shows its newer real
 * servers, and a service deleted in between shows none. The director is the table's one writer,
 * so for it a snapshot is consistent.
 */
public final class IpvsSnapshot {

    /** A service and its real servers. */
    public record Entry(VirtualServerStatus service, List<RealServerStatus> realServers) {
        public Entry {
            Objects.requireNonNull(service, "service");
            realServers = List.copyOf(realServers);
        }
    }

    private final Map<VirtualServerKey, Entry> entries;

    /**
     * @throws IllegalArgumentException if two entries share a service key
     */
    public IpvsSnapshot(List<Entry> entries) {
        Map<VirtualServerKey, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (m.put(e.service().key(), e) != null) {
                throw new IllegalArgumentException("service " + e.service().key() + " listed twice");
            }
        }
        this.entries = Collections.unmodifiableMap(m);
    }

    /** An empty table. */
    public static IpvsSnapshot empty() {
        return new IpvsSnapshot(List.of());
    }

    /** Every entry, in kernel order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** Every service, in kernel order. */
    public List<VirtualServerStatus> services() {
        List<VirtualServerStatus> out = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            out.add(e.service());
        }
        return out;
    }

    /** The service with this key. */
    public Optional<VirtualServerStatus> service(VirtualServerKey key) {
        Entry e = entries.get(key);
        return e == null ? Optional.empty() : Optional.of(e.service());
    }

    /** The real servers of a service; empty if the service is absent. */
    public List<RealServerStatus> realServers(VirtualServerKey key) {
        Entry e = entries.get(key);
        return e == null ? List.of() : e.realServers();
    }

    /** Services by key, keys in kernel order. */
    public Map<VirtualServerKey, Entry> byKey() {
        return entries;
    }

    /** Number of services. */
    public int size() {
        return entries.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpvsSnapshot s && s.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "IpvsSnapshot" + entries.values();
    }
}
