package io.lvsdirector.core.ha;

import io.lvsdirector.ipvs.SyncDaemon;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which sync daemons this director wants, and what to do to the kernel to get them. Pure: no I/O, no
 * clock; the same inputs give the same plan.
 *
 * <p>The rule (keepalived's notify hook used to run it with {@code ipvsadm}): a <b>backup</b> daemon
 * always, so whichever director takes a VIP already knows the connections established through the
 * other; a <b>master</b> daemon while this director is MASTER of at least one VRRP instance, so it
 * sends its table to the peer. With two VIPs (active-active) each director is master of one instance
 * and runs both daemons.
 */
public final class HaPlanner {

    private HaPlanner() {
    }

    /** The daemons wanted for these instance states: backup first, then master if any instance is MASTER. */
    public static List<SyncDaemon> wanted(HaSettings settings, Collection<InstanceState> instances) {
        Objects.requireNonNull(settings, "settings");
        List<SyncDaemon> out = new ArrayList<>(2);
        out.add(settings.daemon(SyncDaemon.State.BACKUP));
        if (isMaster(instances)) {
            out.add(settings.daemon(SyncDaemon.State.MASTER));
        }
        return List.copyOf(out);
    }

    /** Whether this director is MASTER of at least one instance. */
    public static boolean isMaster(Collection<InstanceState> instances) {
        return instances.stream().anyMatch(i -> i.state() == VrrpState.MASTER);
    }

    /**
     * The ops that turn {@code kernel} into {@code wanted}: stops first, then starts (a daemon that
     * runs with another interface or sync id is stopped and started again, as the kernel has no edit).
     * Empty when the kernel is as wanted.
     *
     * @param wanted at most one daemon per state
     * @param kernel the daemons as {@code ipvs.daemons()} reports them, the kernel's defaults filled in
     */
    public static List<DaemonOp> plan(List<SyncDaemon> wanted, List<SyncDaemon> kernel) {
        Map<SyncDaemon.State, SyncDaemon> want = byState(wanted, "wanted");
        Map<SyncDaemon.State, SyncDaemon> have = byState(kernel, "kernel");
        List<DaemonOp> stops = new ArrayList<>();
        List<DaemonOp> starts = new ArrayList<>();
        for (SyncDaemon.State state : SyncDaemon.State.values()) {
            SyncDaemon w = want.get(state);
            SyncDaemon h = have.get(state);
            if (h != null && (w == null || !matches(w, h))) {
                stops.add(new DaemonOp.Stop(state));
            }
            if (w != null && (h == null || !matches(w, h))) {
                starts.add(new DaemonOp.Start(w));
            }
        }
        stops.addAll(starts);
        return List.copyOf(stops);
    }

    /**
     * Whether a running daemon is the wanted one. A 0 / {@code null} in {@code wanted} means "the
     * kernel's default", which the kernel reports as the value in effect (8848, a length derived from
     * the MTU, ...): such a field matches whatever runs, or a restart would stop and start the daemons
     * for nothing.
     */
    static boolean matches(SyncDaemon wanted, SyncDaemon running) {
        return wanted.state() == running.state()
                && wanted.interfaceName().equals(running.interfaceName())
                && wanted.syncId() == running.syncId()
                && (wanted.maxLen() == 0 || wanted.maxLen() == running.maxLen())
                && (wanted.port() == 0 || wanted.port() == running.port())
                && (wanted.ttl() == 0 || wanted.ttl() == running.ttl())
                && (wanted.multicastGroup() == null || wanted.multicastGroup().equals(running.multicastGroup()));
    }

    private static Map<SyncDaemon.State, SyncDaemon> byState(List<SyncDaemon> daemons, String what) {
        Map<SyncDaemon.State, SyncDaemon> out = new EnumMap<>(SyncDaemon.State.class);
        for (SyncDaemon d : daemons) {
            if (out.put(d.state(), d) != null) {
                throw new IllegalArgumentException(what + " has two " + d.state() + " daemons");
            }
        }
        return out;
    }
}
