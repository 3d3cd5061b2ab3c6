package io.lvsdirector.core.health;

/** Receives health transitions (and periodic re-notifications of unchanged states) from the probes. */
@FunctionalInterface
public interface HealthListener {

    /**
     * Called on a probe thread. Must only record the status and return: a slow listener delays
     * every probe that shares the thread. Must not throw.
     */
    void onHealth(ProbeTarget target, HealthStatus status);
}
