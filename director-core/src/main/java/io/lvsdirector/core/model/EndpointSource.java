package io.lvsdirector.core.model;

/**
 * Kubernetes Services and their EndpointSlices, as k8s-sync's informer caches see them: how a
 * {@link RealServerSource.ServiceEndpoints} is resolved, as a {@link RealServerSource.NodeSelector}
 * is through a {@link NodeSource}. The nodes themselves (addresses, Ready, cordon) still come from
 * the node source. Implemented by k8s-sync; tests use {@link InMemoryEndpointSource}.
 */
public interface EndpointSource {

    /**
     * The newest view of one Service. No I/O: read from a local cache, cheap enough to call for every
     * service of every pass. Never {@code null}: a Service that does not exist (or is not watched)
     * gives a view with a {@link ServiceEndpointsView#problem()}.
     *
     * <p>Thread-safe; may be called from any thread at any time, also before {@link #hasSynced()}.
     */
    ServiceEndpointsView endpoints(String namespace, String name);

    /**
     * Whether the source has delivered its first full list of Services and slices. Until it has, the
     * reconcile loop does not touch the kernel (a Service not listed yet would look deleted).
     * Thread-safe; once true it stays true.
     */
    boolean hasSynced();

    /** Registers a listener called after every change. Thread-safe. */
    void addListener(SourceListener listener);

    /**
     * For a director without Kubernetes: synced, and every Service is a problem, so a spec that names
     * one fails alone and says why.
     */
    EndpointSource NONE = new EndpointSource() {
        @Override
        public ServiceEndpointsView endpoints(String namespace, String name) {
            return ServiceEndpointsView.failed(namespace, name,
                    "this director has no Kubernetes endpoint source (kubernetes mode off)");
        }

        @Override
        public boolean hasSynced() {
            return true;
        }

        @Override
        public void addListener(SourceListener listener) {
        }

        @Override
        public String toString() {
            return "EndpointSource.NONE";
        }
    };
}
