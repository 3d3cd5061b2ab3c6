package io.lvsdirector.core.status;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeTarget;
import java.time.Duration;

/**
 * What director-core measures; the api module exports it (to Prometheus). Director-core calls these
 * from the reconcile thread and from probe threads: implementations must be thread-safe, fast and
 * must not throw.
 */
public interface Measurements {

    /** One reconcile pass ended; {@code ok} is false when any op or the kernel read failed. */
    void passCompleted(Duration duration, boolean ok);

    /** One kernel op was applied; {@code kind} is a {@link io.lvsdirector.core.plan.PlanOp#kind()}. */
    void opApplied(String kind, boolean ok);

    /** One probe finished (a success, a failure or a drain answer) after {@code latency}. */
    void probeCompleted(ProbeTarget target, Duration latency, boolean ok);

    /** A probe target changed state after rise/fall. */
    void healthTransition(ProbeTarget target, HealthState from, HealthState to);

    /** A service's all-down policy came into force ({@code active}) or ended. */
    void allDown(String service, String policy, boolean active);

    /**
     * The kernel refused a change of {@code service} (or the director refused the op itself) in one
     * pass; the service is out of step until a later pass applies it.
     */
    default void applyFailed(String service, String kind, String errno) {
    }

    /** After a pass: whether {@code service}'s kernel entries are as desired. */
    default void serviceInStep(String service, boolean inStep) {
    }

    /** A service is no longer desired: forget its per-service series. */
    default void serviceGone(String service) {
    }

    /** Measurements that go nowhere. */
    Measurements NONE = new Measurements() {
        @Override
        public void passCompleted(Duration duration, boolean ok) {
        }

        @Override
        public void opApplied(String kind, boolean ok) {
        }

        @Override
        public void probeCompleted(ProbeTarget target, Duration latency, boolean ok) {
        }

        @Override
        public void healthTransition(ProbeTarget target, HealthState from, HealthState to) {
        }

        @Override
        public void allDown(String service, String policy, boolean active) {
        }
    };
}
