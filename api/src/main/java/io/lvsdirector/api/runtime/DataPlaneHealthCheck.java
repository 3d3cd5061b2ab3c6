package io.lvsdirector.api.runtime;

import com.codahale.metrics.health.HealthCheck;
import io.lvsdirector.core.status.DirectorStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * {@code /healthcheck} on the admin port: healthy while the reconcile loop keeps the kernel as
 * desired. Unhealthy when a source has not delivered its first view, when the last pass failed
 * (an op refused, the kernel unreadable), or when no pass ran for three resync intervals (the loop
 * is stuck). keepalived's {@code track_script} can use it to give up the VIP.
 */
public final class DataPlaneHealthCheck extends HealthCheck {

    private final Director director;
    private final Clock clock;

    public DataPlaneHealthCheck(Director director) {
        this.director = Objects.requireNonNull(director, "director");
        this.clock = director.clock();
    }

    @Override
    protected Result check() {
        DirectorStatus s = director.loop().status();
        if (!s.waitingFor().isEmpty()) {
            return Result.unhealthy("waiting for the first full view of " + String.join(", ", s.waitingFor()));
        }
        if (s.lastPassAt() == null) {
            return Result.unhealthy("no reconcile pass yet");
        }
        Duration limit = director.settings().resyncInterval().multipliedBy(3);
        Duration age = Duration.between(s.lastPassAt(), Instant.now(clock));
        if (age.compareTo(limit) > 0) {
            return Result.unhealthy("last reconcile pass began " + age.toSeconds() + " s ago (limit "
                    + limit.toSeconds() + " s)");
        }
        if (!s.lastPassOk()) {
            return Result.unhealthy("last reconcile pass failed: " + s.lastError());
        }
        long services = s.services().size();
        long inKernel = s.services().stream().filter(x -> x.inKernel()).count();
        return Result.healthy(inKernel + "/" + services + " services in the kernel, last pass "
                + s.lastPassDuration().toMillis() + " ms");
    }
}
