package io.lvsdirector.core.health;

import io.lvsdirector.core.model.SourceListener;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The coalescing map between the probes and the reconcile loop: a probe thread puts the newest
 * status of a target (the latest wins, so a burst of transitions costs one pass) and pokes the loop.
 *
 * <p>Thread-safe. {@link #watch(Set)} forwards to whatever runs the probes.
 */
public final class HealthBoard implements HealthListener, HealthSource {

    private final ConcurrentHashMap<ProbeTarget, HealthStatus> statuses = new ConcurrentHashMap<>();
    // Targets whose state changed since the loop last asked (takeChanged): a transition rebuilds
    // only the services that use the target.
    private final Set<ProbeTarget> changed = ConcurrentHashMap.newKeySet();
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Set<ProbeTarget> watched = Set.of();
    private final Consumer<Set<ProbeTarget>> watcher;

    /** @param watcher receives the wanted targets (the probe manager's {@code setTargets}) */
    public HealthBoard(Consumer<Set<ProbeTarget>> watcher) {
        this.watcher = watcher;
    }

    /** A board whose targets go nowhere: for tests that report health by hand. */
    public static HealthBoard manual() {
        return new HealthBoard(t -> { });
    }

    @Override
    public void onHealth(ProbeTarget target, HealthStatus status) {
        HealthStatus previous = statuses.put(target, status);
        // A re-notification of the same state changes nothing a pass would act on.
        if (previous == null || previous.state() != status.state() || !previous.reason().equals(status.reason())) {
            // Marked after the put: whoever takes the mark reads this status or a newer one.
            changed.add(target);
            listeners.forEach(SourceListener::changed);
        }
    }

    @Override
    public Map<ProbeTarget, HealthStatus> snapshot() {
        return Map.copyOf(statuses);
    }

    @Override
    public HealthStatus status(ProbeTarget target) {
        return statuses.get(target);
    }

    @Override
    public Set<ProbeTarget> takeChanged() {
        Set<ProbeTarget> out = new HashSet<>();
        for (Iterator<ProbeTarget> it = changed.iterator(); it.hasNext(); ) {
            out.add(it.next());
            it.remove();
        }
        return out;
    }

    @Override
    public void watch(Set<ProbeTarget> targets) {
        if (targets.equals(watched)) {
            return;
        }
        watched = Set.copyOf(targets);
        // Forget targets nobody wants any more, so one that comes back starts from UNKNOWN.
        statuses.keySet().retainAll(watched);
        watcher.accept(watched);
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(listener);
    }
}
