package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The whole kernel table as read at the start of a pass (every service, not only the director's),
 * in ipvs-netlink's records, plus what only the director needs: the entries that could not be read
 * by service, and the table after each op it applies.
 *
 * @param services the services that could be read, with the real servers that could be read
 * @param unreadable by service key, what the kernel has there that could not be read: a whole
 *     service (then it is not in {@code services}) or some real servers of a service that is
 */
public record KernelTable(SortedMap<VirtualServerKey, KernelService> services,
        SortedMap<VirtualServerKey, Unreadable> unreadable) {

    public static final KernelTable EMPTY = new KernelTable(new TreeMap<>());

    public KernelTable {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        unreadable = unreadable.isEmpty() ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(unreadable));
        for (Unreadable u : unreadable.values()) {
            if (u.wholeService() && services.containsKey(u.service())) {
                throw new IllegalArgumentException("service " + u.service() + " both read and unreadable");
            }
        }
    }

    /** A table in which everything could be read. */
    public KernelTable(SortedMap<VirtualServerKey, KernelService> services) {
        this(services, Collections.emptySortedMap());
    }

    /**
     * The snapshot as the planner compares it with what it wants. Settings the director never writes
     * are read as it would write them, so a table read back equals the table written and a restart
     * plans nothing: no persistence engine, no tunnel settings beyond the method, and LOCAL (which the
     * kernel reports for an address of this host whatever was asked) as direct routing, the only
     * method the director asks for there. Firewall-mark services are left out: the director creates
     * none but its own probe paths ({@link #of(IpvsSnapshot, Predicate)}).
     */
    public static KernelTable of(IpvsSnapshot snapshot) {
        return of(snapshot, k -> false);
    }

    /**
     * As {@link #of(IpvsSnapshot)}, keeping the fwmark services {@code ownFwmark} accepts: the
     * director's internal probe paths ({@link VipPaths#isInternal(VirtualServerKey)}), which it plans
     * like any service. Without them in the table every pass would add them again (EEXIST).
     */
    public static KernelTable of(IpvsSnapshot snapshot, java.util.function.Predicate<VirtualServerKey> ownFwmark) {
        TreeMap<VirtualServerKey, KernelService> services = new TreeMap<>();
        for (IpvsSnapshot.Entry e : snapshot.entries()) {
            VirtualServerKey key = e.service().key();
            if (key.isFwmark() && !ownFwmark.test(key)) {
                continue;
            }
            TreeMap<RealServerKey, RealServerStatus> realServers = new TreeMap<>();
            List<RealServerKey> order = new ArrayList<>(e.realServers().size());
            for (RealServerStatus rs : e.realServers()) {
                realServers.put(rs.key(), new RealServerStatus(rs.key(), asWritten(rs.spec()),
                        Math.max(0, rs.activeConns()), Math.max(0, rs.inactiveConns()),
                        rs.persistentConns(), rs.stats()));
                order.add(rs.key()); // the dump's order is the kernel's list order
            }
            services.put(key, new KernelService(key, asWritten(e.service().spec()), realServers, order));
        }
        if (snapshot.unreadable().isEmpty()) {
            return new KernelTable(services);
        }
        return new KernelTable(services, unreadable(snapshot.unreadable()));
    }

    private static VirtualServerSpec asWritten(VirtualServerSpec spec) {
        VirtualServerSpec s = spec.persistenceEngine().isEmpty() ? spec : spec.withPersistenceEngine("");
        // Without persistence the netmask means nothing; the director writes 0 there.
        return s.persistent() || s.persistenceNetmaskBits() == 0 ? s : s.withPersistenceNetmask(0);
    }

    private static RealServerSpec asWritten(RealServerSpec spec) {
        Forwarding f = spec.forwarding() == Forwarding.LOCAL ? Forwarding.DIRECT_ROUTE : spec.forwarding();
        return RealServerSpec.of(f, spec.weight()).withThresholds(spec.upperThreshold(), spec.lowerThreshold());
    }

    /**
     * The snapshot's unreadable entries by service key. Entries without a usable key (an unknown
     * protocol, a firewall mark) cannot be a service the director writes and are left out; so is a
     * real server without a key, which no op could name.
     */
    static TreeMap<VirtualServerKey, Unreadable> unreadable(List<IpvsSnapshot.Unreadable> entries) {
        TreeMap<VirtualServerKey, Unreadable> out = new TreeMap<>();
        for (IpvsSnapshot.Unreadable u : entries) {
            if (u.serviceKey().isEmpty() || u.serviceKey().get().isFwmark()) {
                continue;
            }
            VirtualServerKey key = u.serviceKey().get();
            if (!u.isRealServer()) {
                out.put(key, Unreadable.service(key, u.reason()));
            } else if (u.realServerKey().isPresent()) {
                Unreadable before = out.get(key);
                if (before != null && before.wholeService()) {
                    continue;
                }
                TreeMap<RealServerKey, String> realServers =
                        new TreeMap<>(before == null ? Map.of() : before.realServers());
                realServers.put(u.realServerKey().get(), u.reason());
                out.put(key, new Unreadable(key, Optional.empty(), realServers));
            }
        }
        return out;
    }

    /** Whether the kernel has this service, readable or not. */
    public boolean hasService(VirtualServerKey key) {
        return services.containsKey(key) || unreadable.containsKey(key) && unreadable.get(key).wholeService();
    }

    /**
     * The table as it is after {@code op} succeeded: what status reports as the kernel's weight
     * without reading the kernel again. Connection counts of edited servers are kept; new servers
     * start at zero. An added server goes to the head of the service's list, as the kernel puts it
     * ({@code list_add_rcu} in {@code __ip_vs_update_dest}).
     *
     * <p>An unreadable entry stays unreadable after an edit (its connection counts, or a whole
     * service's real servers, are still unknown: only a read tells) and is gone after a delete.
     */
    public KernelTable after(IpvsOp op) {
        TreeMap<VirtualServerKey, KernelService> next = new TreeMap<>(services);
        SortedMap<VirtualServerKey, Unreadable> odd = unreadable;
        Unreadable u = unreadable.get(op.service());
        if (u != null) {
            // A delete, or an add that succeeded, says the kernel no longer has (had) the entry.
            if (op instanceof IpvsOp.DeleteService || op instanceof IpvsOp.AddService) {
                odd = new TreeMap<>(unreadable);
                odd.remove(op.service());
            } else if (op instanceof IpvsOp.DeleteRealServer del && u.realServers().containsKey(del.realServer())) {
                odd = new TreeMap<>(unreadable);
                TreeMap<RealServerKey, String> rest = new TreeMap<>(u.realServers());
                rest.remove(del.realServer());
                if (rest.isEmpty()) {
                    odd.remove(op.service());
                } else {
                    odd.put(op.service(), new Unreadable(u.service(), u.serviceReason(), rest));
                }
            }
        }
        if (op instanceof IpvsOp.AddService add) {
            next.put(add.service(), new KernelService(add.service(), add.virtualServer().spec(), new TreeMap<>(),
                    List.of()));
        } else if (op instanceof IpvsOp.UpdateService upd) {
            KernelService s = next.get(upd.service());
            if (s != null) {
                next.put(upd.service(), new KernelService(s.key(), upd.virtualServer().spec(), s.realServers(),
                        s.order()));
            }
        } else if (op instanceof IpvsOp.DeleteService del) {
            next.remove(del.service());
        } else if (op instanceof IpvsOp.AddRealServer add) {
            RealServer rs = add.realServer();
            editRealServers(next, add.service(), (d, order) -> {
                if (d.put(rs.key(), new RealServerStatus(rs.key(), rs.spec(), 0, 0, 0, Stats.ZERO)) == null) {
                    order.add(0, rs.key());
                }
            });
        } else if (op instanceof IpvsOp.UpdateRealServer upd) {
            RealServer rs = upd.realServer();
            editRealServers(next, upd.service(), (d, order) -> {
                RealServerStatus old = d.get(rs.key());
                if (old != null) {
                    d.put(rs.key(), new RealServerStatus(rs.key(), rs.spec(), old.activeConns(),
                            old.inactiveConns(), old.persistentConns(), old.stats()));
                }
            });
        } else if (op instanceof IpvsOp.DeleteRealServer del) {
            editRealServers(next, del.service(), (d, order) -> {
                d.remove(del.realServer());
                order.remove(del.realServer());
            });
        }
        return new KernelTable(next, odd);
    }

    private static void editRealServers(TreeMap<VirtualServerKey, KernelService> table, VirtualServerKey key,
            BiConsumer<TreeMap<RealServerKey, RealServerStatus>, List<RealServerKey>> edit) {
        KernelService s = table.get(key);
        if (s == null) {
            return;
        }
        TreeMap<RealServerKey, RealServerStatus> d = new TreeMap<>(s.realServers());
        List<RealServerKey> order = new ArrayList<>(s.order());
        edit.accept(d, order);
        table.put(key, new KernelService(key, s.spec(), d, order));
    }
}
