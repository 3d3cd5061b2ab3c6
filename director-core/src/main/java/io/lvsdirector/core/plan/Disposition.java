package io.lvsdirector.core.plan;

/** What the desired state wants done with one candidate real server. */
public enum Disposition {
    /** Healthy: in the table at its configured weight. */
    ACTIVE,
    /**
     * Not probed yet: kept as the kernel has it (at its configured weight) if present, not added if
     * absent. This is what makes a restart change nothing before the first probe answers.
     */
    UNKNOWN,
    /** Draining: weight 0 while it has connections, removed at 0 connections or at the drain deadline. */
    DRAINING,
    /** Failed: removed at once. */
    FAILED,
    /** Down like every other real server of its service, but kept in at its weight (fail-open). */
    FAIL_OPEN,
    /** The service's sorry server, present only while every real server is down. */
    SORRY
}
