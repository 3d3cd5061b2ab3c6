package io.lvsdirector.api.metrics;

import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.KernelView;
import io.lvsdirector.core.status.RealServerReport;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.k8s.KubernetesNodeSource;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Metrics read at scrape time from what the reconcile loop published: the kernel table as its last
 * read saw it (never read by a scrape; its age is {@code lvs_director_kernel_view_age_seconds}) and
 * its last status.
 *
 * <h2>Kernel metrics and node_exporter</h2>
 * Named after node_exporter's IPVS collector with the {@code lvs_director_ipvs_} prefix instead of
 * {@code node_ipvs_}, with its label names ({@code local_address}, {@code local_port},
 * {@code local_mark}, {@code proto}, {@code remote_address}, {@code remote_port}) plus
 * {@code service}, the director's name for the service ({@code ""} for a kernel service the
 * director does not manage). node_exporter's backend gauges map one to one
 * ({@code node_ipvs_backend_connections_active} → {@code lvs_director_ipvs_backend_connections_active},
 * {@code ..._inactive}, {@code ..._weight}); its global counters
 * ({@code node_ipvs_connections_total}, {@code ..._incoming_packets_total}, ...) are the
 * {@code sum()} of the per-service counters here ({@code lvs_director_ipvs_service_connections_total}, ...).
 * Per-backend counters, which node_exporter lacks, are {@code lvs_director_ipvs_backend_*_total}.
 *
 * <p>Thread-safe: it keeps no state between scrapes.
 */
public final class DirectorCollector implements MultiCollector {

    private static final String[] SERVICE_LABELS = {"service", "local_address", "local_port", "local_mark", "proto"};
    private static final String[] BACKEND_LABELS = {"service", "local_address", "local_port", "local_mark", "proto",
        "remote_address", "remote_port"};
    private static final String[] DIRECTOR_LABELS = {"service", "remote_address", "remote_port"};

    private record CounterDef(String name, String help, ToLongFunction<Stats> value) {}

    private static final List<CounterDef> COUNTERS = List.of(
            new CounterDef("connections", "Connections scheduled", Stats::conns),
            new CounterDef("incoming_packets", "Packets from clients", Stats::inPkts),
            new CounterDef("outgoing_packets", "Packets to clients (0 under direct routing: replies bypass the"
                    + " director)", Stats::outPkts),
            new CounterDef("incoming_bytes", "Bytes from clients", Stats::inBytes),
            new CounterDef("outgoing_bytes", "Bytes to clients", Stats::outBytes));

    private final Director director;
    private final KubernetesNodeSource kubernetes;

    /** @param kubernetes the node source to report the sync age of, or {@code null} without Kubernetes */
    public DirectorCollector(Director director, KubernetesNodeSource kubernetes) {
        this.director = Objects.requireNonNull(director, "director");
        this.kubernetes = kubernetes;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        // Only what the director owns carries its name: a kernel service someone else owns on the key
        // of a desired one (not adopted) is still someone else's, so "" as for any foreign service.
        Map<VirtualServerKey, String> names = new HashMap<>();
        java.util.Set<VirtualServerKey> owned = director.loop().owned();
        for (ServiceSpec s : director.store().services()) {
            VirtualServerKey key = s.service().key();
            if (owned.contains(key)) {
                names.put(key, s.name());
            }
        }
        // The loop's last reading: a scrape never reads the kernel (a dump of 5,000 real servers
        // would hold the loop's socket for a second or more).
        KernelView view = director.loop().kernelView().orElse(null);
        boolean readOk = view != null && director.loop().kernelReadError().isEmpty();
        out.add(gauge("lvs_director_kernel_read_ok",
                "1 if the reconcile loop's last read of the kernel's IPVS table succeeded, else 0",
                Map.of(Labels.EMPTY, readOk ? 1.0 : 0.0)));
        if (view != null) {
            out.add(gauge("lvs_director_kernel_view_age_seconds",
                    "Seconds since the reconcile loop read the kernel table the lvs_director_ipvs_* series come from",
                    Map.of(Labels.EMPTY, view.age(director.clock()).toMillis() / 1000.0)));
            kernelMetrics(view.snapshot(), names, out);
        }
        directorMetrics(director.loop().status(), out);
        out.add(gauge("lvs_director_state_version", "Version of the desired state (grows by one per change)",
                Map.of(Labels.EMPTY, (double) director.store().version())));
        if (kubernetes != null) {
            var age = kubernetes.syncAge();
            out.add(gauge("lvs_director_kubernetes_sync_age_seconds",
                    "Seconds since the node informers last heard from the API server",
                    Map.of(Labels.EMPTY, age == null ? Double.NaN : age.toMillis() / 1000.0)));
            out.add(gauge("lvs_director_kubernetes_connected", "1 while every node watch is connected",
                    Map.of(Labels.EMPTY, kubernetes.connected() ? 1.0 : 0.0)));
        }
        return new MetricSnapshots(out);
    }

