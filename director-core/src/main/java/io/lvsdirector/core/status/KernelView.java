package io.lvsdirector.core.status;

import io.lvsdirector.ipvs.IpvsSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The kernel's IPVS table as the reconcile loop last read it, published for readers on other threads
 * (REST GETs, {@code /metrics}, dry runs): they never read the kernel themselves, so a scrape can
 * never hold up the loop.
 *
 * @param snapshot the table with its counters, as read
 * @param readAt when it was read
 */
public record KernelView(IpvsSnapshot snapshot, Instant readAt) {

    public KernelView {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(readAt, "readAt");
    }

    /** How old the reading is by {@code clock}; never negative. */
    public Duration age(Clock clock) {
        Duration d = Duration.between(readAt, clock.instant());
        return d.isNegative() ? Duration.ZERO : d;
    }
}
