package io.lvsdirector.api.ha;

import io.lvsdirector.api.metrics.MetricsText;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.HaSettings;
import io.lvsdirector.core.ha.HaStore;
import io.lvsdirector.core.ha.SyncDaemonReader;
import io.lvsdirector.core.ha.VrrpState;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.SyncDaemon;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HaMetricsTest {

    static String scrapeHa() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        PrometheusRegistry registry = new PrometheusRegistry();
        HaController ha = new HaController(HaSettings.of("eth0", 1), HaStore.inMemory(), new HaMetrics(registry),
                Clock.systemUTC());
        registry.register(new HaCollector(Optional::empty, ha));
        ha.report("VI_1", VrrpState.MASTER, 150);
        ha.report("VI_2", VrrpState.BACKUP, 100);
        ha.reconcile(ipvs);
        ha.report("VI_1", VrrpState.BACKUP, 100);
        ha.reconcile(ipvs);
        ha.report("VI_1", VrrpState.MASTER, 150);
        ha.reconcile(ipvs);
        return MetricsText.scrape(registry);
    }

    @Test
    void exportsRoleInstancesDaemonsAndCounts() throws Exception {
        String text = scrapeHa();
        assertThat(text).contains("lvs_director_ha_enabled 1.0");
        assertThat(text).contains("lvs_director_ha_master 1.0");
        assertThat(text).contains("lvs_director_ha_instance_state{state=\"master\",vrrp_instance=\"VI_1\"} 1.0");
        assertThat(text).contains("lvs_director_ha_instance_state{state=\"backup\",vrrp_instance=\"VI_1\"} 0.0");
        assertThat(text).contains("lvs_director_ha_instance_state{state=\"backup\",vrrp_instance=\"VI_2\"} 1.0");
        assertThat(text).contains("lvs_director_ha_sync_daemon_running{state=\"master\"} 1.0");
        assertThat(text).contains("lvs_director_ha_sync_daemon_running{state=\"backup\"} 1.0");
        assertThat(text).contains("lvs_director_ha_sync_daemons_in_step 1.0");
        assertThat(text).contains("lvs_director_ha_transitions_total{from=\"master\",to=\"backup\",vrrp_instance=\"VI_1\"} 1.0");
        assertThat(text).contains("lvs_director_ha_transitions_total{from=\"none\",to=\"master\",vrrp_instance=\"VI_1\"} 1.0");
        assertThat(text).contains("lvs_director_ha_role_changes_total{role=\"master\"} 2.0");
        assertThat(text).contains("lvs_director_ha_role_changes_total{role=\"backup\"} 1.0");
        assertThat(text).contains(
                "lvs_director_ha_sync_daemon_operations_total{op=\"start\",result=\"ok\",state=\"master\"} 2.0");
        assertThat(text).contains(
                "lvs_director_ha_sync_daemon_operations_total{op=\"stop\",result=\"ok\",state=\"master\"} 1.0");
    }

    @Test
    void withHaOffOnlyTheKernelDaemonsAreExported() throws Exception {
        FakeIpvs ipvs = new FakeIpvs().withInterfaces(Set.of("eth0"));
        ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.BACKUP, "eth0", 1));
        // Read on the loop's thread (here: by hand), never by the scrape.
        SyncDaemonReader reader = new SyncDaemonReader(Clock.systemUTC(), Duration.ofSeconds(1));
        reader.reconcile(ipvs);
        ipvs.stopDaemon(SyncDaemon.State.BACKUP);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new HaCollector(reader::view, null));
        String text = MetricsText.scrape(registry);
        assertThat(text).contains("lvs_director_ha_enabled 0.0");
        assertThat(text).contains("lvs_director_ha_sync_daemon_running{state=\"backup\"} 1.0");
        assertThat(text).contains("lvs_director_ha_sync_daemon_running{state=\"master\"} 0.0");
        assertThat(text).doesNotContain("lvs_director_ha_master");
    }

    @Test
    void promtoolFindsNoProblem() throws Exception {
        MetricsText.assertPromtoolClean(scrapeHa());
    }
}
