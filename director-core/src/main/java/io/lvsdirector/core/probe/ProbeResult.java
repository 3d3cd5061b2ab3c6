package io.lvsdirector.core.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * The raw answer of one probe, before rise/fall.
 *
 * @param outcome up, draining, or down
 * @param reason in words: "ok", "connect refused", "timeout", "connection reset", "HTTP 500",
 *     "draining: 503"
 * @param latency from the start of the connect to the answer (or to the timeout)
 */
public record ProbeResult(Outcome outcome, String reason, Duration latency) {

    public enum Outcome {
        /** Answered as expected. */
        UP,
        /** Answered with a drain status: no new connections, please. */
        DRAINING,
        /** Did not answer, or answered wrongly. */
        DOWN
    }

    public ProbeResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(latency, "latency");
    }
}
