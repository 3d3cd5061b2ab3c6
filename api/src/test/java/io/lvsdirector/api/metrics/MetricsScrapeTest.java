package io.lvsdirector.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.api.TestDirector;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.spec.ServiceSpecJson;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scrapes the registry the server exposes at {@code /metrics} and checks names, labels and values. */
class MetricsScrapeTest {

    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"scheduler\": \"rr\","
            + " \"healthCheck\": {\"type\": \"tcp\", \"port\": 80},"
            + " \"realServers\": {\"static\": [{\"address\": \"198.18.0.21\"}, {\"address\": \"198.18.0.22\","
            + " \"weight\": 3}]}}";

    static String scrapeDirector() throws Exception {
        TestDirector t = new TestDirector();
        PrometheusRegistry registry = new PrometheusRegistry();
        PrometheusMeasurements m = new PrometheusMeasurements(registry);
        Director d = new Director(t.ipvs, t.store, t.nodes, t.health, new ServiceSpecJson(), m, Clock.systemUTC(),
                LoopSettings.DEFAULTS, List.of());
        registry.register(new DirectorCollector(d, null));
        JvmMetrics.builder().register(registry);
        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        var check = t.store.get("web").orElseThrow().healthCheck().resolvePort(80);
        t.health.onHealth(new ProbeTarget(IpAddresses.parse("198.18.0.21"), check),
                new HealthStatus(HealthState.HEALTHY, "ok", java.time.Instant.now()));
        t.health.onHealth(new ProbeTarget(IpAddresses.parse("198.18.0.22"), check),
                new HealthStatus(HealthState.FAILED, "connect refused", java.time.Instant.now()));
        ReconcileLoop loop = d.loop();
        loop.runOnce();
        VirtualServerKey key = VirtualServerKey.tcp("198.18.0.100", 80);
        t.ipvs.setStats(key, new Stats(42, 420, 0, 42000, 0, 0, 0, 0, 0, 0));
        t.ipvs.setRealServerCounters(key, new RealServerKey(IpAddresses.parse("198.18.0.21"), 80), 5, 7, 0,
                new Stats(42, 420, 0, 42000, 0, 0, 0, 0, 0, 0));
        // A scrape shows the loop's last reading, not the kernel now: the next pass reads the counters.
        loop.runOnce();
        m.probeCompleted(new ProbeTarget(IpAddresses.parse("198.18.0.21"), check), Duration.ofMillis(3), true);
        m.healthTransition(new ProbeTarget(IpAddresses.parse("198.18.0.22"), check), HealthState.HEALTHY,
                HealthState.FAILED);
        return MetricsText.scrape(registry);
    }

    @Test
    void kernelCountersAndGaugesCarryNodeExporterLabels() throws Exception {
        String text = scrapeDirector();
        String svc = "local_address=\"198.18.0.100\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",service=\"web\"";
        assertThat(text).contains("lvs_director_ipvs_service_connections_total{" + svc + "} 42.0");
        assertThat(text).contains("lvs_director_ipvs_service_incoming_packets_total{" + svc + "} 420.0");
        assertThat(text).contains("lvs_director_ipvs_service_outgoing_packets_total{" + svc + "} 0.0");
        String rs1 = "local_address=\"198.18.0.100\",local_mark=\"\",local_port=\"80\",proto=\"TCP\","
                + "remote_address=\"198.18.0.21\",remote_port=\"80\",service=\"web\"";
        assertThat(text).contains("lvs_director_ipvs_backend_connections_active{" + rs1 + "} 5.0");
        assertThat(text).contains("lvs_director_ipvs_backend_connections_inactive{" + rs1 + "} 7.0");
        assertThat(text).contains("lvs_director_ipvs_backend_weight{" + rs1 + "} 1.0");
        assertThat(text).contains("lvs_director_ipvs_backend_connections_total{" + rs1 + "} 42.0");
        assertThat(text).contains("lvs_director_kernel_read_ok 1.0");
    }

    @Test
    void directorViewHealthWeightsAndLoop() throws Exception {
        String text = scrapeDirector();
        assertThat(text).contains("lvs_director_backend_health{remote_address=\"198.18.0.21\",remote_port=\"80\","
                + "service=\"web\",state=\"healthy\"} 1.0");
        assertThat(text).contains("lvs_director_backend_health{remote_address=\"198.18.0.22\",remote_port=\"80\","
                + "service=\"web\",state=\"failed\"} 1.0");
        assertThat(text).contains("lvs_director_backend_health{remote_address=\"198.18.0.22\",remote_port=\"80\","
                + "service=\"web\",state=\"healthy\"} 0.0");
        assertThat(text).contains("lvs_director_backend_desired_weight{remote_address=\"198.18.0.21\","
                + "remote_port=\"80\",service=\"web\"} 1.0");
        assertThat(text).contains("lvs_director_backend_kernel_weight{remote_address=\"198.18.0.21\","
                + "remote_port=\"80\",service=\"web\"} 1.0");
        // The failed server is wanted out, so it has no desired weight.
        assertThat(text).doesNotContain("lvs_director_backend_desired_weight{remote_address=\"198.18.0.22\"");
        assertThat(text).contains("lvs_director_reconcile_passes_total{result=\"ok\"} 2.0");
        assertThat(text).contains("lvs_director_reconcile_operations_total{kind=\"add_service\",result=\"ok\"} 1.0");
        assertThat(text).contains("lvs_director_reconcile_duration_seconds_count 2");
        assertThat(text).contains("lvs_director_probe_duration_seconds_bucket{result=\"ok\",le=\"0.005\"} 1");
        assertThat(text).contains("lvs_director_health_transitions_total{from=\"healthy\",to=\"failed\"} 1.0");
        assertThat(text).contains("lvs_director_service_all_down{policy=\"fail-open\",service=\"web\"} 0.0");
        assertThat(text).contains("lvs_director_state_version 2.0");
        assertThat(text).contains("lvs_director_last_pass_ok 1.0");
        assertThat(text).contains("jvm_memory_used_bytes");
    }

