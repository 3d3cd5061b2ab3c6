package io.lvsdirector.core.loop;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one reconcile pass did.
 *
 * @param outcome whether it ran and how it ended
 * @param duration how long it took
 * @param applied ops the kernel acknowledged
 * @param failed ops that failed, one line each with the object and errno
 * @param error the error that stopped the pass before it could apply anything, or {@code null}
 */
public record PassResult(Outcome outcome, Duration duration, int applied, List<String> failed, String error) {

    public enum Outcome {
        /** A source has not delivered its first full view: the kernel was not touched. */
        WAITING,
        /** Every op succeeded (or there was nothing to do). */
        OK,
        /** Some ops failed, or the pass broke off; the loop retries with backoff. */
        FAILED
    }

    public PassResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(duration, "duration");
        failed = List.copyOf(failed);
    }
}
