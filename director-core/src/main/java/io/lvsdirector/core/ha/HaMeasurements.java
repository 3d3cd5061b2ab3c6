package io.lvsdirector.core.ha;

import io.lvsdirector.ipvs.SyncDaemon;

/**
 * What {@link HaController} counts. Called from the reporting thread (transitions) and the loop
 * thread (daemon ops); implementations must be thread-safe and fast.
 */
public interface HaMeasurements {

    /** An instance changed state ({@code from} is {@code null} for an instance reported the first time). */
    void instanceTransition(String instance, VrrpState from, VrrpState to);

    /** This director became master ({@code true}: of at least one instance) or backup. */
    void roleChanged(boolean master);

    /** A start or stop of a sync daemon, applied or refused by the kernel. */
    void daemonOp(String op, SyncDaemon.State state, boolean ok);

    HaMeasurements NONE = new HaMeasurements() {
        @Override
        public void instanceTransition(String instance, VrrpState from, VrrpState to) {
        }

        @Override
        public void roleChanged(boolean master) {
        }

        @Override
        public void daemonOp(String op, SyncDaemon.State state, boolean ok) {
        }
    };
}
