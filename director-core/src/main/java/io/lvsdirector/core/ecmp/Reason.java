package io.lvsdirector.core.ecmp;

/**
 * Why a VIP is announced or withdrawn: one label, the same in the status, the metrics and the logs.
 * The first that applies wins, in this order.
 */
public enum Reason {
    /** The director is stopping: every VIP goes at once. */
    STOPPING("stopping"),
    /** The reconcile loop cannot do its job (sources not synced, kernel unreadable, stuck, failed pass). */
    LOOP_UNHEALTHY("loop_unhealthy"),
    /** The VIP is outside every configured range: never announced. */
    OUTSIDE_RANGES("outside_ranges"),
    /** A service on the VIP is not {@code mh}: directors would hash flows to different real servers. */
    NOT_MH("scheduler_not_mh"),
    /** A service on the VIP is not in this director's kernel table. */
    NOT_IN_KERNEL("not_in_kernel"),
    /** The kernel refused a service's last change: this director's table is out of step. */
    APPLY_ERROR("apply_error"),
    /** A service on the VIP has fewer healthy real servers than its quorum. */
    BELOW_QUORUM("below_quorum"),
    /** Every service on the VIP can be served: announced. */
    SERVING("serving");

    private final String label;

    Reason(String label) {
        this.label = label;
    }

    /** The metric / log label. */
    public String label() {
        return label;
    }

    /** Whether a VIP with this reason is announced. */
    public boolean announced() {
        return this == SERVING;
    }
}
