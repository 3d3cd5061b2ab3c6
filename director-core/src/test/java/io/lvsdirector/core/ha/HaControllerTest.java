package io.lvsdirector.core.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.SyncDaemon.State;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HaControllerTest {

    static final HaSettings S = HaSettings.of("eth0", 3);
    final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    final FakeIpvs ipvs = new FakeIpvs();
    final List<String> events = new ArrayList<>();
    final HaMeasurements counting = new HaMeasurements() {
        @Override
        public void instanceTransition(String instance, VrrpState from, VrrpState to) {
            events.add("transition " + instance + " " + from + "->" + to);
        }

        @Override
        public void roleChanged(boolean master) {
            events.add("role " + (master ? "master" : "backup"));
        }

        @Override
        public void daemonOp(String op, State state, boolean ok) {
            events.add(op + " " + state + " " + (ok ? "ok" : "failed"));
        }
    };

    static List<State> states(List<SyncDaemon> daemons) {
        return daemons.stream().map(SyncDaemon::state).sorted().toList();
    }

    @Test
    void followsTheReportedStates() throws Exception {
        HaController ha = new HaController(S, HaStore.inMemory(), counting, clock);
        AtomicInteger asked = new AtomicInteger();
        ha.addListener(asked::incrementAndGet);

        assertThat(ha.reconcile(ipvs)).isTrue();
        assertThat(states(ipvs.daemons())).containsExactly(State.BACKUP);
        assertThat(ipvs.daemons().get(0).interfaceName()).isEqualTo("eth0");
        assertThat(ipvs.daemons().get(0).syncId()).isEqualTo(3);

        assertThat(ha.report("VI_1", VrrpState.MASTER, 150).changed()).isTrue();
        assertThat(asked).hasValue(1);
        assertThat(ha.reconcile(ipvs)).isTrue();
        assertThat(states(ipvs.daemons())).containsExactly(State.MASTER, State.BACKUP);
        assertThat(ha.status(ipvs).inStep()).isTrue();
        assertThat(ha.status(ipvs).master()).isTrue();

        // Active-active: still master of VI_2's peer instance VI_1, so the master daemon stays.
        ha.report("VI_2", VrrpState.BACKUP, 100);
        ha.reconcile(ipvs);
        assertThat(states(ipvs.daemons())).containsExactly(State.MASTER, State.BACKUP);

        ha.report("VI_1", VrrpState.BACKUP, 100);
        assertThat(ha.status(ipvs).inStep()).isFalse();
        ha.reconcile(ipvs);
        assertThat(states(ipvs.daemons())).containsExactly(State.BACKUP);
        assertThat(events).containsExactly("start BACKUP ok", "transition VI_1 null->MASTER", "role master",
                "start MASTER ok", "transition VI_2 null->BACKUP", "transition VI_1 MASTER->BACKUP", "role backup",
                "stop MASTER ok");
    }

    @Test
    void aReportOlderThanTheNewestTakenIsIgnored() throws Exception {
        HaController ha = new HaController(S, HaStore.inMemory(), counting, clock);
        Instant t = Instant.parse("2025-12-31T23:59:50Z"); // before the clock: times from the future are clamped
        assertThat(ha.report("VI_1", VrrpState.MASTER, 150, t).changed()).isTrue();
        HaController.Report stale = ha.report("VI_1", VrrpState.BACKUP, 100, t.minusMillis(1));
        assertThat(stale.stale()).isTrue();
        assertThat(stale.changed()).isFalse();
        assertThat(ha.instances().get("VI_1").state()).isEqualTo(VrrpState.MASTER);
        // Other instances keep their own order; a report without a time is always taken.
        assertThat(ha.report("VI_2", VrrpState.BACKUP, 100, t.minusSeconds(5)).changed()).isTrue();
        assertThat(ha.report("VI_1", VrrpState.FAULT, 0, null).changed()).isTrue();
        assertThat(ha.report("VI_1", VrrpState.BACKUP, 100, t.plusMillis(1)).changed()).isTrue();
        assertThat(ha.instances().get("VI_1").state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void aRepeatedReportWritesNothingAndKeepsSince() throws Exception {
        AtomicInteger saves = new AtomicInteger();
        HaStore store = new CountingStore(saves);
        Clock moving = Clock.offset(clock, java.time.Duration.ZERO);
        HaController ha = new HaController(S, store, counting, moving);
        ha.report("VI_1", VrrpState.MASTER, 150);
        Instant since = ha.instances().get("VI_1").since();
        assertThat(ha.report("VI_1", VrrpState.MASTER, 150).changed()).isFalse();
        assertThat(saves).hasValue(1);
        // A priority change is saved, but the state's since stays.
        assertThat(ha.report("vi_1".toUpperCase(), VrrpState.MASTER, 140).changed()).isTrue();
        assertThat(saves).hasValue(2);
        assertThat(ha.instances().get("VI_1")).isEqualTo(new InstanceState(VrrpState.MASTER, 140, since));
        // Without a priority the known one is kept.
        ha.report("VI_1", VrrpState.BACKUP, null);
        assertThat(ha.instances().get("VI_1").priority()).isEqualTo(140);
    }

    @Test
    void aRestartWithNothingChangedWritesNothingToTheKernel() throws Exception {
        HaStore store = HaStore.inMemory();
        HaController first = new HaController(S, store, HaMeasurements.NONE, clock);
        first.report("VI_1", VrrpState.MASTER, 150);
        first.reconcile(ipvs);
        assertThat(states(ipvs.daemons())).containsExactly(State.MASTER, State.BACKUP);
        int writes = ipvs.count(FakeIpvs.Call.START_DAEMON) + ipvs.count(FakeIpvs.Call.STOP_DAEMON);

        HaController second = new HaController(S, store, HaMeasurements.NONE, clock);
        assertThat(second.status(ipvs).master()).isTrue();
        assertThat(second.reconcile(ipvs)).isTrue();
        assertThat(ipvs.count(FakeIpvs.Call.START_DAEMON) + ipvs.count(FakeIpvs.Call.STOP_DAEMON)).isEqualTo(writes);
        assertThat(states(ipvs.daemons())).containsExactly(State.MASTER, State.BACKUP);
    }

    @Test
    void aRestartWithAnotherSyncIdReplacesTheDaemons() {
        new HaController(S, HaStore.inMemory(), HaMeasurements.NONE, clock).reconcile(ipvs);
        HaController moved = new HaController(HaSettings.of("lo", 9), HaStore.inMemory(), HaMeasurements.NONE, clock);
        assertThat(moved.status(ipvs).inStep()).isFalse();
        assertThat(moved.reconcile(ipvs)).isTrue();
        assertThat(ipvs.daemons()).singleElement().satisfies(d -> {
            assertThat(d.interfaceName()).isEqualTo("lo");
            assertThat(d.syncId()).isEqualTo(9);
        });
    }

    @Test
    void aDaemonStoppedByHandIsRepairedByTheNextPass() throws Exception {
        HaController ha = new HaController(S, HaStore.inMemory(), HaMeasurements.NONE, clock);
        ha.report("VI_1", VrrpState.MASTER, null);
        ha.reconcile(ipvs);
        ipvs.stopDaemon(State.BACKUP);
        assertThat(ha.status(ipvs).inStep()).isFalse();
        assertThat(ha.reconcile(ipvs)).isTrue();
        assertThat(states(ipvs.daemons())).containsExactly(State.MASTER, State.BACKUP);
    }

    @Test
    void aKernelRefusalIsKeptWithItsErrnoAndRetried() {
        FakeIpvs noEth0 = new FakeIpvs().withInterfaces(java.util.Set.of("lo"));
        HaController ha = new HaController(S, HaStore.inMemory(), counting, clock);
        assertThat(ha.reconcile(noEth0)).isFalse();
        HaStatus s = ha.status(noEth0);
        assertThat(s.lastError()).isEqualTo("start backup daemon on eth0 syncid 3: ENODEV");
        assertThat(s.inStep()).isFalse();
        assertThat(events).containsExactly("start BACKUP failed");

        noEth0.withInterfaces(java.util.Set.of("lo", "eth0"));
        assertThat(ha.reconcile(noEth0)).isTrue();
        assertThat(ha.status(noEth0).lastError()).isNull();
    }

    @Test
    void aFailedSaveChangesNothing() throws Exception {
        HaStore broken = new HaStore() {
            @Override
            public Map<String, InstanceState> load() {
                return Map.of();
            }

            @Override
            public void save(Map<String, InstanceState> instances) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        HaController ha = new HaController(S, broken, counting, clock);
        AtomicInteger asked = new AtomicInteger();
        ha.addListener(asked::incrementAndGet);
        assertThatThrownBy(() -> ha.report("VI_1", VrrpState.MASTER, 150)).isInstanceOf(IOException.class);
        assertThat(ha.instances()).isEmpty();
        assertThat(asked).hasValue(0);
        assertThat(events).isEmpty();
        ha.reconcile(ipvs);
        assertThat(states(ipvs.daemons())).containsExactly(State.BACKUP);
    }

    @Test
    void anUnreadableStoreStartsAsBackupAndSaysWhy() {
        HaStore unreadable = new HaStore() {
            @Override
            public Map<String, InstanceState> load() throws IOException {
                throw new IOException("bad JSON");
            }

            @Override
            public void save(Map<String, InstanceState> instances) {
            }
        };
        HaController ha = new HaController(S, unreadable, HaMeasurements.NONE, clock);
        assertThat(ha.status(ipvs).lastError()).contains("bad JSON");
        assertThat(ha.status(ipvs).master()).isFalse();
    }

    @Test
    void aReportDatedInTheFutureDoesNotBlockLaterRealReports() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock moving = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        HaController ha = new HaController(S, HaStore.inMemory(), HaMeasurements.NONE, moving);
        // A hook on a host whose clock ran a day ahead (or a hand-made call) reports MASTER.
        assertThat(ha.report("VI_1", VrrpState.MASTER, 150, now.get().plus(java.time.Duration.ofDays(1))).changed())
                .isTrue();
        // A second later the real hook reports BACKUP: unclamped, it would be "stale" for a whole day.
        now.set(now.get().plusSeconds(1));
        HaController.Report r = ha.report("VI_1", VrrpState.BACKUP, 100, now.get());
        assertThat(r.stale()).isFalse();
        assertThat(ha.instances().get("VI_1").state()).isEqualTo(VrrpState.BACKUP);
        // Within the skew allowance a report keeps its own time: an older one after it is still stale.
        now.set(now.get().plusSeconds(1));
        assertThat(ha.report("VI_1", VrrpState.MASTER, 150, now.get().plusSeconds(4)).stale()).isFalse();
        assertThat(ha.report("VI_1", VrrpState.BACKUP, 100, now.get().plusSeconds(2)).stale()).isTrue();
        assertThat(ha.instances().get("VI_1").state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void badNamesAreRefused() {
        HaController ha = new HaController(S, HaStore.inMemory(), HaMeasurements.NONE, clock);
        for (String bad : new String[] {"", "a b", "x".repeat(65), "../etc", "VI_1\n"}) {
            assertThatThrownBy(() -> ha.report(bad, VrrpState.MASTER, 1)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ha.report("VI_1", VrrpState.MASTER, 256)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ha.instances()).isEmpty();
    }

    private static final class CountingStore implements HaStore {
        private final HaStore inner = HaStore.inMemory();
        private final AtomicInteger saves;

        CountingStore(AtomicInteger saves) {
            this.saves = saves;
        }

        @Override
        public Map<String, InstanceState> load() throws IOException {
            return inner.load();
        }

        @Override
        public void save(Map<String, InstanceState> instances) throws IOException {
            saves.incrementAndGet();
            inner.save(instances);
        }
    }
}
