package io.lvsdirector.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ManualDrainSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.model.SourceListener;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.spec.ServiceSpecJson;
import io.lvsdirector.spec.SpecValidationException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desired services of a director pair, held in the cluster as {@code LvsService} custom
 * resources ({@code lvsdirector.io/v1}, cluster-scoped): both directors read the same objects, each
 * reports in the status subresource under its own name, and the manual drains of the pair live in
 * {@code status.drains} of the object they drain.
 *
 * <p>An informer watches the resources; its handler maps each one with {@link ServiceSpecJson}
 * (pure, no I/O) and records the result. A resource whose spec does not validate is listed in
 * {@link #invalid()}; if an earlier generation of the same object (same {@code metadata.uid}) was
 * valid, that last valid spec stays in {@link #services()}, so an invalid edit never takes a live
 * service down; an object that was never valid is not served. One bad object must not take the
 * others down. During an API outage the last known services stay.
 *
 * <p>Thread-safe.
 */
public final class LvsServiceStore implements ServiceStore, ManualDrainSource, AutoCloseable {

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

    /** Read-modify-write attempts of one status change before it gives up (each 409 is one). */
    static final int STATUS_ATTEMPTS = 8;

    private static final Logger LOG = LoggerFactory.getLogger(LvsServiceStore.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A rule of this director's configuration that a spec must pass besides {@link ServiceSpecJson}'s
     * (which knows only the spec itself). The api supplies the ecmp mode's (a service on an announced
     * range uses {@code mh}), the rule its REST API applies to a PUT. A spec that breaks it is invalid
     * like any other: in {@link #invalid()}, the last valid generation stays served, the problem goes to
     * the object's status.
     */
    @FunctionalInterface
    public interface SpecRule {
        /** No rule beyond the mapper's. */
        SpecRule NONE = spec -> { };

        /**
         * Checks one parsed spec. Pure and quick: it runs on the informer's thread.
         *
         * @throws SpecValidationException naming the field to blame
         */
        void check(ServiceSpec spec);
    }

    private final KubernetesClient client;
    private final ServiceSpecJson mapper;
    private final Clock clock;
    private final SpecRule rule;
    private final Listeners listeners = new Listeners(LOG);
    private final Map<String, Entry> byName = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;
    private volatile boolean synced;
    private volatile boolean closed;

    /**
     * One object as last seen.
     *
     * @param uid its {@code metadata.uid}: a deleted and re-created object is a new object
     * @param generation its {@code metadata.generation}
     * @param resourceVersion its {@code metadata.resourceVersion}
     * @param served the spec served for it: this generation's, or the last valid one; null if none
     * @param servedGeneration the generation {@code served} came from, -1 if none
     * @param servedSince when this store started serving {@code served} (the status reporter
     *     compares it with the start of the loop's last pass)
     * @param error why this generation's spec is invalid, null when it is valid
     * @param drains the manual drains in its status
     * @param status its whole {@code status}, an empty object if none
     */
    private record Entry(String uid, long generation, String resourceVersion, ServiceSpec served,
            long servedGeneration, Instant servedSince, SpecValidationException error, List<ManualDrain> drains,
            JsonNode status) {}

    /**
     * What the store knows of one object, for the status reporter.
     *
     * @param name the object's name (= the service's)
     * @param uid its {@code metadata.uid} ({@code ""} if the server gave none)
     * @param generation its current {@code metadata.generation}
     * @param served the spec the director serves for it, null if none (never valid)
     * @param servedGeneration the generation {@code served} came from, -1 if none
     * @param servedSince when the store started serving {@code served}
     * @param error why the current generation is invalid, null when it is valid
     * @param status its {@code status} as last seen, an empty object if none
     */
    public record ObjectState(String name, String uid, long generation, ServiceSpec served, long servedGeneration,
            Instant servedSince, SpecValidationException error, JsonNode status) {}

    public LvsServiceStore(KubernetesClient client, ServiceSpecJson mapper) {
        this(client, mapper, Clock.systemUTC());
    }

    /** @param clock the clock {@link ObjectState#servedSince()} is read from: the reconcile loop's */
    public LvsServiceStore(KubernetesClient client, ServiceSpecJson mapper, Clock clock) {
        this(client, mapper, clock, SpecRule.NONE);
    }

    /** @param rule what a spec must pass besides the mapper's checks ({@link SpecRule#NONE}: nothing) */
    public LvsServiceStore(KubernetesClient client, ServiceSpecJson mapper, Clock clock, SpecRule rule) {
        this.client = Objects.requireNonNull(client, "client");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.rule = Objects.requireNonNull(rule, "rule");
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
                forget(r);
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

    /** Every served service spec (valid, or the last valid one of an invalid object), sorted by name. No I/O. */
    @Override
    public Collection<ServiceSpec> services() {
        return byName.values().stream()
                .map(Entry::served)
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(ServiceSpec::name))
                .toList();
    }

    /**
     * Resources whose current spec did not validate: name → the validation message. An object listed
     * here may still be served with its last valid spec. Thread-safe.
     */
    public Map<String, String> invalid() {
        Map<String, String> out = new TreeMap<>();
        byName.forEach((n, p) -> {
            if (p.error() != null) {
                out.put(n, p.error().getMessage());
            }
        });
        return out;
    }

    /** Every object the store knows, sorted by name. No I/O. Thread-safe. */
    public List<ObjectState> objects() {
        return byName.entrySet().stream()
                .map(e -> state(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(ObjectState::name))
                .toList();
    }

    /** One object, if the store knows it. No I/O. Thread-safe. */
    public Optional<ObjectState> object(String name) {
        Entry e = byName.get(name);
        return e == null ? Optional.empty() : Optional.of(state(name, e));
    }

    /** The mapping the store parses specs with. */
    public ServiceSpecJson mapper() {
        return mapper;
    }

    /** The {@code metadata.generation} last seen for a service, or -1 if unknown. Thread-safe. */
    public long generation(String name) {
        Entry p = byName.get(name);
        return p == null ? -1 : p.generation();
    }

    @Override
    public boolean hasSynced() {
        return synced;
    }

    /** Called after every change of the served specs or of the drains. */
    @Override
    public void addListener(SourceListener listener) {
        listeners.add(listener);
    }

    /** Whether the watch on the resources is open now. Thread-safe. */
    public boolean connected() {
        SharedIndexInformer<GenericKubernetesResource> inf = informer;
        return inf != null && inf.isWatching();
    }

    /** The manual drains of every object ({@code status.drains}), as last seen. No I/O. Thread-safe. */
    @Override
    public Collection<ManualDrain> drains() {
        return byName.values().stream().flatMap(e -> e.drains().stream()).toList();
    }

    /**
     * Drains {@code address} in service {@code service} by hand, for both directors of the pair: adds
     * it to {@code status.drains} of the object (read, change, write with the read
     * {@code resourceVersion}, again on a conflict). Visible in {@link #drains()} when it returns.
     *
     * <p>Blocking HTTP calls; never call it from a listener. Thread-safe.
     *
     * @return false if that drain was already in force
     * @throws ClusterWriteException if the object is gone or the API server refused or could not be reached
     */
    public boolean drain(String service, InetAddress address) {
        String text = IpAddresses.toText(address);
        return updateStatus(service, null, status -> {
            for (JsonNode d : status.path("drains")) {
                if (text.equals(d.path("address").asText())) {
                    return null;
                }
            }
            ObjectNode out = status.deepCopy();
            ArrayNode drains = out.putArray("drains");
            status.path("drains").forEach(drains::add);
            drains.addObject().put("address", text)
                    .put("since", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
            return out;
        });
    }

    /**
     * Ends a drain by hand: removes {@code address} from {@code status.drains} of the object. As
     * {@link #drain}.
     *
     * @return false if that drain was not in force
     * @throws ClusterWriteException as {@link #drain}
     */
    public boolean undrain(String service, InetAddress address) {
        String text = IpAddresses.toText(address);
        return updateStatus(service, null, status -> {
            ArrayNode drains = MAPPER.createArrayNode();
            boolean found = false;
            for (JsonNode d : status.path("drains")) {
                if (text.equals(d.path("address").asText())) {
                    found = true;
                } else {
                    drains.add(d);
                }
            }
            if (!found) {
                return null;
            }
            ObjectNode out = status.deepCopy();
            out.set("drains", drains);
            return out;
        });
    }

    /**
     * Changes the status of one object with optimistic concurrency: reads the object from the API
     * server (not the cache), applies {@code change} to its status and writes the result with a JSON
     * patch on the status subresource conditional on the read {@code metadata.resourceVersion}. If
     * anyone wrote the object in between, the server answers 409 and this reads and changes again
     * ({@value #STATUS_ATTEMPTS} attempts), so the peer director's entry, conditions and drains are
     * never overwritten with an old copy. The result is recorded at once, so readers of this store
     * see it without waiting for the watch.
     *
     * <p>Blocking HTTP calls. Thread-safe.
     *
     * @param uid the object this change is meant for, or null for whichever has the name: a change
     *     computed for a deleted object is not applied to a new one of the same name
     * @param change the newest status (an empty object if none) → the status to write, or null when
     *     there is nothing to change; called once per attempt, must not block
     * @return whether it wrote
     * @throws ClusterWriteException if the object is gone (or has another uid), or the API server
     *     refused or could not be reached
     */
    public boolean updateStatus(String name, String uid, UnaryOperator<ObjectNode> change) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(change, "change");
        var resource = client.genericKubernetesResources(CONTEXT).withName(name);
        for (int attempt = 1; ; attempt++) {
            GenericKubernetesResource current;
            try {
                current = resource.get();
            } catch (KubernetesClientException e) {
                throw new ClusterWriteException("cannot read LvsService '" + name + "': " + describe(e), e);
            }
            if (current == null) {
                throw new ClusterWriteException("no LvsService named '" + name + "' in the cluster", null);
            }
            if (uid != null && !uid.equals(current.getMetadata().getUid())) {
                throw new ClusterWriteException("LvsService '" + name + "' was replaced (uid "
                        + current.getMetadata().getUid() + ", expected " + uid + ")", null);
            }
            Object raw = current.getAdditionalProperties().get("status");
            JsonNode read = raw == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(raw);
            ObjectNode before = read.isObject() ? (ObjectNode) read : MAPPER.createObjectNode();
            ObjectNode after = change.apply(before.deepCopy());
            if (after == null || after.equals(before)) {
                return false;
            }
            // A JSON patch (RFC 6902) that replaces the whole status and sets metadata.resourceVersion
            // to the version read: the API server takes a resourceVersion in the patched object as a
            // precondition and answers 409 Conflict if the object changed since the read. (A merge
            // patch could not remove a list entry reliably; this replaces the status as computed.)
            ArrayNode patch = MAPPER.createArrayNode();
            patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion")
                    .put("value", current.getMetadata().getResourceVersion());
            patch.addObject().put("op", "add").put("path", "/status").set("value", after);
            try {
                GenericKubernetesResource written = resource.subresource("status")
                        .patch(PatchContext.of(PatchType.JSON), patch.toString());
                if (written != null) {
                    record(written);
                }
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < STATUS_ATTEMPTS) {
                    LOG.debug("event=lvsservice_status_conflict service={} attempt={}", name, attempt);
                    continue;
                }
                throw new ClusterWriteException("cannot write the status of LvsService '" + name + "': "
                        + describe(e), e);
            }
        }
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

    /**
     * Records the objects of one LIST as the informer would record them, with no informer: for the
     * one-shot commands ({@link LvsServiceSnapshot}), so their validation and their use of
     * {@code status.lastValidSpec} cannot differ from the running director's. Marks the store synced.
     */
    void recordListed(List<GenericKubernetesResource> items) {
        synchronized (this) {
            for (GenericKubernetesResource r : items) {
                recordLocked(r);
            }
        }
        synced = true;
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

    private static String describe(KubernetesClientException e) {
        String m = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : String.valueOf(e.getMessage());
        return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + m;
    }

    private static ObjectState state(String name, Entry e) {
        return new ObjectState(name, e.uid(), e.generation(), e.served(), e.servedGeneration(), e.servedSince(),
                e.error(), e.status());
    }

    private synchronized void forget(GenericKubernetesResource r) {
        String name = r.getMetadata().getName();
        Entry e = byName.get(name);
        // A delete of an older object of this name (seen late) must not remove its successor.
        if (e != null && (r.getMetadata().getUid() == null || e.uid().equals(r.getMetadata().getUid()))) {
            byName.remove(name);
            LOG.info("event=lvsservice_deleted service={}", name);
            fire();
        }
    }

    /**
     * Records one object version. Synchronized: the informer and a status write's answer both
     * record, and an older version must not replace a newer one.
     */
    private void record(GenericKubernetesResource r) {
        boolean changed;
        synchronized (this) {
            changed = recordLocked(r);
        }
        if (changed) {
            fire();
        }
    }

    private boolean recordLocked(GenericKubernetesResource r) {
        String name = r.getMetadata().getName();
        String uid = r.getMetadata().getUid() == null ? "" : r.getMetadata().getUid();
        long generation = r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
        String rv = r.getMetadata().getResourceVersion();
        Entry previous = byName.get(name);
        if (previous != null && !previous.uid().equals(uid)) {
            // The object was deleted and re-created under the same name: nothing carries over.
            previous = null;
        }
        if (previous != null && olderThan(rv, previous.resourceVersion())) {
            return false;
        }
        Object rawStatus = r.getAdditionalProperties().get("status");
        JsonNode status = rawStatus == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(rawStatus);
        List<ManualDrain> drains = drainsOf(name, status);
        if (previous != null && previous.generation() == generation && generation != 0) {
            // A status write or a resync: the spec did not change.
            byName.put(name, new Entry(uid, generation, rv, previous.served(), previous.servedGeneration(),
                    previous.servedSince(), previous.error(), drains, status));
            boolean drainsChanged = !drains.equals(previous.drains());
            if (drainsChanged) {
                LOG.info("event=lvsservice_drains_changed service={} drains={}", name, drains.size());
            }
            return drainsChanged;
        }
        Entry e;
        try {
            JsonNode spec = MAPPER.valueToTree(r.getAdditionalProperties().get("spec"));
            ServiceSpec parsed = parse(name, spec);
            boolean same = previous != null && parsed.equals(previous.served());
            e = new Entry(uid, generation, rv, parsed, generation,
                    same ? previous.servedSince() : clock.instant(), null, drains, status);
            if (!same) {
                LOG.info("event=lvsservice_changed service={} generation={}", name, generation);
            }
        } catch (SpecValidationException ex) {
            if (previous != null && previous.served() != null) {
                LOG.warn("event=lvsservice_invalid service={} generation={} field={} kept_generation={} error=\"{}\"",
                        name, generation, ex.field(), previous.servedGeneration(), ex.getMessage());
                e = new Entry(uid, generation, rv, previous.served(), previous.servedGeneration(),
                        previous.servedSince(), ex, drains, status);
            } else if (lastValid(name, status) != null) {
                Entry kept = lastValid(name, status);
                // A director that starts while the object is invalid has no earlier version in
                // memory: the last valid spec a director recorded in the status keeps it served.
                LOG.warn("event=lvsservice_invalid service={} generation={} field={} kept_generation={}"
                        + " kept_from=status error=\"{}\"", name, generation, ex.field(), kept.servedGeneration(),
                        ex.getMessage());
                e = new Entry(uid, generation, rv, kept.served(), kept.servedGeneration(), clock.instant(), ex,
                        drains, status);
            } else {
                LOG.warn("event=lvsservice_invalid service={} generation={} field={} kept_generation=none error=\"{}\"",
                        name, generation, ex.field(), ex.getMessage());
                e = new Entry(uid, generation, rv, null, -1, null, ex, drains, status);
            }
        }
        byName.put(name, e);
        return true;
    }

    /**
     * Whether resource version {@code a} is older than {@code b}. Resource versions are opaque to
     * clients; this only orders them when both are integers (etcd's revisions are) and otherwise
     * takes the newer-arriving one, which is what an informer alone would do.
     */
    private static boolean olderThan(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return Long.parseLong(a) < Long.parseLong(b);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The mapper's checks, then this director's rule. */
    private ServiceSpec parse(String name, JsonNode spec) {
        ServiceSpec parsed = mapper.fromJson(name, spec);
        rule.check(parsed);
        return parsed;
    }

    /** {@code status.lastValidSpec} as an entry holding only the spec and its generation; null if none or unusable. */
    private Entry lastValid(String name, JsonNode status) {
        JsonNode lv = status.path(LvsStatus.LAST_VALID_SPEC);
        if (!lv.path("spec").isObject() || !lv.path("generation").canConvertToLong()) {
            return null;
        }
        try {
            return new Entry("", 0, null, parse(name, lv.path("spec")), lv.path("generation").asLong(),
                    null, null, List.of(), status);
        } catch (SpecValidationException ex) {
            return null;
        }
    }

    private static List<ManualDrain> drainsOf(String name, JsonNode status) {
        List<ManualDrain> out = new ArrayList<>();
        for (JsonNode d : status.path("drains")) {
            try {
                out.add(new ManualDrain(name, IpAddresses.parse(d.path("address").asText())));
            } catch (RuntimeException e) {
                LOG.warn("event=lvsservice_bad_drain service={} drain={}", name, d);
            }
        }
        return List.copyOf(out);
    }

    private void fire() {
        listeners.fire();
    }
}
