package io.lvsdirector.core.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.SyncDaemon.State;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HaPlannerTest {

    static final HaSettings S = HaSettings.of("eth0", 7);
    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    static InstanceState st(VrrpState s) {
        return new InstanceState(s, 100, T);
    }

    /** As the kernel reads a daemon back: defaults filled in. */
    static SyncDaemon kernel(State state, String ifname, int syncId) {
        return new SyncDaemon(state, ifname, syncId, 1472, 8848, 1, IpAddresses.parse("224.0.0.81"));
    }

    @Test
    void backupAlwaysMasterOnlyWhileAnyInstanceIsMaster() {
        assertThat(HaPlanner.wanted(S, List.of())).containsExactly(S.daemon(State.BACKUP));
        assertThat(HaPlanner.wanted(S, List.of(st(VrrpState.BACKUP), st(VrrpState.FAULT), st(VrrpState.STOP))))
                .containsExactly(S.daemon(State.BACKUP));
        // Active-active: master of one instance, backup of the other.
        assertThat(HaPlanner.wanted(S, List.of(st(VrrpState.BACKUP), st(VrrpState.MASTER))))
                .containsExactly(S.daemon(State.BACKUP), S.daemon(State.MASTER));
    }

    @Test
    void daemonsReadBackWithKernelDefaultsAreInStep() {
        List<SyncDaemon> wanted = HaPlanner.wanted(S, List.of(st(VrrpState.MASTER)));
        assertThat(HaPlanner.plan(wanted, List.of(kernel(State.MASTER, "eth0", 7), kernel(State.BACKUP, "eth0", 7))))
                .isEmpty();
    }

    @Test
    void startsWhatIsMissingAndStopsWhatIsNotWanted() {
        assertThat(HaPlanner.plan(HaPlanner.wanted(S, List.of(st(VrrpState.MASTER))), List.of()))
                .containsExactly(new DaemonOp.Start(S.daemon(State.MASTER)), new DaemonOp.Start(S.daemon(State.BACKUP)));
        assertThat(HaPlanner.plan(HaPlanner.wanted(S, List.of(st(VrrpState.BACKUP))),
                List.of(kernel(State.MASTER, "eth0", 7), kernel(State.BACKUP, "eth0", 7))))
                .containsExactly(new DaemonOp.Stop(State.MASTER));
    }

    @Test
    void aDaemonWithAnotherInterfaceOrSyncIdIsStoppedThenStarted() {
        List<SyncDaemon> wanted = HaPlanner.wanted(S, List.of());
        assertThat(HaPlanner.plan(wanted, List.of(kernel(State.BACKUP, "eth1", 7))))
                .containsExactly(new DaemonOp.Stop(State.BACKUP), new DaemonOp.Start(S.daemon(State.BACKUP)));
        assertThat(HaPlanner.plan(wanted, List.of(kernel(State.BACKUP, "eth0", 8))))
                .containsExactly(new DaemonOp.Stop(State.BACKUP), new DaemonOp.Start(S.daemon(State.BACKUP)));
    }

    @Test
    void explicitKernelParametersMustMatch() {
        HaSettings s = new HaSettings("eth0", 7, 0, 8849, 0, null);
        List<SyncDaemon> wanted = HaPlanner.wanted(s, List.of());
        assertThat(HaPlanner.plan(wanted, List.of(kernel(State.BACKUP, "eth0", 7))))
                .containsExactly(new DaemonOp.Stop(State.BACKUP), new DaemonOp.Start(s.daemon(State.BACKUP)));
        HaSettings g = new HaSettings("eth0", 7, 0, 0, 0, IpAddresses.parse("239.1.1.1"));
        assertThat(HaPlanner.plan(HaPlanner.wanted(g, List.of()), List.of(kernel(State.BACKUP, "eth0", 7))))
                .hasSize(2);
    }

    @Test
    void settingsAreCheckedAsTheKernelChecksThem() {
        assertThatThrownBy(() -> HaSettings.of("eth0", 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HaSettings.of("a-name-too-long-x", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HaSettings.of("eth/0", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void vrrpStatesParseCaseInsensitively() {
        assertThat(VrrpState.parse("master")).isEqualTo(VrrpState.MASTER);
        assertThat(VrrpState.parse("Backup")).isEqualTo(VrrpState.BACKUP);
        assertThatThrownBy(() -> VrrpState.parse("PRIMARY")).hasMessageContaining("MASTER, BACKUP, FAULT, STOP");
        assertThatThrownBy(() -> VrrpState.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
