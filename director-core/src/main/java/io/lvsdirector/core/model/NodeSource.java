package io.lvsdirector.core.model;

import java.util.Collection;

/**
 * The Kubernetes nodes, as k8s-sync's informer cache sees them. Implemented by k8s-sync; tests use
 * a map.
 */
public interface NodeSource {

    /**
     * A consistent snapshot of every node currently known. No I/O: read from a local cache.
     *
     * <p>Thread-safe; may be called from any thread at any time, also before {@link #hasSynced()}.
     */
    Collection<NodeView> nodes();

    /**
     * Whether the source has delivered its first full list. Until it has, the reconcile loop does not
     * touch the kernel: acting on a partial node list after a restart would delete healthy real
     * servers. Thread-safe; once true it stays true.
     */
    boolean hasSynced();

    /** Registers a listener called after every change. Thread-safe. */
    void addListener(SourceListener listener);
}
