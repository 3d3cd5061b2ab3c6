package io.lvsdirector.api.ecmp;

import io.lvsdirector.core.ecmp.Announcement;
import io.lvsdirector.core.ecmp.BirdProtocol;
import io.lvsdirector.core.ecmp.BirdView;
import io.lvsdirector.core.ecmp.EcmpAnnouncer;
import io.lvsdirector.core.ecmp.EcmpStatus;
import io.lvsdirector.ipvs.IpAddresses;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ECMP gauges read at scrape time from what the announcer published (a scrape neither runs {@code ip}
 * nor asks BIRD):
 * <ul>
 *   <li>{@code lvs_director_ecmp_enabled}</li>
 *   <li>{@code lvs_director_ecmp_vip_announced{vip,reason}}: 1 while announced; the reason says why it
 *       is or is not ({@code serving}, {@code below_quorum}, {@code not_in_kernel}, ...)</li>
 *   <li>{@code lvs_director_ecmp_vip_transitions_total{vip,to}}: announced / withdrawn changes</li>
 *   <li>{@code lvs_director_ecmp_interface_ok}: 0 when the last change or read of the interface failed</li>
 *   <li>{@code lvs_director_ecmp_bird_reachable}: 1 when BIRD's control socket answered</li>
 *   <li>{@code lvs_director_ecmp_bgp_session_up{protocol,state}}: 1 per BGP session BIRD says is up</li>
 * </ul>
 */
public final class EcmpCollector implements MultiCollector {

    private final EcmpAnnouncer announcer;

    /** @param announcer the announcer, or {@code null} with the mode off */
    public EcmpCollector(EcmpAnnouncer announcer) {
        this.announcer = announcer;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge("lvs_director_ecmp_enabled", "1 if the director announces its VIPs for ECMP (ecmp.enabled)",
                Map.of(Labels.EMPTY, announcer == null ? 0.0 : 1.0)));
        if (announcer == null) {
            return new MetricSnapshots(out);
        }
        EcmpStatus st = announcer.status();
        Map<Labels, Double> vips = new LinkedHashMap<>();
        for (Announcement a : st.decisions().values()) {
            vips.put(Labels.of("vip", IpAddresses.toText(a.vip()), "reason", a.reason().label()),
                    a.announced() ? 1.0 : 0.0);
        }
        out.add(gauge("lvs_director_ecmp_vip_announced",
                "1 while the VIP is on the announce interface (BIRD announces it); reason says why or why not", vips));
        CounterSnapshot.Builder tr = CounterSnapshot.builder().name("lvs_director_ecmp_vip_transitions")
                .help("Times a VIP was announced or withdrawn by this process");
        for (Map.Entry<String, Long> e : announcer.transitions().entrySet()) {
            String[] k = e.getKey().split("\\|", 2);
            tr.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("vip", k[0], "to", k[1]))
                    .value(e.getValue()).build());
        }
        out.add(tr.build());
        if (st.at() != null) {
            out.add(gauge("lvs_director_ecmp_interface_ok",
                    "0 when the last read or change of the announce interface failed",
                    Map.of(Labels.EMPTY, st.lastError() == null ? 1.0 : 0.0)));
        }
        BirdView bird = st.bird();
        if (bird != null) {
            out.add(gauge("lvs_director_ecmp_bird_reachable", "1 when BIRD's control socket answered the last ask",
                    Map.of(Labels.EMPTY, bird.reachable() ? 1.0 : 0.0)));
            Map<Labels, Double> sessions = new LinkedHashMap<>();
            for (BirdProtocol p : bird.bgp()) {
                sessions.put(Labels.of("protocol", p.name(), "state", p.state()), p.up() ? 1.0 : 0.0);
            }
            out.add(gauge("lvs_director_ecmp_bgp_session_up",
                    "1 per BGP session BIRD reports up (Established), 0 per session in another state", sessions));
        }
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot gauge(String name, String help, Map<Labels, Double> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach((labels, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(v).build()));
        return b.build();
    }
}
