package io.lvsdirector.core.health;

import java.time.Instant;
import java.util.Objects;

/**
 * The health of one probe target after rise/fall hysteresis.
 *
 * @param state the state
 * @param reason why, in words: "ok", "connect refused", "timeout", "HTTP 500", "draining: 503"
 * @param since when the state was entered
 */
public record HealthStatus(HealthState state, String reason, Instant since) {

    public HealthStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
    }

    public static HealthStatus unknown(Instant since) {
        return new HealthStatus(HealthState.UNKNOWN, "not probed yet", since);
    }
}
