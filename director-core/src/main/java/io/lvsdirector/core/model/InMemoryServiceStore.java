package io.lvsdirector.core.model;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ServiceStore} held in memory and replaced whole: what a file-backed store loads into,
 * and what tests use. Thread-safe.
 */
public final class InMemoryServiceStore implements ServiceStore {

    private volatile List<ServiceSpec> services = List.of();
    private volatile boolean synced;
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * Replaces every spec and marks the store synced.
     *
     * @throws IllegalArgumentException if two specs share a name
     */
    public void replaceAll(Collection<ServiceSpec> specs) {
        Set<String> names = new HashSet<>();
        for (ServiceSpec s : specs) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("duplicate service name " + s.name());
            }
        }
        services = List.copyOf(specs);
        synced = true;
        listeners.forEach(SourceListener::changed);
    }

    @Override
    public Collection<ServiceSpec> services() {
        return services;
    }

    @Override
    public boolean hasSynced() {
        return synced;
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(listener);
    }
}
