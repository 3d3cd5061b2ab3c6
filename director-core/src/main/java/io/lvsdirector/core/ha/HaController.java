package io.lvsdirector.core.ha;

import io.lvsdirector.core.loop.KernelTask;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.SyncDaemon;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's IPVS connection sync daemons in step with the VRRP states keepalived reports
 * (rule in {@link HaPlanner}). keepalived's notify hook reports through the API
 * ({@link #report}); the reconcile loop runs {@link #reconcile} at the start of every pass, so the
 * loop's thread stays the only writer to the kernel, a report only records and asks for a pass, and a
 * daemon stopped by hand is restarted by the next resync.
 *
 * <p>The states are saved through an {@link HaStore} before they count: keepalived does not report
 * again when the service restarts, and a restart that finds the daemons as wanted changes nothing in
 * the kernel (a stop and start would lose the connections the backup daemon has not passed on yet).
 *
 * <p>Thread-safe: reports come from HTTP threads, {@link #reconcile} from the loop thread, status
 * reads from anywhere. The lock guards the instance map and the store; kernel calls are made outside it.
 */
public final class HaController implements KernelTask {

    private static final Logger LOG = LoggerFactory.getLogger(HaController.class);

    /**
     * How far ahead of this host's clock a report's time may be and still be taken as it is: the hook
     * reads keepalived's host clock, the same as ours, so more than this is a broken clock or caller.
     */
    public static final java.time.Duration FUTURE_SKEW = java.time.Duration.ofSeconds(5);

    /** A VRRP instance name as the API accepts it (keepalived's are free text; ours are kept plain for logs and paths). */
    public static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final HaSettings settings;
    private final HaStore store;
    private final HaMeasurements measurements;
    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    // Guarded by lock.
    private Map<String, InstanceState> instances;
    // When keepalived's hook was started for the newest report taken, per instance. keepalived starts
    // one hook process per transition and does not wait for it: two hooks retrying while the service
    // restarts can arrive in either order, and the older one must not win. In memory only: after a
    // restart the first report sets it again.
    private final Map<String, Instant> reportedAt = new HashMap<>();
    // Instances whose report time was clamped already: the warning is logged once per instance.
    private final java.util.Set<String> clampWarned = new java.util.HashSet<>();
    private String lastError;
    private Instant lastChecked;
    // The daemons as the loop's thread last read them (after its ops), for the API and the metrics.
    private volatile DaemonView daemonView;

    /**
     * Loads the saved states. A store that cannot be read leaves every instance unknown (this director
     * runs the backup daemon only, until keepalived reports) and puts the reason in {@link HaStatus#lastError}:
     * refusing to start would keep the service table unprogrammed for the sake of the sync daemon.
     */
    public HaController(HaSettings settings, HaStore store, HaMeasurements measurements, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = Objects.requireNonNull(store, "store");
        this.measurements = Objects.requireNonNull(measurements, "measurements");
        this.clock = Objects.requireNonNull(clock, "clock");
        Map<String, InstanceState> loaded;
        try {
            loaded = Map.copyOf(store.load());
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=ha_state_unreadable error=\"{}\" hint=\"every instance unknown until keepalived reports\"",
                    e.toString());
            loaded = Map.of();
            lastError = "saved VRRP states unreadable: " + e.getMessage();
        }
        this.instances = loaded;
        LOG.info("event=ha_loaded instances={} role={} interface={} sync_id={}", loaded.size(),
                role(HaPlanner.isMaster(loaded.values())), settings.syncInterface(), settings.syncId());
    }

    /** Runs {@code listener} after every accepted change (the api asks the loop for a pass). */
    public void addListener(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** {@code at}, or now when it is further ahead than {@link #FUTURE_SKEW}. Under the lock. */
    private Instant clampFuture(String instance, VrrpState state, Instant at) {
        if (at == null) {
            return null;
        }
        Instant now = clock.instant();
        if (!at.isAfter(now.plus(FUTURE_SKEW))) {
            return at;
        }
        if (clampWarned.add(instance)) {
            LOG.warn("event=vrrp_report_from_future instance={} state={} reported_at={} now={} taken_as=now"
                    + " hint=\"check the clock of the host or of whatever calls the API\"", instance, state, at, now);
        } else {
            LOG.debug("event=vrrp_report_from_future instance={} state={} reported_at={} now={} taken_as=now", instance,
                    state, at, now);
        }
        return now;
    }

    public HaSettings settings() {
        return settings;
    }

    /**
     * The outcome of a report.
     *
     * @param stale the report was older than one already taken for the instance, and was ignored
     */
    public record Report(InstanceState before, InstanceState after, boolean changed, boolean stale) {}

    /** As {@link #report(String, VrrpState, Integer, Instant)} for a report that carries no time. */
    public Report report(String instance, VrrpState state, Integer priority) throws IOException {
        return report(instance, state, priority, null);
    }

    /**
     * Records what keepalived reported for an instance, saves it, then asks for a pass. A report
     * that changes nothing (keepalived repeats itself) writes nothing.
     *
     * @param priority 0..255, or {@code null} to keep what was known
     * @param at when keepalived started the hook that reports it, or {@code null} if unknown; a report
     *     older than the newest taken for the instance is ignored (keepalived runs its hooks in parallel);
     *     a time more than {@link #FUTURE_SKEW} ahead of the clock is taken as now, or it would make
     *     every later report of the instance look stale until a restart
     * @throws IllegalArgumentException for a bad name or priority
     * @throws IOException if the store refused: nothing changed, in memory or on disk
     */
    public Report report(String instance, VrrpState state, Integer priority, Instant at) throws IOException {
        if (instance == null || !INSTANCE_NAME.matcher(instance).matches()) {
            throw new IllegalArgumentException("instance name must be 1-64 characters of [A-Za-z0-9_.-]");
        }
        Objects.requireNonNull(state, "state");
        Report r;
        boolean roleBefore;
        boolean roleAfter;
        synchronized (lock) {
            at = clampFuture(instance, state, at);
            InstanceState before = instances.get(instance);
            Instant newest = reportedAt.get(instance);
            if (at != null && newest != null && at.isBefore(newest)) {
                LOG.info("event=vrrp_report_stale instance={} state={} reported_at={} newest={}", instance, state,
                        at, newest);
                return new Report(before, before, false, true);
            }
            if (at != null) {
                reportedAt.put(instance, at);
            }
            Integer p = priority != null ? priority : before == null ? null : before.priority();
            Instant since = before != null && before.state() == state ? before.since() : clock.instant();
            InstanceState after = new InstanceState(state, p, since);
            if (after.equals(before)) {
                return new Report(before, before, false, false);
            }
            Map<String, InstanceState> next = new HashMap<>(instances);
            next.put(instance, after);
            store.save(next);
            roleBefore = HaPlanner.isMaster(instances.values());
            instances = Map.copyOf(next);
            roleAfter = HaPlanner.isMaster(instances.values());
            r = new Report(before, after, true, false);
        }
        if (r.before() == null || r.before().state() != state) {
            measurements.instanceTransition(instance, r.before() == null ? null : r.before().state(), state);
        }
        if (roleBefore != roleAfter) {
            measurements.roleChanged(roleAfter);
            LOG.info("event=ha_role_changed role={}->{} instance={}", role(roleBefore), role(roleAfter), instance);
        }
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warn("event=ha_listener_failed error=\"{}\"", e.toString());
            }
        }
        return r;
    }

    /** Brings the kernel's daemons to the wanted ones. On the loop thread only. */
    @Override
    public boolean reconcile(Ipvs ipvs) {
        List<SyncDaemon> wanted;
        synchronized (lock) {
            wanted = HaPlanner.wanted(settings, instances.values());
        }
        List<SyncDaemon> kernel;
        try {
            kernel = ipvs.daemons();
        } catch (IpvsException e) {
            String text = "read sync daemons (-L --daemon): " + e.errnoName();
            daemonView = new DaemonView(null, text, clock.instant());
            fail(text, e);
            return false;
        }
        List<DaemonOp> ops = HaPlanner.plan(wanted, kernel);
        String error = null;
        for (DaemonOp op : ops) {
            String failed = apply(ipvs, op);
            if (failed != null && error == null) {
                error = failed;
            }
        }
        if (!ops.isEmpty()) {
            // Read again after a switch (rare) so what is published is what the kernel runs now.
            try {
                kernel = ipvs.daemons();
            } catch (IpvsException e) {
                kernel = null;
            }
        }
        daemonView = new DaemonView(kernel, kernel == null ? "read sync daemons (-L --daemon) failed" : null,
                clock.instant());
        synchronized (lock) {
            lastChecked = clock.instant();
            lastError = error;
        }
        return error == null;
    }

    /** Applies one op; returns {@code null} when done, else the error text (with the errno name). */
    private String apply(Ipvs ipvs, DaemonOp op) {
        if (op instanceof DaemonOp.Stop stop) {
            String state = lower(stop.state());
            try {
                ipvs.stopDaemon(stop.state());
                measurements.daemonOp("stop", stop.state(), true);
                LOG.info("event=sync_daemon_stopped state={}", state);
                return null;
            } catch (IpvsException e) {
                // ESRCH: it stopped between the read and the stop, which is what was wanted.
                if (e.errno() == Errno.ESRCH) {
                    return null;
                }
                measurements.daemonOp("stop", stop.state(), false);
                LOG.warn("event=sync_daemon_failed op=stop state={} errno={} error=\"{}\"", state, e.errnoName(),
                        e.getMessage());
                return "stop " + state + " daemon: " + e.errnoName();
            }
        }
        SyncDaemon d = ((DaemonOp.Start) op).daemon();
        String state = lower(d.state());
        try {
            ipvs.startDaemon(d);
            measurements.daemonOp("start", d.state(), true);
            LOG.info("event=sync_daemon_started state={} interface={} sync_id={}", state, d.interfaceName(),
                    d.syncId());
            return null;
        } catch (IpvsException e) {
            measurements.daemonOp("start", d.state(), false);
            LOG.warn("event=sync_daemon_failed op=start state={} interface={} sync_id={} errno={} error=\"{}\"",
                    state, d.interfaceName(), d.syncId(), e.errnoName(), e.getMessage());
            return "start " + state + " daemon on " + d.interfaceName() + " syncid " + d.syncId() + ": "
                    + e.errnoName();
        }
    }

    private void fail(String text, IpvsException e) {
        LOG.warn("event=sync_daemon_failed op=read errno={} error=\"{}\"", e.errnoName(), e.getMessage());
        synchronized (lock) {
            lastChecked = clock.instant();
            lastError = text;
        }
    }

    /**
     * The status against the daemons {@code ipvs} reports now (a read: any thread may call it).
     * A failed read gives {@code kernel == null} and {@code inStep == false}.
     */
    public HaStatus status(Ipvs ipvs) {
        List<SyncDaemon> kernel;
        String readError = null;
        try {
            kernel = ipvs.daemons();
        } catch (IpvsException e) {
            kernel = null;
            readError = "read sync daemons (-L --daemon): " + e.errnoName();
        }
        return status(kernel, readError);
    }

    /**
     * The status against the daemons the loop's thread last read (published by {@link #reconcile});
     * {@code kernel == null} before the first pass or when that read failed. Never reads the kernel.
     */
    public HaStatus status() {
        DaemonView v = daemonView;
        return v == null ? status(null, null) : status(v.daemons(), v.readError());
    }

    /** The daemons as the loop's thread last read them; {@code null} before its first pass. */
    public DaemonView daemonView() {
        return daemonView;
    }

    /** The status against {@code kernel} as read by the caller ({@code null}: unknown). */
    public HaStatus status(List<SyncDaemon> kernel) {
        return status(kernel, null);
    }

    private HaStatus status(List<SyncDaemon> kernel, String readError) {
        Map<String, InstanceState> now;
        String error;
        Instant checked;
        synchronized (lock) {
            now = instances;
            error = lastError;
            checked = lastChecked;
        }
        List<SyncDaemon> wanted = HaPlanner.wanted(settings, now.values());
        boolean inStep = kernel != null && HaPlanner.plan(wanted, kernel).isEmpty();
        return new HaStatus(settings, now, HaPlanner.isMaster(now.values()), wanted, kernel, inStep,
                readError != null ? readError : error, checked);
    }

    /** The instance states, for tests and the metrics. */
    public Map<String, InstanceState> instances() {
        synchronized (lock) {
            return instances;
        }
    }

    private static String role(boolean master) {
        return master ? "master" : "backup";
    }

    private static String lower(SyncDaemon.State s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
