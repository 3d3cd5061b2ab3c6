package io.lvsdirector.core.health;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The coalescing map between the probes and the reconcile loop: a probe thread puts the newest
 * status of a target (the latest wins, so a burst of transitions costs one pass) and pokes the loop.
 *
 * <p>Thread-safe. {@link #watch(Set)} forwards to whatever runs the probes.
 */
public final class HealthBoard implements HealthListener, HealthSource {

    private final ConcurrentHashMap<ProbeTarget, HealthStatus> statuses = new ConcurrentHashMap<>();
    private final Consumer<Set<ProbeTarget>> watcher;
    private volatile Runnable onChange = () -> { };

    /** @param watcher receives the wanted targets (the probe manager's {@code setTargets}) */
    public HealthBoard(Consumer<Set<ProbeTarget>> watcher) {
        this.watcher = watcher;
    }

    /** Sets what to call after a status changed (the loop's {@code requestSync}). */
    public void onChange(Runnable action) {
        this.onChange = action;
    }

    @Override
    public void onHealth(ProbeTarget target, HealthStatus status) {
        HealthStatus previous = statuses.put(target, status);
        // A re-notification of the same state changes nothing the builder reads except "since",
        // which a pass does not need to act on.
        if (previous == null || previous.state() != status.state() || !previous.reason().equals(status.reason())) {
            onChange.run();
        }
    }

    @Override
    public Map<ProbeTarget, HealthStatus> snapshot() {
        return Map.copyOf(statuses);
    }

    @Override
    public void watch(Set<ProbeTarget> targets) {
        // Forget targets nobody wants any more, so a re-added one starts from UNKNOWN.
        statuses.keySet().retainAll(targets);
        watcher.accept(targets);
    }
}
