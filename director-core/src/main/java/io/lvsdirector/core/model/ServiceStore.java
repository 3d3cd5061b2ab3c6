package io.lvsdirector.core.model;

import java.util.Collection;

/**
 * The source of desired service specs: the api module implements it over a config file,
 * k8s-sync over a custom resource.
 */
public interface ServiceStore {

    /**
     * A consistent snapshot of every service spec, names unique. No I/O: read from memory.
     *
     * <p>Thread-safe; may be called from any thread at any time.
     */
    Collection<ServiceSpec> services();

    /**
     * Whether the store has loaded its first complete content. The reconcile loop does nothing
     * until it has. Thread-safe; once true it stays true.
     */
    boolean hasSynced();

    /** Registers a listener called after every change. Thread-safe. */
    void addListener(SourceListener listener);
}
