package io.lvsdirector.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.lvsdirector.core.model.EndpointSource;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.k8s.lb.LbConfig;
import io.lvsdirector.k8s.lb.LoadBalancerController;
import io.lvsdirector.spec.ServiceSpecJson;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything k8s-sync gives a director, built from one {@link K8sSyncConfig} and closed together:
 * the node source, and on request the {@code LvsService} store. With Kubernetes off it hands out
 * an empty, synced node source, so a static-only director needs no special case.
 *
 * <p>Typical wiring in the api module:
 * <pre>{@code
 * KubernetesSync k8s = KubernetesSync.open(config);
 * ServiceStore services = useCrd ? k8s.lvsServiceStore(new ServiceSpecJson(config.addressType())) : fileStore;
 * NodeSource nodes = k8s.nodeSourceFor(services);
 * EndpointSource endpoints = k8s.endpointSource();
 * }</pre>
 *
 * <p>Not thread-safe for wiring (call from one thread at start); the parts it hands out are.
 */
public final class KubernetesSync implements AutoCloseable {

    private final K8sSyncConfig config;
    private final KubernetesClient client;
    private KubernetesNodeSource nodeSource;
    private KubernetesEndpointSource endpointSource;
    private LvsServiceStore serviceStore;
    private LvsStatusReporter statusReporter;
    private LoadBalancerController loadBalancer;

    private KubernetesSync(K8sSyncConfig config, KubernetesClient client) {
        this.config = config;
        this.client = client;
    }

    /**
     * Builds the client the config asks for (none when off). Does not contact the API server.
     *
     * @throws IllegalStateException as {@link KubernetesClients#create}
     */
    public static KubernetesSync open(K8sSyncConfig config) {
        Objects.requireNonNull(config, "config");
        return new KubernetesSync(config, KubernetesClients.create(config).orElse(null));
    }

    /** As {@link #open} with a client made elsewhere (tests, or a client shared with other code). */
    public static KubernetesSync withClient(K8sSyncConfig config, KubernetesClient client) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("Kubernetes is off in this config");
        }
        return new KubernetesSync(config, Objects.requireNonNull(client, "client"));
    }

    public boolean enabled() {
        return client != null;
    }

    /**
     * The node source for {@code services}' node selectors: a {@link KubernetesNodeSource} that
     * follows the store, or an empty synced source when Kubernetes is off. Call once.
     *
     * @throws IllegalStateException if called twice
     */
    public NodeSource nodeSourceFor(ServiceStore services) {
        if (client == null) {
            return InMemoryNodeSource.empty();
        }
        if (nodeSource != null) {
            throw new IllegalStateException("node source already built");
        }
        nodeSource = new KubernetesNodeSource(client, config);
        nodeSource.followSelectorsOf(services);
        return nodeSource;
    }

    /**
     * The Services and EndpointSlices that {@code realServers.kubernetes.service} specs name: a
     * started {@link KubernetesEndpointSource}, or {@link EndpointSource#NONE} when Kubernetes is off.
     * Its nodes come from {@link #nodeSourceFor}, which watches every node while such a spec exists.
     * Call once.
     *
     * @throws IllegalStateException if called twice
     */
    public EndpointSource endpointSource() {
        if (client == null) {
            return EndpointSource.NONE;
        }
        if (endpointSource != null) {
            throw new IllegalStateException("endpoint source already built");
        }
        endpointSource = new KubernetesEndpointSource(client, config);
        endpointSource.start();
        return endpointSource;
    }

    /** The Kubernetes endpoint source, if one was built. */
    public Optional<KubernetesEndpointSource> kubernetesEndpointSource() {
        return Optional.ofNullable(endpointSource);
    }

    /** The Kubernetes node source, if one was built: for health checks and metrics. */
    public Optional<KubernetesNodeSource> kubernetesNodeSource() {
        return Optional.ofNullable(nodeSource);
    }

    /**
     * The {@code LvsService} store, started. Call once.
     *
     * @throws IllegalStateException when Kubernetes is off, or if called twice
     */
    public LvsServiceStore lvsServiceStore(ServiceSpecJson mapper) {
        return lvsServiceStore(mapper, LvsServiceStore.SpecRule.NONE);
    }

    /**
     * The {@code LvsService} store, started, refusing specs that break {@code rule} as it refuses any
     * invalid spec. Call once.
     *
     * @throws IllegalStateException when Kubernetes is off, or if called twice
     */
    public LvsServiceStore lvsServiceStore(ServiceSpecJson mapper, LvsServiceStore.SpecRule rule) {
        if (client == null) {
            throw new IllegalStateException("the LvsService store needs Kubernetes; k8s mode is OFF");
        }
        if (serviceStore != null) {
            throw new IllegalStateException("LvsService store already built");
        }
        serviceStore = new LvsServiceStore(client, mapper, Clock.systemUTC(), rule);
        serviceStore.start();
        return serviceStore;
    }

    /**
     * Starts writing this director's part of every {@code LvsService} status from the loop's
     * published status ({@link LvsStatusReporter}, on its own thread). Call once, after
     * {@link #lvsServiceStore}; it stops with {@link #close()}, before the store and the client.
     *
     * @param directorName this director's name in the status ({@link DirectorNames})
     * @param loopStatus the reconcile loop's {@code status()}; must not block
     * @throws IllegalStateException without a store, or if called twice
     */
    public LvsStatusReporter startStatusReporter(String directorName,
            java.util.function.Supplier<io.lvsdirector.core.status.DirectorStatus> loopStatus) {
        if (serviceStore == null) {
            throw new IllegalStateException("the status reporter needs the LvsService store");
        }
        if (statusReporter != null) {
            throw new IllegalStateException("status reporter already started");
        }
        statusReporter = new LvsStatusReporter(serviceStore, directorName, loopStatus, java.time.Clock.systemUTC());
        statusReporter.start();
        return statusReporter;
    }

    /**
     * The LoadBalancer controller, started: allocates addresses to LoadBalancer Services of
     * {@code config.className()} and serves their IPVS services as a {@link ServiceStore} (to be
     * joined with the {@code LvsService} store's). Call once; it stops with {@link #close()}.
     *
     * @param directorName this director's name (the Events' reporting instance)
     * @throws IllegalStateException when Kubernetes is off, or if called twice
     */
    public LoadBalancerController loadBalancerController(LbConfig lbConfig, String directorName) {
        if (client == null) {
            throw new IllegalStateException("the LoadBalancer controller needs Kubernetes; k8s mode is OFF");
        }
        if (loadBalancer != null) {
            throw new IllegalStateException("LoadBalancer controller already started");
        }
        loadBalancer = new LoadBalancerController(client, lbConfig, directorName, java.time.Clock.systemUTC());
        loadBalancer.start();
        return loadBalancer;
    }

    /** The LoadBalancer controller, if one was started. */
    public Optional<LoadBalancerController> loadBalancer() {
        return Optional.ofNullable(loadBalancer);
    }

    /** Stops the informers and closes the client. Idempotent. */
    @Override
    public void close() {
        if (loadBalancer != null) {
            loadBalancer.close();
        }
        if (statusReporter != null) {
            statusReporter.close();
        }
        if (nodeSource != null) {
            nodeSource.close();
        }
        if (endpointSource != null) {
            endpointSource.close();
        }
        if (serviceStore != null) {
            serviceStore.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
