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
     * The newest status of one target, or null if never reported. No I/O; thread-safe.
     */
    default HealthStatus status(ProbeTarget target) {
        return snapshot().get(target);
    }

    /**
     * The targets whose state or reason changed since the previous call, and forgets them: what
     * lets a pass asked for by a health transition rebuild only the services those targets feed.
     * A change made while this runs is either in the answer or in the next one, never lost; the
     * status read after this call may already be newer than the change seen, which only makes the
     * next pass redo the same service. Null means "not tracked": the caller must rebuild all.
     * The reconcile loop is the only caller. Thread-safe.
     */
    default Set<ProbeTarget> takeChanged() {
        return null;
    }

    /**
     * Tells the probes which targets the desired state needs; the loop calls it after each build.
     * New targets start probing, targets no longer listed stop. Thread-safe, non-blocking.
     */
    void watch(Set<ProbeTarget> targets);

    /** Registers a listener called after a status changed. Thread-safe. */
    void addListener(SourceListener listener);
}
