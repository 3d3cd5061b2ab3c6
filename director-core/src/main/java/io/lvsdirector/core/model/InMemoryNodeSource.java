package io.lvsdirector.core.model;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link NodeSource} held in memory: for a director without Kubernetes (static real servers
 * only: call {@link #markSynced()} at start) and for tests. Thread-safe.
 */
public final class InMemoryNodeSource implements NodeSource {

    private final Map<String, NodeView> nodes = new ConcurrentHashMap<>();
    private volatile boolean synced;
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();

    /** An empty source already synced: for directors that use static real servers only. */
    public static InMemoryNodeSource empty() {
        InMemoryNodeSource s = new InMemoryNodeSource();
        s.markSynced();
        return s;
    }

    /** Adds or replaces a node by name. */
    public void put(NodeView node) {
        nodes.put(node.name(), node);
        listeners.forEach(SourceListener::changed);
    }

    /** Removes a node by name. */
    public void remove(String name) {
        if (nodes.remove(name) != null) {
            listeners.forEach(SourceListener::changed);
        }
    }

    /** Declares the first full list delivered. */
    public void markSynced() {
        synced = true;
        listeners.forEach(SourceListener::changed);
    }

    @Override
    public Collection<NodeView> nodes() {
        return List.copyOf(nodes.values());
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
