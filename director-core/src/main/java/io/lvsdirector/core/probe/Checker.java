package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeTarget;
import java.util.concurrent.CompletionStage;

/** Runs one probe against one target. */
public interface Checker {

    /**
     * Starts a probe of {@code target} as its check says (HTTP GET or TCP connect) and completes
     * within the check's timeout, always normally: every failure is a {@link ProbeResult.Outcome#DOWN}
     * result with its reason, never an exceptional completion.
     *
     * <p>Thread-safe and non-blocking; the stage completes on an I/O thread, so whatever is chained
     * to it must be quick.
     */
    CompletionStage<ProbeResult> probe(ProbeTarget target);

    /**
     * Forgets whatever the checker keeps for a target no longer probed (a kept-alive connection).
     * Thread-safe; the default keeps nothing.
     */
    default void release(ProbeTarget target) {
    }
}
