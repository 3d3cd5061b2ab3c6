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
 *
 * <p>The table is shared with other tools (kube-proxy, hand-made services), which can write entries
 * the public records cannot hold: an IPv4 persistence netmask that is not a prefix
 * ({@code ipvsadm -M 255.0.255.0}), a weight above 65535, tunnel settings the records refuse. Such an
 * entry is left out of {@link #entries()} and listed in {@link #unreadable()} instead, so one odd
 * foreign entry never hides the rest of the table. A service left out takes its real servers with
 * it (they are not read); a real server left out leaves its service in, with the real servers that
 * could be read. A caller that acts on a service should check {@link #isComplete(VirtualServerKey)}
 * first: an entry it cannot see may still be in the kernel.
 */
public final class IpvsSnapshot {

    /** A service and its real servers. */
    public record Entry(VirtualServerStatus service, List<RealServerStatus> realServers) {
        public Entry {
            Objects.requireNonNull(service, "service");
            realServers = List.copyOf(realServers);
        }
    }

    /**
     * A service or real server the kernel has but the public records cannot hold, so it is not in
     * {@link #entries()}.
     *
     * @param service the service as ipvsadm prints it ({@code TCP 198.18.0.100:80}), as far as the
     *     kernel's reply could be read; for an unknown protocol or odd address it is the raw
     *     numbers, never empty
     * @param serviceKey the service's key when it is representable (the usual case: it is the
     *     service's settings or one real server that does not fit)
     * @param realServer the real server as text ({@code 198.18.0.21:80}) when the entry is a real
     *     server; empty when the whole service is unreadable
     * @param realServerKey the real server's key, when representable
     * @param reason why the records refuse it, e.g. {@code weight 100000 out of range 0..65535}
     */
    public record Unreadable(String service, Optional<VirtualServerKey> serviceKey,
            Optional<String> realServer, Optional<RealServerKey> realServerKey, String reason) {

        public Unreadable {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(serviceKey, "serviceKey");
            Objects.requireNonNull(realServer, "realServer");
            Objects.requireNonNull(realServerKey, "realServerKey");
            Objects.requireNonNull(reason, "reason");
            if (service.isBlank() || reason.isBlank()) {
                throw new IllegalArgumentException("an unreadable entry needs its service text and a reason");
            }
            if (realServerKey.isPresent() && realServer.isEmpty()) {
                throw new IllegalArgumentException("a real server key without its text");
            }
        }

        /** A whole service that cannot be represented. */
        public static Unreadable service(String service, Optional<VirtualServerKey> key, String reason) {
            return new Unreadable(service, key, Optional.empty(), Optional.empty(), reason);
        }

        /** One real server, of a readable service, that cannot be represented. */
        public static Unreadable realServer(VirtualServerKey service, String realServer,
                Optional<RealServerKey> realServerKey, String reason) {
            return new Unreadable(service.toString(), Optional.of(service), Optional.of(realServer),
                    realServerKey, reason);
        }

        /** Whether this is a single real server rather than a whole service. */
        public boolean isRealServer() {
            return realServer.isPresent();
        }

        /** {@code TCP 198.18.0.100:80 -> 198.18.0.21:80: weight 100000 out of range 0..65535}. */
        @Override
        public String toString() {
            return service + realServer.map(r -> " -> " + r).orElse("") + ": " + reason;
        }
    }

    private final Map<VirtualServerKey, Entry> entries;
    private final List<Unreadable> unreadable;

    /**
     * A table in which every entry could be read.
     *
     * @throws IllegalArgumentException if two entries share a service key
     */
    public IpvsSnapshot(List<Entry> entries) {
        this(entries, List.of());
    }

    /**
     * A table and the entries of it that could not be represented.
     *
     * @throws IllegalArgumentException if two entries share a service key, or an unreadable whole
     *     service has the key of a listed entry (it cannot be both read and unreadable)
     */
    public IpvsSnapshot(List<Entry> entries, List<Unreadable> unreadable) {
        Map<VirtualServerKey, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (m.put(e.service().key(), e) != null) {
                throw new IllegalArgumentException("service " + e.service().key() + " listed twice");
            }
        }
        this.entries = Collections.unmodifiableMap(m);
        this.unreadable = List.copyOf(unreadable);
        for (Unreadable u : this.unreadable) {
            if (!u.isRealServer() && u.serviceKey().isPresent() && m.containsKey(u.serviceKey().get())) {
                throw new IllegalArgumentException("service " + u.service() + " listed both as read and as unreadable");
            }
        }
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

    /**
     * The services and real servers the kernel has but the public records cannot hold: unreadable
     * services first, then unreadable real servers service by service, each in kernel order. They
     * are in no other view of this snapshot. Empty when the whole table was read.
     */
    public List<Unreadable> unreadable() {
        return unreadable;
    }

    /**
     * Whether everything the kernel has under this service key is in this snapshot: no unreadable
     * entry names it, neither the service itself nor one of its real servers. A planner that finds
     * this false should not conclude that what it cannot see is absent (adding it would meet
     * {@code EEXIST}).
     */
    public boolean isComplete(VirtualServerKey key) {
        for (Unreadable u : unreadable) {
            if (u.serviceKey().filter(key::equals).isPresent()) {
                return false;
            }
        }
        return true;
    }

    /** Number of services. */
    public int size() {
        return entries.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpvsSnapshot s && s.entries.equals(entries) && s.unreadable.equals(unreadable);
    }

    @Override
    public int hashCode() {
        return 31 * entries.hashCode() + unreadable.hashCode();
    }

    @Override
    public String toString() {
        return "IpvsSnapshot" + entries.values() + (unreadable.isEmpty() ? "" : " unreadable" + unreadable);
    }
}
