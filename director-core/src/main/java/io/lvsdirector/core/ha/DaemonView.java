package io.lvsdirector.core.ha;

import io.lvsdirector.ipvs.SyncDaemon;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The kernel's connection sync daemons as the reconcile loop's thread last read them
 * ({@code ipvsadm -L --daemon}), published for the API and the metrics so that no request thread
 * reads the kernel.
 *
 * @param daemons the daemons running, {@code null} when the read failed
 * @param readError why the read failed (with the errno name), {@code null} when it succeeded
 * @param readAt when it was read
 */
public record DaemonView(List<SyncDaemon> daemons, String readError, Instant readAt) {

    public DaemonView {
        daemons = daemons == null ? null : List.copyOf(daemons);
        Objects.requireNonNull(readAt, "readAt");
    }

    /** How old the reading is by {@code clock}; never negative. */
    public Duration age(Clock clock) {
        Duration d = Duration.between(readAt, clock.instant());
        return d.isNegative() ? Duration.ZERO : d;
    }
}