    private static void kernelMetrics(IpvsSnapshot kernel, Map<VirtualServerKey, String> names,
            List<MetricSnapshot> out) {
        Map<String, Map<Labels, Double>> serviceCounters = new LinkedHashMap<>();
        Map<String, Map<Labels, Double>> backendCounters = new LinkedHashMap<>();
        Map<Labels, Double> active = new LinkedHashMap<>();
        Map<Labels, Double> inactive = new LinkedHashMap<>();
        Map<Labels, Double> weight = new LinkedHashMap<>();
        for (IpvsSnapshot.Entry e : kernel.entries()) {
            VirtualServerKey k = e.service().key();
            String[] sv = serviceValues(k, names.getOrDefault(k, ""));
            Labels sl = Labels.of(SERVICE_LABELS, sv);
            for (CounterDef c : COUNTERS) {
                serviceCounters.computeIfAbsent(c.name(), x -> new LinkedHashMap<>())
                        .put(sl, (double) c.value().applyAsLong(e.service().stats()));
            }
            for (RealServerStatus rs : e.realServers()) {
                String[] bv = java.util.Arrays.copyOf(sv, BACKEND_LABELS.length);
                bv[5] = IpAddresses.toText(rs.key().address());
                bv[6] = Integer.toString(rs.key().port());
                Labels bl = Labels.of(BACKEND_LABELS, bv);
                active.put(bl, (double) rs.activeConns());
                inactive.put(bl, (double) rs.inactiveConns());
                weight.put(bl, (double) rs.spec().weight());
                for (CounterDef c : COUNTERS) {
                    backendCounters.computeIfAbsent(c.name(), x -> new LinkedHashMap<>())
                            .put(bl, (double) c.value().applyAsLong(rs.stats()));
                }
            }
        }
        for (CounterDef c : COUNTERS) {
            out.add(counter("lvs_director_ipvs_service_" + c.name(), c.help() + ", per virtual service (kernel counter)",
                    serviceCounters.getOrDefault(c.name(), Map.of())));
            out.add(counter("lvs_director_ipvs_backend_" + c.name(), c.help() + ", per real server (kernel counter)",
                    backendCounters.getOrDefault(c.name(), Map.of())));
        }
        out.add(gauge("lvs_director_ipvs_backend_connections_active", "Active connections per real server (ActiveConn)",
                active));
        out.add(gauge("lvs_director_ipvs_backend_connections_inactive", "Inactive connections per real server (InActConn)",
                inactive));
        out.add(gauge("lvs_director_ipvs_backend_weight", "Weight of the real server in the kernel", weight));
    }

    private static void directorMetrics(DirectorStatus status, List<MetricSnapshot> out) {
        Map<Labels, Double> health = new LinkedHashMap<>();
        Map<Labels, Double> desired = new LinkedHashMap<>();
        Map<Labels, Double> kernelWeight = new LinkedHashMap<>();
        Map<Labels, Double> allDown = new LinkedHashMap<>();
        for (ServiceStatus s : status.services()) {
            allDown.put(Labels.of("service", s.name(), "policy", s.whenAllDown()), s.allDown() ? 1.0 : 0.0);
            for (RealServerReport d : s.realServers()) {
                String[] v = {s.name(), IpAddresses.toText(d.address()), Integer.toString(d.port())};
                for (HealthState h : HealthState.values()) {
                    String[] hv = java.util.Arrays.copyOf(v, 4);
                    hv[3] = h.name().toLowerCase(Locale.ROOT);
                    health.put(Labels.of(new String[] {"service", "remote_address", "remote_port", "state"}, hv),
                            d.health() == h ? 1.0 : 0.0);
                }
                Labels l = Labels.of(DIRECTOR_LABELS, v);
                if (d.desiredWeight() != null) {
                    desired.put(l, (double) d.desiredWeight());
                }
                if (d.kernelWeight() != null) {
                    kernelWeight.put(l, (double) d.kernelWeight());
                }
            }
        }
        out.add(gauge("lvs_director_backend_health",
                "1 for the real server's current health state (unknown, healthy, draining, failed), 0 for the others",
                health));
        out.add(gauge("lvs_director_backend_desired_weight",
                "Weight the director wants in the kernel; absent while it wants the real server out", desired));
        out.add(gauge("lvs_director_backend_kernel_weight",
                "Weight the kernel had after the last reconcile pass; absent while the real server is not in it",
                kernelWeight));
        out.add(gauge("lvs_director_service_all_down",
                "1 while the service is below its minHealthy quorum (by default: none of its real servers is healthy)"
                        + " and its whenAllDown policy is in force",
                allDown));
        out.add(gauge("lvs_director_last_pass_ok", "1 if the last reconcile pass applied every operation",
                Map.of(Labels.EMPTY, status.lastPassOk() ? 1.0 : 0.0)));
        if (status.lastPassAt() != null) {
            out.add(gauge("lvs_director_last_pass_timestamp_seconds", "Unix time the last reconcile pass began",
                    Map.of(Labels.EMPTY, status.lastPassAt().toEpochMilli() / 1000.0)));
        }
    }

    private static String[] serviceValues(VirtualServerKey k, String name) {
        if (k.isFwmark()) {
            return new String[] {name, "", "0", Integer.toUnsignedString(k.fwmark()), ""};
        }
        return new String[] {name, IpAddresses.toText(k.address()), Integer.toString(k.port()), "",
            k.protocol().name()};
    }

    private static GaugeSnapshot gauge(String name, String help, Map<Labels, Double> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach((l, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(v).build()));
        return b.build();
    }

    private static CounterSnapshot counter(String name, String help, Map<Labels, Double> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        points.forEach((l, v) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(v).build()));
        return b.build();
    }
}
