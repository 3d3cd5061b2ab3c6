package io.lvsdirector.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lvsdirector.k8s.lb.LbConfig;
import io.lvsdirector.k8s.lb.LoadBalancerController;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.spec.ServiceSpecJson;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@code LvsService} objects read once, for the {@code status} and {@code plan} commands: one
 * LIST of the resources (and one LIST of nodes per distinct node selector the services use), no
 * informer, no watch, the client closed before {@link #read} returns. The objects are recorded by
 * an {@link LvsServiceStore}, so an invalid spec is handled as the running director handles it at
 * its start: the object is listed in {@link #invalid()} with the reason, and the last valid spec
 * from {@code status.lastValidSpec} is served if it has one.
 *
 * <p>Nodes are as a director that has just started sees them: Ready or not by their condition,
 * with no NotReady grace (a fresh start has never seen them Ready).
 *
 * @param apiServer the API server's URL, for messages
 * @param services the served specs, sorted by name (as {@link LvsServiceStore#services()})
 * @param objects every object read, sorted by name
 * @param drains the manual drains in the objects' status
 * @param nodes the nodes the services' node selectors pick (every node when a spec names a Service)
 * @param endpoints the views of the Services that specs name ({@code realServers.kubernetes.service}),
 *     by {@code namespace/name}: one GET of the Service and one LIST of its slices each
 */
public record LvsServiceSnapshot(String apiServer, List<ServiceSpec> services,
        List<LvsServiceStore.ObjectState> objects, List<ManualDrain> drains, List<NodeView> nodes,
        Map<String, ServiceEndpointsView> endpoints) {

    /**
     * The cluster could not be read: unreachable, refused (401/403), or the resource is unknown
     * there. The message is one line naming the API server and the cause.
     */
    public static final class ReadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public LvsServiceSnapshot {
        services = List.copyOf(services);
        objects = List.copyOf(objects);
        drains = List.copyOf(drains);
        nodes = List.copyOf(nodes);
        endpoints = Map.copyOf(endpoints);
    }

    /** Objects whose current spec does not validate: name → reason, sorted by name. */
    public Map<String, String> invalid() {
        Map<String, String> out = new TreeMap<>();
        for (LvsServiceStore.ObjectState o : objects) {
            if (o.error() != null) {
                out.put(o.name(), o.error().getMessage());
            }
        }
        return out;
    }

    /**
     * Reads the cluster {@code config} names with its credentials.
     *
     * @throws IllegalArgumentException if Kubernetes is off in {@code config}
     * @throws IllegalStateException as {@link KubernetesClients#create} (no kubeconfig, not in a pod)
     * @throws ReadException if the API server cannot be reached or refuses
     */
    public static LvsServiceSnapshot read(K8sSyncConfig config, ServiceSpecJson mapper) {
        return read(config, mapper, null);
    }

    /**
     * As {@link #read(K8sSyncConfig, ServiceSpecJson)}, and with {@code loadBalancer} (null for none)
     * also the LoadBalancer Services' IPVS services a running director serves (one LIST of Services and
     * one of {@code LvsAddressPool}s more; see {@link LoadBalancerController#recorded}).
     */
    public static LvsServiceSnapshot read(K8sSyncConfig config, ServiceSpecJson mapper, LbConfig loadBalancer) {
        return read(config, mapper, loadBalancer, LvsServiceStore.SpecRule.NONE);
    }

    /** As {@link #read(K8sSyncConfig, ServiceSpecJson, LbConfig)}, judging specs as a director with {@code rule} does. */
    public static LvsServiceSnapshot read(K8sSyncConfig config, ServiceSpecJson mapper, LbConfig loadBalancer,
            LvsServiceStore.SpecRule rule) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("Kubernetes is off in this config");
        }
        Config c = KubernetesClients.buildConfig(config, System.getenv(), KubernetesClients.SERVICE_ACCOUNT)
                .orElseThrow();
        // A person waits for this: one retry, not fabric8's ten with backoff (minutes to fail).
        c.setRequestRetryBackoffLimit(1);
        c.setConnectionTimeout(5_000);
        c.setRequestTimeout(15_000);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(c).build()) {
            return read(client, config, mapper, loadBalancer, rule);
        }
    }

    /**
     * Reads with {@code client}, which stays open.
     *
     * @throws ReadException if the API server cannot be reached or refuses
     */
    public static LvsServiceSnapshot read(KubernetesClient client, K8sSyncConfig config, ServiceSpecJson mapper) {
        return read(client, config, mapper, null);
    }

    /**
     * Reads with {@code client}, which stays open; with {@code loadBalancer} (null for none) also the
     * LoadBalancer Services' IPVS services, after the {@code LvsService} objects' in {@code services}.
     *
     * @throws ReadException if the API server cannot be reached or refuses
     */
    public static LvsServiceSnapshot read(KubernetesClient client, K8sSyncConfig config, ServiceSpecJson mapper,
            LbConfig loadBalancer) {
        return read(client, config, mapper, loadBalancer, LvsServiceStore.SpecRule.NONE);
    }

    /** As {@link #read(KubernetesClient, K8sSyncConfig, ServiceSpecJson, LbConfig)}, with a director's spec rule. */
    public static LvsServiceSnapshot read(KubernetesClient client, K8sSyncConfig config, ServiceSpecJson mapper,
            LbConfig loadBalancer, LvsServiceStore.SpecRule rule) {
        Objects.requireNonNull(config, "config");
        String server = String.valueOf(client.getMasterUrl());
        List<GenericKubernetesResource> items;
        try {
            items = client.genericKubernetesResources(LvsServiceStore.CONTEXT).list().getItems();
        } catch (KubernetesClientException e) {
            throw new ReadException("cannot list LvsService objects from the API server " + server + ": "
                    + cause(e), e);
        }
        LvsServiceStore store = new LvsServiceStore(client, mapper, Clock.systemUTC(), rule);
        store.recordListed(items);
        List<ServiceSpec> services = new ArrayList<>(store.services());
        if (loadBalancer != null) {
            try {
                services.addAll(LoadBalancerController.recorded(loadBalancer,
                        client.genericKubernetesResources(LoadBalancerController.POOL_CONTEXT).list().getItems(),
                        client.services().inAnyNamespace().list().getItems()));
            } catch (KubernetesClientException e) {
                throw new ReadException("cannot list Services and LvsAddressPool objects from the API server "
                        + server + ": " + cause(e), e);
            }
        }
        List<NodeView> nodes = new ArrayList<>();
        Map<String, NodeView> byName = new TreeMap<>();
        for (Map<String, String> selector : KubernetesNodeSource.selectorsOf(services)) {
            List<Node> listed;
            try {
                listed = (selector.isEmpty() ? client.nodes() : client.nodes().withLabels(selector)).list()
                        .getItems();
            } catch (KubernetesClientException e) {
                throw new ReadException("cannot list nodes " + selector + " from the API server " + server + ": "
                        + cause(e), e);
            }
            for (Node n : listed) {
                NodeFacts facts = NodeFacts.from(n, config.addressType());
                byName.putIfAbsent(facts.name(), facts.toView(facts.readyCondition()));
            }
        }
        nodes.addAll(byName.values());
        Map<String, ServiceEndpointsView> endpoints = new TreeMap<>();
        for (ServiceSpec spec : services) {
            if (spec.realServers() instanceof RealServerSource.ServiceEndpoints ref
                    && !endpoints.containsKey(ref.serviceKey())) {
                endpoints.put(ref.serviceKey(), endpoints(client, server, ref));
            }
        }
        return new LvsServiceSnapshot(server, List.copyOf(services), store.objects(), List.copyOf(store.drains()),
                nodes, endpoints);
    }

    /** One Service and its slices, read once, reduced as the running director's source reduces them. */
    private static ServiceEndpointsView endpoints(KubernetesClient client, String server,
            RealServerSource.ServiceEndpoints ref) {
        try {
            Service svc = client.services().inNamespace(ref.namespace()).withName(ref.name()).get();
            List<EndpointFacts.SliceEntry> slices = new ArrayList<>();
            if (svc != null) {
                for (EndpointSlice slice : client.discovery().v1().endpointSlices().inNamespace(ref.namespace())
                        .withLabel(EndpointFacts.SERVICE_NAME_LABEL, ref.name()).list().getItems()) {
                    slices.add(EndpointFacts.next(null, slice));
                }
            }
            return EndpointFacts.view(ref.namespace(), ref.name(), svc, slices, null);
        } catch (KubernetesClientException e) {
            throw new ReadException("cannot read Service " + ref.serviceKey() + " and its EndpointSlices from the API"
                    + " server " + server + ": " + cause(e), e);
        }
    }

    /** One line: the HTTP status and the server's message, or the network error; never a stack trace. */
    static String cause(KubernetesClientException e) {
        if (e.getCode() > 0) {
            String m = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage();
            String hint = switch (e.getCode()) {
                case 401 -> " (the credentials were not accepted)";
                case 403 -> " (the credentials may not list this resource: check the RBAC rules)";
                case 404 -> " (is the LvsService CRD installed?)";
                default -> "";
            };
            return "HTTP " + e.getCode() + hint + ": " + oneLine(m);
        }
        // Unreachable: fabric8 wraps the I/O error; its innermost cause says what happened.
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return oneLine(root.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m));
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
