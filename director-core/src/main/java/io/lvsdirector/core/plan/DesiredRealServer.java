package io.lvsdirector.core.plan;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import java.time.Instant;
import java.util.Objects;

/**
 * One candidate real server of a desired service, with what to do about it and why.
 *
 * @param key address and port
 * @param spec the configured weight, forwarding and thresholds (the weight the server has when in
 *     service)
 * @param disposition what to do
 * @param health what the probe says ({@link HealthState#HEALTHY} when the service has no check)
 * @param reason why, in words ("ok", "connect refused", "draining: 503", "cordoned", "manual")
 * @param since when the reason began
 * @param drainDeadline when a draining server is removed even with connections left; {@code null}
 *     unless draining
 * @param node the Kubernetes node name, or {@code null} for a static real server
 */
public record DesiredRealServer(
        RealServerKey key,
        RealServerSpec spec,
        Disposition disposition,
        HealthState health,
        String reason,
        Instant since,
        Instant drainDeadline,
        String node) {

    public DesiredRealServer {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
        if ((disposition == Disposition.DRAINING) != (drainDeadline != null)) {
            throw new IllegalArgumentException("a drain deadline goes with DRAINING, and only with it");
        }
    }

    /** The weight this server should have in the kernel right now, or -1 if it should be absent. */
    public int desiredWeight() {
        switch (disposition) {
            case ACTIVE:
            case UNKNOWN:
            case FAIL_OPEN:
            case SORRY:
                return spec.weight();
            case DRAINING:
                return 0;
            default:
                return -1;
        }
    }
}
