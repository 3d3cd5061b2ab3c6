package io.lvsdirector.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.model.SourceListener;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desired services of a director pair, held in the cluster as {@code LvsService} custom
 * resources ({@code lvsdirector.io/v1}, cluster-scoped): both directors read the same objects, and
 * each reports what it applied in the status subresource under its own name.
 *
 * <p>An informer watches the resources; its handler maps each one with {@link ServiceSpecJson}
 * (pure, no I/O) and records the result. A resource whose spec does not validate is left out of
 * {@link #services()} and listed in {@link #invalid()}: one bad object must not take the others
 * down. During an API outage the last known services stay.
 *
 * <p>Thread-safe.
 */
public final class LvsServiceStore implements ServiceStore, AutoCloseable {

    public static final String GROUP = "lvsdirector.io";
    public static final String VERSION = "v1";
    public static final String KIND = "LvsService";
    public static final String PLURAL = "lvsservices";

    /** How fabric8 addresses the resource. */
    public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup(GROUP)
            .withVersion(VERSION)
            .withKind(KIND)
            .withPlural(PLURAL)
            .withNamespaced(false)
            .build();

    private static final Logger LOG = LoggerFactory.getLogger(LvsServiceStore.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern DIRECTOR_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");

    private final KubernetesClient client;
    private final ServiceSpecJson mapper;
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Parsed> byName = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;
    private volatile boolean synced;
    private volatile boolean closed;

    /** A resource as last seen: its generation and either its spec or why it has none. */
    private record Parsed(long generation, ServiceSpec spec, String error) {}

    public LvsServiceStore(KubernetesClient client, ServiceSpecJson mapper) {
        this.client = Objects.requireNonNull(client, "client");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * Starts the informer; returns at once, {@link #hasSynced()} turns true after the first list.
     *
     * @throws IllegalStateException if already started
     */
    public synchronized void start() {
        if (informer != null) {
            throw new IllegalStateException("already started");
        }
        SharedIndexInformer<GenericKubernetesResource> inf =
                client.genericKubernetesResources(CONTEXT).runnableInformer(0);
        inf.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource r) {
                record(r);
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldR, GenericKubernetesResource newR) {
                record(newR);
            }

            @Override
            public void onDelete(GenericKubernetesResource r, boolean finalStateUnknown) {
                if (byName.remove(r.getMetadata().getName()) != null) {
                    LOG.info("event=lvsservice_deleted service={}", r.getMetadata().getName());
                    fire();
                }
            }

            @Override
            public void onList(String resourceVersion, boolean remainedEmpty) {
                if (!synced) {
                    synced = true;
                    LOG.info("event=lvsservices_synced services={} invalid={}", services().size(), invalid().size());
                }
                fire();
            }
        });
        informer = inf;
        inf.start().whenComplete((v, t) -> {
            if (t != null && !closed) {
                LOG.warn("event=lvsservice_list_failed error={}", t.toString());
            }
        });
    }

    /** Every valid service spec, sorted by name. No I/O. Thread-safe. */
    @Override
    public Collection<ServiceSpec> services() {
        return byName.values().stream()
                .map(Parsed::spec)
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(ServiceSpec::name))
                .toList();
    }

    /** Resources whose spec did not validate: name → the validation message. Thread-safe. */
    public Map<String, String> invalid() {
        Map<String, String> out = new TreeMap<>();
        byName.forEach((n, p) -> {
            if (p.error() != null) {
                out.put(n, p.error());
            }
        });
        return out;
    }

    /** The {@code metadata.generation} last seen for a service, or -1 if unknown. Thread-safe. */
    public long generation(String name) {
        Parsed p = byName.get(name);
        return p == null ? -1 : p.generation();
    }

    @Override
    public boolean hasSynced() {
        return synced;
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Whether the watch on the resources is open now. Thread-safe. */
    public boolean connected() {
        SharedIndexInformer<GenericKubernetesResource> inf = informer;
        return inf != null && inf.isWatching();
    }

    /**
     * Writes {@code status.directors.<directorName>} of one service with a JSON merge patch on the
     * status subresource ({@code kubectl patch --subresource=status --type=merge}). A merge patch
     * touches only this director's key, so the two directors of a pair need no coordination and
     * never conflict.
     *
     * <p>Blocking HTTP call; call it from the reconcile thread after a pass, never from a listener.
     * Thread-safe.
     *
     * @throws IllegalArgumentException if the director name is not a DNS label
     * @throws KubernetesClientException when the API server refuses (404 if the resource is gone,
     *     403 if the RBAC lacks {@code update/patch} on {@code lvsservices/status})
     */
    public void reportStatus(String directorName, String serviceName, DirectorStatus status) {
        if (directorName == null || !DIRECTOR_NAME.matcher(directorName).matches()) {
            throw new IllegalArgumentException("director name must be a lower-case DNS label: '" + directorName + "'");
        }
        Objects.requireNonNull(serviceName, "serviceName");
        ObjectNode patch = MAPPER.createObjectNode();
        patch.putObject("status").putObject("directors").set(directorName, statusJson(status));
        client.genericKubernetesResources(CONTEXT)
                .withName(serviceName)
                .subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    /** The status a director wrote for a service, read from the informer's cache; null if none. */
    public JsonNode statusOf(String directorName, String serviceName) {
        SharedIndexInformer<GenericKubernetesResource> inf = informer;
        if (inf == null) {
            return null;
        }
        GenericKubernetesResource r = inf.getStore().getByKey(serviceName);
        if (r == null || r.getAdditionalProperties().get("status") == null) {
            return null;
        }
        JsonNode status = MAPPER.valueToTree(r.getAdditionalProperties().get("status"));
        JsonNode d = status.path("directors").path(directorName);
        return d.isMissingNode() ? null : d;
    }

    /**
     * The {@code LvsService} object for a spec, ready to create or replace: what an operator's YAML
     * would hold, and what the api module writes when the CRD store is selected.
     */
    public static GenericKubernetesResource toResource(ServiceSpec spec, ServiceSpecJson mapper) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(GROUP + "/" + VERSION);
        r.setKind(KIND);
        r.setMetadata(new ObjectMetaBuilder().withName(spec.name()).build());
        r.setAdditionalProperty("spec", MAPPER.convertValue(mapper.toJson(spec), Map.class));
        return r;
    }

    /** Stops the informer; the last services stay readable. Idempotent. */
    @Override
    public void close() {
        closed = true;
        SharedIndexInformer<GenericKubernetesResource> inf = informer;
        if (inf != null) {
            inf.stop();
        }
    }

    private static ObjectNode statusJson(DirectorStatus s) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("observedGeneration", s.observedGeneration());
        o.put("state", s.state().name());
        o.put("message", s.message());
        var arr = o.putArray("realServers");
        for (DirectorStatus.AppliedRealServer rs : s.realServers()) {
            ObjectNode e = arr.addObject();
            e.put("address", rs.address());
            e.put("port", rs.port());
            e.put("weight", rs.weight());
            e.put("health", rs.health());
        }
        o.put("updated", s.updated().toString());
        return o;
    }

    private void record(GenericKubernetesResource r) {
        String name = r.getMetadata().getName();
        long generation = r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
        Parsed previous = byName.get(name);
        if (previous != null && previous.generation() == generation && generation != 0) {
            // A status write or a resync: the spec did not change.
            return;
        }
        Parsed p;
        try {
            JsonNode spec = MAPPER.valueToTree(r.getAdditionalProperties().get("spec"));
            p = new Parsed(generation, mapper.fromJson(name, spec), null);
        } catch (SpecValidationException e) {
            LOG.warn("event=lvsservice_invalid service={} generation={} error=\"{}\"", name, generation, e.getMessage());
            p = new Parsed(generation, null, e.getMessage());
        }
        byName.put(name, p);
        if (p.spec() != null && (previous == null || !p.spec().equals(previous.spec()))) {
            LOG.info("event=lvsservice_changed service={} generation={}", name, generation);
        }
        fire();
    }

    private void fire() {
        for (SourceListener l : listeners) {
            try {
                l.changed();
            } catch (RuntimeException e) {
                LOG.warn("event=listener_failed listener={}", l, e);
            }
        }
    }
}
