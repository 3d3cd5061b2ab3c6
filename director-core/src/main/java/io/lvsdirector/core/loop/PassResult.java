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
 * @param failed ops that were not applied, one line each with the object and errno
 * @param error why the pass failed as a whole, or {@code null}
 */
public record PassResult(Outcome outcome, Duration duration, int applied, List<String> failed, String error) {

    public enum Outcome {
        /** A source has not delivered its first full view: the kernel was not touched. */
        WAITING,
        /**
         * The director did its job: every op was sent. Ops the kernel refused are in {@code failed}
         * and marked on their services, which are retried with backoff of their own.
         */
        OK,
        /**
         * The pass failed as a whole: the kernel could not be read, the batch broke off (the socket
         * failed) or the pass threw. The loop retries with backoff, reading the kernel.
         */
        FAILED
    }

    public PassResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(duration, "duration");
        failed = List.copyOf(failed);
    }
}
