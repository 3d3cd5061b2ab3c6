package io.lvsdirector.api.runtime;

import com.codahale.metrics.health.HealthCheck;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.ServiceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * {@code /healthcheck} on the admin port: unhealthy only when the director cannot serve any service,
 * because keepalived tracks it on both directors and a failing check gives up every VIP of the pair.
 * Unhealthy when: a source has not delivered its first full view (nothing is programmed yet); no
 * pass ran yet; no pass began for three resync intervals (the loop is stuck); or the last pass failed
 * as a whole (the kernel could not be read, the netlink batch broke off, the pass threw). A service
 * whose change the kernel refused is marked on its own status ({@code applyError}) and leaves the
 * check healthy: "N services out of step" in the message.
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
        var readError = director.loop().kernelReadError();
        if (readError.isPresent()) {
            return Result.unhealthy("the kernel's IPVS table cannot be read: " + readError.get());
        }
        if (!s.lastPassOk()) {
            return Result.unhealthy("last reconcile pass failed: " + s.lastError());
        }
        long services = s.services().size();
        long inKernel = s.services().stream().filter(ServiceStatus::inKernel).count();
        long outOfStep = s.services().stream().filter(x -> x.applyError() != null).count();
        return Result.healthy(inKernel + "/" + services + " services in the kernel, " + outOfStep
                + " services out of step, last pass " + s.lastPassDuration().toMillis() + " ms");
    }
}