    @Test
    void aRefusedServiceIsCountedAndOutOfStepUntilItGoesAndTheScrapeNeverReadsTheKernel() throws Exception {
        TestDirector t = new TestDirector();
        PrometheusRegistry registry = new PrometheusRegistry();
        PrometheusMeasurements m = new PrometheusMeasurements(registry);
        Director d = new Director(t.ipvs, t.store, t.nodes, t.health, new ServiceSpecJson(), m, Clock.systemUTC(),
                LoopSettings.DEFAULTS, List.of());
        registry.register(new DirectorCollector(d, null));
        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        t.store.put(new ServiceSpecJson().fromJson("bad", WEB.replace("198.18.0.100", "198.18.0.101")));
        t.ipvs.injectFailure(op -> op instanceof io.lvsdirector.ipvs.IpvsOp.AddService a
                && a.service().equals(VirtualServerKey.tcp("198.18.0.101", 80)), 2, "");
        d.loop().runOnce();
        int reads = t.ipvs.count(io.lvsdirector.ipvs.FakeIpvs.Call.SNAPSHOT);

        String text = MetricsText.scrape(registry);
        assertThat(t.ipvs.count(io.lvsdirector.ipvs.FakeIpvs.Call.SNAPSHOT)).isEqualTo(reads);
        assertThat(text).contains("lvs_director_apply_failures_total{op=\"add_service\",service=\"bad\"} 1.0");
        assertThat(text).contains("lvs_director_service_in_step{service=\"bad\"} 0.0");
        assertThat(text).contains("lvs_director_service_in_step{service=\"web\"} 1.0");
        assertThat(text).contains("lvs_director_last_pass_ok 1.0");
        assertThat(text).contains("lvs_director_kernel_read_ok 1.0");
        assertThat(text).containsPattern("lvs_director_kernel_view_age_seconds [0-9.]+");
        MetricsText.assertPromtoolClean(text);

        t.store.delete("bad");
        d.loop().runOnce();
        String after = MetricsText.scrape(registry);
        assertThat(after).doesNotContain("service=\"bad\"");
        assertThat(after).contains("lvs_director_service_in_step{service=\"web\"} 1.0");
    }

    @Test
    void aForeignKernelServiceIsLabelledAsNoServiceEvenWhenADirectorServiceHasItsKey() throws Exception {
        TestDirector t = new TestDirector();
        PrometheusRegistry registry = new PrometheusRegistry();
        PrometheusMeasurements m = new PrometheusMeasurements(registry);
        io.lvsdirector.core.loop.OwnershipStore owned = io.lvsdirector.core.loop.OwnershipStore.inMemory();
        owned.save(java.util.Set.of()); // recorded: nothing owned yet, so nothing is adopted silently
        Director d = new Director(t.ipvs, t.store, t.nodes, t.health, new ServiceSpecJson(), m, Clock.systemUTC(),
                LoopSettings.DEFAULTS, List.of(), owned);
        registry.register(new DirectorCollector(d, null));
        // ipvsadm -A -t 198.18.0.101:80 -s wlc; ipvsadm -a -t 198.18.0.101:80 -r 198.18.0.31:80 -g -w 7
        VirtualServerKey foreign = VirtualServerKey.tcp("198.18.0.101", 80);
        t.ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(foreign, "wlc"));
        t.ipvs.addRealServer(foreign, io.lvsdirector.ipvs.RealServer.directRoute("198.18.0.31", 80, 7));
        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        // A director service on the foreign key (written to the state file by hand; the API says 409).
        t.store.put(new ServiceSpecJson().fromJson("squatter", WEB.replace("198.18.0.100", "198.18.0.101")));
        d.loop().runOnce();
        d.loop().runOnce(); // a scrape shows the last reading: this one has web in it

        String text = MetricsText.scrape(registry);
        assertThat(text).contains("lvs_director_service_in_step{service=\"squatter\"} 0.0");
        assertThat(text).contains("lvs_director_ipvs_backend_weight{local_address=\"198.18.0.101\",local_mark=\"\","
                + "local_port=\"80\",proto=\"TCP\",remote_address=\"198.18.0.31\",remote_port=\"80\",service=\"\"} 7.0");
        // The director's own service keeps its name (its real servers wait for their first probe).
        assertThat(text).contains("lvs_director_ipvs_service_connections_total{local_address=\"198.18.0.100\",local_mark=\"\","
                + "local_port=\"80\",proto=\"TCP\",service=\"web\"} 0.0");
        assertThat(text).doesNotContain("local_address=\"198.18.0.101\",local_mark=\"\",local_port=\"80\","
                + "proto=\"TCP\",service=\"squatter\"");
    }

    /** Debian's {@code prometheus} package brings promtool; the lab installs it. */
    @Test
    void promtoolFindsNoProblem() throws Exception {
        MetricsText.assertPromtoolClean(scrapeDirector());
    }
}
