package io.lvsdirector.core.health;

/** What the probes think of one (address, check) pair. */
public enum HealthState {
    /** Not probed yet. */
    UNKNOWN,
    /** Answering as expected. */
    HEALTHY,
    /** Answering, but asking for no new connections (an HTTP drain status such as 503). */
    DRAINING,
    /** Not answering, or answering wrongly: take it out. */
    FAILED
}
