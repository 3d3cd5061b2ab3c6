package io.lvsdirector.api.ha;

import io.lvsdirector.core.ha.HaMeasurements;
import io.lvsdirector.core.ha.VrrpState;
import io.lvsdirector.ipvs.SyncDaemon;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;

/**
 * The HA counters: VRRP transitions as keepalived reported them, role changes of this director,
 * and the sync daemon starts and stops the reconcile loop made. The gauges (role, instance states,
 * daemons running) are read at scrape time by {@link HaCollector}. Thread-safe.
 */
public final class HaMetrics implements HaMeasurements {

    private final Counter transitions;
    private final Counter roleChanges;
    private final Counter daemonOps;

    public HaMetrics(PrometheusRegistry registry) {
        transitions = Counter.builder().name("lvs_director_ha_transitions_total")
                .help("VRRP state changes keepalived reported, by instance and from/to state (from=\"none\": first"
                        + " report).")
                .labelNames("vrrp_instance", "from", "to").register(registry);
        roleChanges = Counter.builder().name("lvs_director_ha_role_changes_total")
                .help("Times this director became master (of at least one VRRP instance) or backup (of all).")
                .labelNames("role").register(registry);
        daemonOps = Counter.builder().name("lvs_director_ha_sync_daemon_operations_total")
                .help("Connection sync daemon starts and stops by the reconcile loop, by daemon state and result"
                        + " (failed: refused by the kernel).")
                .labelNames("op", "state", "result").register(registry);
        roleChanges.labelValues("master");
        roleChanges.labelValues("backup");
        for (String op : new String[] {"start", "stop"}) {
            for (String state : new String[] {"master", "backup"}) {
                daemonOps.labelValues(op, state, "ok");
                daemonOps.labelValues(op, state, "failed");
            }
        }
    }

    @Override
    public void instanceTransition(String instance, VrrpState from, VrrpState to) {
        transitions.labelValues(instance, from == null ? "none" : lower(from), lower(to)).inc();
    }

    @Override
    public void roleChanged(boolean master) {
        roleChanges.labelValues(master ? "master" : "backup").inc();
    }

    @Override
    public void daemonOp(String op, SyncDaemon.State state, boolean ok) {
        daemonOps.labelValues(op, lower(state), ok ? "ok" : "failed").inc();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
