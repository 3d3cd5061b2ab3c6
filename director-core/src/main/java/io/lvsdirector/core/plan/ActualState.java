package io.lvsdirector.core.plan;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The whole kernel table as read at the start of a pass (every service, not only the director's).
 */
public record ActualState(SortedMap<ServiceKey, ActualService> services) {

    public static final ActualState EMPTY = new ActualState(new TreeMap<>());

    public ActualState {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    }

    /**
     * The table as it is after {@code op} succeeded: what status reports as the kernel's weight
     * without reading the kernel again. Connection counts of edited servers are kept; new servers
     * start at zero.
     */
    public ActualState after(PlanOp op) {
        TreeMap<ServiceKey, ActualService> next = new TreeMap<>(services);
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
        return new ActualState(next);
    }

    private static void editDestinations(TreeMap<ServiceKey, ActualService> table, ServiceKey key,
            java.util.function.Consumer<TreeMap<DestinationKey, ActualDestination>> edit) {
        ActualService s = table.get(key);
        if (s == null) {
            return;
        }
        TreeMap<DestinationKey, ActualDestination> d = new TreeMap<>(s.destinations());
        edit.accept(d);
        table.put(key, new ActualService(key, s.config(), d));
    }
}
