package io.lvsdirector.core.model;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory {@link ManualDrainSource}: drains last until undone or until the process ends.
 * Thread-safe.
 */
public final class ManualDrains implements ManualDrainSource {

    private final Set<ManualDrain> drains = ConcurrentHashMap.newKeySet();
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();

    /** Starts draining; returns false if that drain was already in force. */
    public boolean drain(ManualDrain drain) {
        boolean added = drains.add(drain);
        if (added) {
            listeners.forEach(SourceListener::changed);
        }
        return added;
    }

    /** Ends a drain; returns false if it was not in force. */
    public boolean undrain(ManualDrain drain) {
        boolean removed = drains.remove(drain);
        if (removed) {
            listeners.forEach(SourceListener::changed);
        }
        return removed;
    }

    @Override
    public Collection<ManualDrain> drains() {
        return List.copyOf(drains);
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(listener);
    }
}
