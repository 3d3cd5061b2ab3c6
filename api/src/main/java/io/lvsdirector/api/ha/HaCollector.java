package io.lvsdirector.api.ha;

import io.lvsdirector.core.ha.DaemonView;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.HaStatus;
import io.lvsdirector.core.ha.InstanceState;
import io.lvsdirector.core.ha.VrrpState;
import io.lvsdirector.ipvs.SyncDaemon;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * HA gauges read at scrape time: whether HA is on, this director's role, each VRRP instance's state
 * (one series per state, 1 for the current one, so {@code lvs_director_ha_instance_state{state="master"} == 1}
 * selects the instances this director holds), the sync daemons the kernel runs (as the loop's thread
 * last read them: a scrape never reads the kernel) and whether they are as wanted. The kernel daemons are exported with HA off too:
 * a daemon someone else started is worth seeing. Thread-safe: no state between scrapes.
 */
public final class HaCollector implements MultiCollector {

    private final Supplier<Optional<DaemonView>> daemons;
    private final HaController ha;

    /**
     * @param daemons the sync daemons as the loop's thread last read them, used with HA off (with HA
     *     on, the controller's own reading is used)
     * @param ha the controller, or {@code null} with HA off
     */
    public HaCollector(Supplier<Optional<DaemonView>> daemons, HaController ha) {
        this.daemons = Objects.requireNonNull(daemons, "daemons");
        this.ha = ha;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge("lvs_director_ha_enabled", "1 if the director runs the IPVS connection sync daemons (ha.enabled)",
                Map.of(Labels.EMPTY, ha == null ? 0.0 : 1.0)));
        DaemonView read = ha != null ? ha.daemonView() : daemons.get().orElse(null);
        List<SyncDaemon> kernel = read == null ? null : read.daemons();
        if (kernel != null) {
            Map<Labels, Double> running = new LinkedHashMap<>();
            for (SyncDaemon.State s : SyncDaemon.State.values()) {
                boolean on = kernel.stream().anyMatch(d -> d.state() == s);
                running.put(Labels.of("state", lower(s)), on ? 1.0 : 0.0);
            }
            out.add(gauge("lvs_director_ha_sync_daemon_running",
                    "1 while the kernel runs a connection sync daemon in this state (ipvsadm -L --daemon)", running));
        }
        if (ha == null) {
            return new MetricSnapshots(out);
        }
        HaStatus st = ha.status();
        out.add(gauge("lvs_director_ha_master",
                "1 while this director is VRRP MASTER of at least one instance (it runs the master sync daemon)",
                Map.of(Labels.EMPTY, st.master() ? 1.0 : 0.0)));
        Map<Labels, Double> states = new LinkedHashMap<>();
        for (Map.Entry<String, InstanceState> e : st.instances().entrySet()) {
            for (VrrpState s : VrrpState.values()) {
                states.put(Labels.of("vrrp_instance", e.getKey(), "state", lower(s)), e.getValue().state() == s ? 1.0 : 0.0);
            }
        }
        out.add(gauge("lvs_director_ha_instance_state",
                "1 for the VRRP state keepalived last reported for the instance, 0 for the others", states));
        if (kernel != null) {
            out.add(gauge("lvs_director_ha_sync_daemons_in_step",
                    "1 if the kernel's sync daemons are the wanted ones (interface, sync id, states)",
                    Map.of(Labels.EMPTY, st.inStep() ? 1.0 : 0.0)));
        }
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot gauge(String name, String help, Map<Labels, Double> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach((labels, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(v).build()));
        return b.build();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
