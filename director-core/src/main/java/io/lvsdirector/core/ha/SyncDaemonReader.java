package io.lvsdirector.core.ha;

import io.lvsdirector.core.loop.KernelTask;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the kernel's sync daemons on the loop's thread and publishes them ({@link #view()}), for a
 * director without HA: the daemons someone else started are worth showing, and a request thread must
 * not read the kernel for them. With HA on, {@link HaController} publishes what it reads instead.
 * Reads at most once per {@code minAge}, so a burst of triggered passes does not dump the daemons
 * each time. Thread-safe: {@link #view()} from any thread.
 */
public final class SyncDaemonReader implements KernelTask {

    private final Clock clock;
    private final Duration minAge;
    private volatile DaemonView view;
    private volatile boolean stopped;

    public SyncDaemonReader(Clock clock, Duration minAge) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.minAge = Objects.requireNonNull(minAge, "minAge");
    }

    @Override
    public boolean reconcile(Ipvs ipvs) {
        if (stopped) {
            return true;
        }
        DaemonView v = view;
        if (v != null && v.age(clock).compareTo(minAge) < 0) {
            return true;
        }
        try {
            view = new DaemonView(ipvs.daemons(), null, clock.instant());
        } catch (IpvsException e) {
            view = new DaemonView(null, "read sync daemons (-L --daemon): " + e.errnoName(), clock.instant());
        }
        // Only shown, never acted on: a failed read asks for no retry.
        return true;
    }

    /**
     * Stops reading: the HA controller reads the daemons on every pass and publishes them itself, so a
     * second dump per pass would be work for nobody. The view is empty from then on.
     */
    public void stop() {
        stopped = true;
        view = null;
    }

    /** The daemons as last read; empty before the loop's first pass and after {@link #stop()}. */
    public Optional<DaemonView> view() {
        return Optional.ofNullable(view);
    }
}
