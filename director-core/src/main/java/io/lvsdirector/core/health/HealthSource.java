package io.lvsdirector.core.health;

import io.lvsdirector.core.model.SourceListener;
import java.util.Map;
import java.util.Set;

/** The health the reconcile loop reads at the start of each pass. */
public interface HealthSource {

    /**
     * The newest status of every target reported so far. Targets never reported are absent (the
     * builder treats them as {@link HealthState#UNKNOWN}). No I/O; thread-safe.
     */
    Map<ProbeTarget, HealthStatus> snapshot();

    /**
     * Tells the probes which targets the desired state needs; the loop calls it after each build.
     * New targets start probing, targets no longer listed stop. Thread-safe, non-blocking.
     */
    void watch(Set<ProbeTarget> targets);

    /** Registers a listener called after a status changed. Thread-safe. */
    void addListener(SourceListener listener);
}
