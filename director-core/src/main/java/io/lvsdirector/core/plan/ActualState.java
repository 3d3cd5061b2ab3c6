package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The whole kernel table as read at the start of a pass (every service, not only the director's).
 *
 * @param services the services that could be read, with the real servers that could be read
 * @param unreadable by service key, what the kernel has there that could not be read: a whole
 *     service (then it is not in {@code services}) or some real servers of a service that is
 */
public record ActualState(SortedMap<VirtualServerKey, ActualService> services,
        SortedMap<VirtualServerKey, Unreadable> unreadable) {

    public static final ActualState EMPTY = new ActualState(new TreeMap<>());

    public ActualState {
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
    public ActualState(SortedMap<VirtualServerKey, ActualService> services) {
        this(services, Collections.emptySortedMap());
    }

    /** Whether the kernel has this service, readable or not. */
    public boolean hasService(VirtualServerKey key) {
        return services.containsKey(key) || unreadable.containsKey(key) && unreadable.get(key).wholeService();
    }

    /**
     * The table as it is after {@code op} succeeded: what status reports as the kernel's weight
     * without reading the kernel again. Connection counts of edited servers are kept; new servers
     * start at zero.
     *
     * <p>An unreadable entry stays unreadable after an edit (its connection counts, or a whole
     * service's real servers, are still unknown: only a read tells) and is gone after a delete.
     */
    public ActualState after(PlanOp op) {
        TreeMap<VirtualServerKey, ActualService> next = new TreeMap<>(services);
        SortedMap<VirtualServerKey, Unreadable> odd = unreadable;
        Unreadable u = unreadable.get(op.service());
        if (u != null) {
            // A delete, or an add that succeeded, says the kernel no longer has (had) the entry.
            if (op instanceof PlanOp.DeleteService || op instanceof PlanOp.AddService) {
                odd = new TreeMap<>(unreadable);
                odd.remove(op.service());
            } else if (op instanceof PlanOp.DeleteDestination del && u.destinations().containsKey(del.destination())) {
                odd = new TreeMap<>(unreadable);
                TreeMap<RealServerKey, String> rest = new TreeMap<>(u.destinations());
                rest.remove(del.destination());
                if (rest.isEmpty()) {
                    odd.remove(op.service());
                } else {
                    odd.put(op.service(), new Unreadable(u.service(), u.serviceReason(), rest));
                }
            }
        }
        if (op instanceof PlanOp.AddService add) {
            next.put(add.service(), new ActualService(add.service(), add.config(), new TreeMap<>()));
        } else if (op instanceof PlanOp.UpdateService upd) {
            ActualService s = next.get(upd.service());
            if (s != null) {
                next.put(upd.service(), new ActualService(s.key(), upd.config(), s.destinations()));
            }
        } else if (op instanceof PlanOp.DeleteService del) {
            next.remove(del.service());
        } else if (op instanceof PlanOp.AddDestination add) {
            editDestinations(next, add.service(), d -> d.put(add.destination(),
                    new ActualDestination(add.destination(), add.config(), 0, 0)));
        } else if (op instanceof PlanOp.UpdateDestination upd) {
            editDestinations(next, upd.service(), d -> {
                ActualDestination old = d.get(upd.destination());
                if (old != null) {
                    d.put(upd.destination(), new ActualDestination(upd.destination(), upd.config(),
                            old.activeConnections(), old.inactiveConnections()));
                }
            });
        } else if (op instanceof PlanOp.DeleteDestination del) {
            editDestinations(next, del.service(), d -> d.remove(del.destination()));
        }
        return new ActualState(next, odd);
    }

    private static void editDestinations(TreeMap<VirtualServerKey, ActualService> table, VirtualServerKey key,
            java.util.function.Consumer<TreeMap<RealServerKey, ActualDestination>> edit) {
        ActualService s = table.get(key);
        if (s == null) {
            return;
        }
        TreeMap<RealServerKey, ActualDestination> d = new TreeMap<>(s.destinations());
        edit.accept(d);
        table.put(key, new ActualService(key, s.config(), d));
    }
}
