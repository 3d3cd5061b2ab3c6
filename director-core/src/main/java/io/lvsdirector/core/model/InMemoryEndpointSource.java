package io.lvsdirector.core.model;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link EndpointSource} held in memory, for tests and tools. Thread-safe. */
public final class InMemoryEndpointSource implements EndpointSource {

    private final Map<String, ServiceEndpointsView> views = new ConcurrentHashMap<>();
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean synced;

    /** Adds or replaces the view of its Service. */
    public void put(ServiceEndpointsView view) {
        views.put(view.namespace() + "/" + view.name(), view);
        listeners.forEach(SourceListener::changed);
    }

    /** Removes a Service: it then reads as not found. */
    public void remove(String namespace, String name) {
        if (views.remove(namespace + "/" + name) != null) {
            listeners.forEach(SourceListener::changed);
        }
    }

    /** Declares the first full list delivered. */
    public void markSynced() {
        synced = true;
        listeners.forEach(SourceListener::changed);
    }

    @Override
    public ServiceEndpointsView endpoints(String namespace, String name) {
        ServiceEndpointsView v = views.get(namespace + "/" + name);
        return v != null ? v : ServiceEndpointsView.failed(namespace, name,
                "Service " + namespace + "/" + name + " not found");
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
