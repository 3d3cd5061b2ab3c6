package io.lvsdirector.k8s.lb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatus;
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
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.k8s.DirectorNames;
import io.lvsdirector.k8s.LvsServiceStore;
import io.lvsdirector.k8s.LvsStatus;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The director as a Kubernetes LoadBalancer implementation: for every {@code Service} of
 * {@code type: LoadBalancer} with our {@code loadBalancerClass} (or none, when we are the default
 * implementation) it allocates the address from the pools ({@link Allocator}), records it in
 * {@code status.loadBalancer.ingress} with {@code ipMode: VIP}, and serves one IPVS DR virtual service
 * per port and address ({@link LbSpecs}) to the reconcile loop as a {@link ServiceStore}.
 *
 * <p><b>One writer.</b> Only the holder of the pair's Lease ({@link LbLease}: {@code coordination.k8s.io/v1},
 * {@link LbConfig#leaseName()} in {@link LbConfig#leaseNamespace()}) decides and records allocations and
 * sends Events; it checks that it still holds the lease right before each status write. Every director,
 * holder or not, serves only what the Services' statuses record (below), so two directors never serve
 * one address for two Services nor two addresses for one, even while their watches disagree.
 *
 * <p><b>The cluster is the shared truth.</b> Both directors of a pair run this controller over the
 * same objects. Each Service's status is the only allocation record: the allocator is a pure function
 * of the Services (with their recorded addresses, oldest first) and the pools, so two directors with
 * the same view decide the same. Every status write is a JSON patch conditional on the
 * {@code resourceVersion} read; when both write at once, one gets 409 and reads again. A director
 * serves an address only once the cluster records it for that Service and the allocator, on its view,
 * keeps it there: when two Services' statuses name one address (two directors that allocated from
 * different views), the older Service keeps it, the younger is moved or refused, and neither director
 * serves it for the younger. Never two addresses of one family for one Service.
 *
 * <p><b>Threads.</b> Informer handlers only wake the controller's own thread
 * ({@code lvs-lb-controller}), which computes, writes statuses and Events (blocking HTTP), and then
 * publishes the served specs; the reconcile loop reads {@link #services()}, which never blocks. A
 * failed write is retried for that Service alone with a doubling backoff; nothing here reaches the
 * loop's thread.
 *
 * <p><b>Outages.</b> The informer caches are kept: the served specs stay as they were, and nothing is
 * released because the API server is away. The lease is not renewed, so the holder stops allocating
 * after two thirds of the lease duration; nobody allocates until the API answers again.
 *
 * <p>Thread-safe.
 */
public final class LoadBalancerController implements ServiceStore, AutoCloseable {

    public static final String POOL_KIND = "LvsAddressPool";
    public static final String POOL_PLURAL = "lvsaddresspools";

    /** How fabric8 addresses the pool resource (cluster-scoped, as {@code LvsService}). */
    public static final ResourceDefinitionContext POOL_CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup(LvsServiceStore.GROUP)
            .withVersion(LvsServiceStore.VERSION)
            .withKind(POOL_KIND)
            .withPlural(POOL_PLURAL)
            .withNamespaced(false)
            .build();

    /** The condition this controller keeps on each of its Services. */
    public static final String CONDITION = "lvsdirector.io/LoadBalancer";
    /** Reasons of the condition and Events besides the {@link Allocator}'s. */
    public static final String READY = "Ready";
    public static final String UNSUPPORTED_PORT = "UnsupportedPort";
    public static final String RELEASED = "AddressReleased";
    public static final String IP_MODE = "VIP";

    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(LoadBalancerController.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KubernetesClient client;
    private final LbConfig config;
    private final String director;
    private final Clock clock;
    private final LbLease lease;
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();
    /** A write's answer, newer than the informer's copy until the watch catches up (by namespace/name). */
    private final Map<String, Service> written = new ConcurrentHashMap<>();
    /** The last Event of each kind sent per Service uid, so a standing problem is told once. */
    private final Map<String, String> told = new ConcurrentHashMap<>();
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();
    private final Set<String> badPools = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicLong statusWrites = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicLong eventsSent = new AtomicLong();
    private volatile List<ServiceSpec> served = List.of();
    private volatile Map<String, Allocator.Decision> decisions = Map.of();
    private volatile boolean synced;
    private volatile boolean closed;
    private volatile SharedIndexInformer<Service> services;
    private volatile SharedIndexInformer<GenericKubernetesResource> pools;
    private volatile ScheduledExecutorService executor;
    private volatile boolean releaseOnClose = true;

    private record Retry(Instant notBefore, Duration backoff) {}

    /**
     * @param director this director's name ({@link DirectorNames}): the Events' reporting instance
     * @param clock wall clock for condition times and backoffs
     */
    public LoadBalancerController(KubernetesClient client, LbConfig config, String director, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
        this.director = DirectorNames.check(director);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lease = new LbLease(client, config.leaseNamespace(), config.leaseName(), director,
                config.leaseDuration(), System::nanoTime, clock);
    }

    /** Starts the informers and the controller's thread; returns at once. @throws IllegalStateException if started */
    public synchronized void start() {
        if (executor != null) {
            throw new IllegalStateException("already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lvs-lb-controller");
            t.setDaemon(true);
            return t;
        });
        services = client.services().inAnyNamespace().runnableInformer(0);
        services.addEventHandler(wakeOn());
        pools = client.genericKubernetesResources(POOL_CONTEXT).runnableInformer(0);
        pools.addEventHandler(wakeOn());
        services.start().whenComplete((v, t) -> logListFailure("services", t));
        pools.start().whenComplete((v, t) -> logListFailure(POOL_PLURAL, t));
        executor.scheduleWithFixedDelay(this::roundSafely, 0, config.interval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("event=lb_controller_started director={} class={} default={} config_pools={}", director,
                config.className(), config.defaultImplementation(), config.pools().size());
    }

    /** The IPVS services of every LoadBalancer Service whose address the cluster records. No I/O. */
    @Override
    public List<ServiceSpec> services() {
        return served;
    }

    /** True once both informers have listed and one round has published what they hold. */
    @Override
    public boolean hasSynced() {
        return synced;
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The last round's decisions by {@code namespace/name}: for status pages and tests. No I/O. */
    public Map<String, Allocator.Decision> decisions() {
        return decisions;
    }

    /**
     * Stops the rounds as a hung director stops: no more renewals and no writes, the lease left to run
     * out, the watches left open (tests of the takeover). {@link #close()} later stops the informers
     * and keeps the lease as it is.
     */
    public synchronized void halt() {
        closed = true;
        releaseOnClose = false;
        stopRounds();
    }

    /** Whether both watches are open now. */
    public boolean connected() {
        return services != null && services.isWatching() && pools != null && pools.isWatching();
    }

    /** Whether this director holds the Lease now, the only one that allocates. No I/O. */
    public boolean allocating() {
        return lease.held();
    }

    /** The lease holder this director last saw ("" before its first read). No I/O. */
    public String leaseHolder() {
        return lease.holder();
    }

    public long statusWrites() {
        return statusWrites.get();
    }

    public long writeFailures() {
        return writeFailures.get();
    }

    public long eventsSent() {
        return eventsSent.get();
    }

    /**
     * Stops the informers and the thread and gives the lease up, so that the peer allocates at once;
     * the served specs stay readable. Idempotent.
     */
    @Override
    public synchronized void close() {
        closed = true;
        stopRounds();
        if (releaseOnClose) {
            lease.release();
        }
        if (services != null) {
            services.stop();
        }
        if (pools != null) {
            pools.stop();
        }
    }

    private void stopRounds() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                // Let a round on the wire finish, so no write lands after this returns (nor after close()
                // gives the lease up).
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the round ---------------------------------------------------------------------------------

    private ResourceEventHandler<Object> wakeOn() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object o) {
                wake();
            }

            @Override
            public void onUpdate(Object a, Object b) {
                wake();
            }

            @Override
            public void onDelete(Object o, boolean unknown) {
                wake();
            }

            @Override
            public void onList(String resourceVersion, boolean empty) {
                wake();
            }
        };
    }

    /** Asks for a round; rounds asked for while one is queued coalesce into it. */
    private void wake() {
        if (!pending.getAndSet(true)) {
            try {
                executor.execute(this::roundSafely);
            } catch (RejectedExecutionException e) {
                pending.set(false);
            }
        }
    }

    private void roundSafely() {
        try {
            roundOnce();
        } catch (Throwable t) {
            if (closed) {
                return; // the client went away under a round that was already running
            }
            // A scheduled task that throws is never run again: keep the controller alive.
            LOG.warn("event=lb_round_failed director={} error=\"{}\"", director, t.toString(), t);
        }
    }

    /**
     * One round: decide every Service, write the statuses and Events that changed, publish the served
     * specs. Runs on the controller's thread (package-private for tests that drive it directly).
     */
    void roundOnce() {
        pending.set(false);
        if (closed || !services.hasSynced() || !pools.hasSynced()) {
            return;
        }
        List<AddressPool> poolList = pools();
        List<Service> all = view();
        Map<String, LbService> views = new LinkedHashMap<>();
        for (Service svc : all) {
            views.put(key(svc), LbServices.read(svc, config.className(), config.defaultImplementation()));
        }
        Map<String, Allocator.Decision> decided = Allocator.allocate(poolList, List.copyOf(views.values()));
        boolean leader = !closed && lease.ensure();
        Instant now = clock.instant();
        List<ServiceSpec> specs = new ArrayList<>();
        Set<String> uids = new HashSet<>();
        for (Service svc : all) {
            LbService v = views.get(key(svc));
            uids.add(v.uid());
            if (v.ours()) {
                Allocator.Decision d = decided.get(v.key());
                LbSpecs.Result built = LbSpecs.build(v, d.addresses(), config.scheduler());
                // A follower only reads: what the statuses record is what it serves.
                List<InetAddress> recorded = leader ? reconcile(svc, v, d, built.problems(), now) : null;
                if (recorded != null) {
                    // Told only once the cluster records it: a director that lost a write race to its
                    // peer must not announce an address the Service never got.
                    tell(svc, v, d, built.problems());
                } else {
                    recorded = v.ingress();
                }
                // Serve only what the cluster records for this Service and the allocator keeps there.
                List<InetAddress> serve = d.addresses().stream().filter(recorded::contains).toList();
                specs.addAll(serve.equals(d.addresses()) ? built.specs()
                        : LbSpecs.build(v, serve, config.scheduler()).specs());
            } else if (leader && LvsStatus.condition(status(svc), CONDITION) != null) {
                release(svc, v, poolList, now);
            }
        }
        told.keySet().removeIf(k -> !uids.contains(k.substring(0, k.indexOf('|'))));
        retries.keySet().removeIf(k -> !uids.contains(k));
        specs.sort(Comparator.comparing(ServiceSpec::name));
        decisions = Map.copyOf(decided);
        boolean changed = !specs.equals(served);
        served = List.copyOf(specs);
        boolean first = !synced;
        synced = true;
        if (changed || first) {
            LOG.info("event=lb_services_changed director={} services={} virtual_services={}", director,
                    decided.size(), specs.size());
            for (SourceListener l : listeners) {
                try {
                    l.changed();
                } catch (RuntimeException e) {
                    LOG.warn("event=listener_failed listener={}", l, e);
                }
            }
        }
    }

    /** The pools: the config's, then each valid {@code LvsAddressPool} object not named like one of them. */
    private List<AddressPool> pools() {
        return pools(config, pools.getStore().list(), badPools);
    }

    /**
     * What a director serves for these Services from one read of the cluster, with no writes: the
     * addresses their statuses record and the allocator keeps there. For the one-shot {@code plan} and
     * {@code status} commands, so that they show a running director's LoadBalancer services.
     *
     * @param poolObjects the {@code LvsAddressPool} objects (invalid ones are left out)
     */
    public static List<ServiceSpec> recorded(LbConfig config, List<GenericKubernetesResource> poolObjects,
            List<Service> services) {
        List<LbService> views = services.stream()
                .map(s -> LbServices.read(s, config.className(), config.defaultImplementation())).toList();
        Map<String, Allocator.Decision> decided = Allocator.allocate(pools(config, poolObjects, new HashSet<>()), views);
        List<ServiceSpec> out = new ArrayList<>();
        for (LbService v : views) {
            Allocator.Decision d = decided.get(v.key());
            if (d != null) {
                List<InetAddress> serve = d.addresses().stream().filter(v.ingress()::contains).toList();
                out.addAll(LbSpecs.build(v, serve, config.scheduler()).specs());
            }
        }
        out.sort(Comparator.comparing(ServiceSpec::name));
        return out;
    }

    private static List<AddressPool> pools(LbConfig config, List<GenericKubernetesResource> objects, Set<String> bad) {
        List<AddressPool> out = new ArrayList<>(config.pools());
        Set<String> names = new HashSet<>();
        config.pools().forEach(p -> names.add(p.name()));
        for (GenericKubernetesResource r : objects) {
            String name = r.getMetadata().getName();
            if (names.contains(name)) {
                continue;
            }
            try {
                out.add(poolOf(r));
                bad.remove(name);
            } catch (RuntimeException e) {
                if (bad.add(name)) {
                    LOG.warn("event=lb_pool_invalid pool={} error=\"{}\"", name, e.getMessage());
                }
            }
        }
        return out;
    }

    /**
     * An {@code LvsAddressPool} object as a pool: {@code spec.addresses}, {@code spec.autoAssign} (default true).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AddressPool poolOf(GenericKubernetesResource r) {
        JsonNode spec = MAPPER.valueToTree(r.getAdditionalProperties().get("spec"));
        List<String> addresses = new ArrayList<>();
        spec.path("addresses").forEach(a -> addresses.add(a.asText()));
        boolean auto = !spec.has("autoAssign") || spec.path("autoAssign").asBoolean(true);
        return AddressPool.parse(r.getMetadata().getName(), addresses, auto);
    }

    /** The informer's Services, each replaced by a write's answer while that is newer. */
    private List<Service> view() {
        Map<String, Service> byKey = new HashMap<>();
        for (Service s : services.getStore().list()) {
            byKey.put(key(s), s);
        }
        written.entrySet().removeIf(e -> {
            Service cached = byKey.get(e.getKey());
            if (cached == null || !Objects.equals(cached.getMetadata().getUid(), e.getValue().getMetadata().getUid())
                    || !newer(e.getValue(), cached)) {
                return true;
            }
            byKey.put(e.getKey(), e.getValue());
            return false;
        });
        List<Service> out = new ArrayList<>(byKey.values());
        out.sort(Comparator.comparing(LoadBalancerController::key));
        return out;
    }

    /**
     * Makes the Service's status say what the decision says; returns the addresses the cluster then
     * records for it, or null when the status could not be made to say it (a failed, conflicting or
     * postponed write).
     */
    private List<InetAddress> reconcile(Service svc, LbService v, Allocator.Decision d, List<String> problems,
            Instant now) {
        ObjectNode before = status(svc);
        ObjectNode after = before.deepCopy();
        ObjectNode lb = after.putObject("loadBalancer");
        if (!d.addresses().isEmpty()) {
            ArrayNode ingress = lb.putArray("ingress");
            for (InetAddress a : d.addresses()) {
                ingress.addObject().put("ip", IpAddresses.toText(a)).put("ipMode", IP_MODE);
            }
        }
        boolean ready = d.ok() && problems.isEmpty();
        String reason = !d.ok() ? d.reason() : problems.isEmpty() ? READY : UNSUPPORTED_PORT;
        List<String> lines = new ArrayList<>();
        lines.add(d.message());
        lines.addAll(problems);
        long generation = svc.getMetadata().getGeneration() == null ? 0 : svc.getMetadata().getGeneration();
        LvsStatus.setCondition(after, new LvsStatus.Condition(CONDITION, ready ? "True" : "False", reason,
                String.join("; ", lines), generation, null), now);
        after = normalized(after);
        if (after.equals(before)) {
            retries.remove(v.uid());
            return d.addresses();
        }
        return write(svc, v, after, now) ? d.addresses() : null;
    }

    /** The Service left us (class or type changed): takes our addresses and our condition off its status. */
    private void release(Service svc, LbService v, List<AddressPool> poolList, Instant now) {
        ObjectNode after = status(svc).deepCopy();
        ArrayNode keep = MAPPER.createArrayNode();
        List<String> gone = new ArrayList<>();
        for (JsonNode i : after.path("loadBalancer").path("ingress")) {
            String ip = i.path("ip").asText("");
            boolean mine = false;
            try {
                InetAddress a = IpAddresses.parse(ip);
                mine = IP_MODE.equals(i.path("ipMode").asText()) && poolList.stream().anyMatch(p -> p.contains(a));
            } catch (RuntimeException e) {
                // not an address of ours
            }
            if (mine) {
                gone.add(ip);
            } else {
                keep.add(i);
            }
        }
        ObjectNode lb = after.putObject("loadBalancer");
        if (!keep.isEmpty()) {
            lb.set("ingress", keep);
        }
        after = normalized(after);
        ArrayNode conditions = MAPPER.createArrayNode();
        after.path("conditions").forEach(c -> {
            if (!CONDITION.equals(c.path("type").asText())) {
                conditions.add(c);
            }
        });
        if (conditions.isEmpty()) {
            after.remove("conditions");
        } else {
            after.set("conditions", conditions);
        }
        if (write(svc, v, after, now)) {
            LOG.info("event=lb_address_released service={} addresses={}", v.key(), gone);
            event(svc, v, "release", "Normal", RELEASED, gone.isEmpty() ? "no longer served by " + config.className()
                    : "released " + String.join(", ", gone) + ": no longer a LoadBalancer Service of "
                    + config.className());
        }
    }

    /**
     * Writes the whole status as a JSON patch conditional on the {@code resourceVersion} read. A 409
     * (someone, usually the peer director, wrote in between) reads the object again and wakes another
     * round; any other failure backs off for this Service alone.
     */
    private boolean write(Service svc, LbService v, ObjectNode status, Instant now) {
        Retry retry = retries.get(v.uid());
        if (retry != null && now.isBefore(retry.notBefore())) {
            return false;
        }
        // Again right before the write: a long round can outlast the lease, which ensure() renews.
        // Closed: the lease may be given up already, and a round still running must not take it back.
        if (closed || !lease.ensure()) {
            return false;
        }
        ArrayNode patch = MAPPER.createArrayNode();
        patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion")
                .put("value", svc.getMetadata().getResourceVersion());
        patch.addObject().put("op", "add").put("path", "/status").set("value", status);
        var resource = client.services().inNamespace(v.namespace()).withName(v.name());
        try {
            Service answer = resource.subresource("status").patch(PatchContext.of(PatchType.JSON), patch.toString());
            statusWrites.incrementAndGet();
            retries.remove(v.uid());
            if (answer != null) {
                written.put(key(answer), answer);
            }
            LOG.info("event=lb_status_written service={} director={} ingress={}", v.key(), director,
                    status.path("loadBalancer").path("ingress"));
            return true;
        } catch (KubernetesClientException e) {
            writeFailures.incrementAndGet();
            if (e.getCode() == 409) {
                LOG.debug("event=lb_status_conflict service={} director={}", v.key(), director);
                try {
                    Service fresh = resource.get();
                    if (fresh != null) {
                        written.put(key(fresh), fresh);
                    }
                } catch (KubernetesClientException again) {
                    // The next round reads the informer's copy.
                }
                wake();
                return false;
            }
            Duration backoff = retry == null ? config.interval() : min(retry.backoff().multipliedBy(2), MAX_BACKOFF);
            retries.put(v.uid(), new Retry(now.plus(backoff), backoff));
            LOG.warn("event=lb_status_write_failed service={} director={} retry_in_ms={} error=\"{}\"", v.key(),
                    director, backoff.toMillis(), e.getMessage());
            return false;
        }
    }

    /** The Events of one decision: each is sent once per Service while it stands. */
    private void tell(Service svc, LbService v, Allocator.Decision d, List<String> problems) {
        event(svc, v, "allocation", d.ok() ? "Normal" : "Warning", d.reason(), d.message());
        if (!problems.isEmpty()) {
            event(svc, v, "ports", "Warning", UNSUPPORTED_PORT, String.join("; ", problems));
        }
    }

    /**
     * Records a core/v1 Event on the Service, once per (kind, reason, message). The Event's name is a
     * hash of the Service's uid, reason and message, so the peer director (or this one after a
     * restart) sending the same one gets 409 AlreadyExists and {@code kubectl describe} shows it once.
     */
    private void event(Service svc, LbService v, String kind, String type, String reason, String message) {
        String told = reason + "|" + message;
        String key = v.uid() + "|" + kind;
        if (told.equals(this.told.get(key))) {
            return;
        }
        String name = v.name() + "." + hash(v.uid() + "|" + reason + "|" + message).substring(0, 16);
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        Event e = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(v.namespace()).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Service").withNamespace(v.namespace())
                .withName(v.name()).withUid(v.uid()).withResourceVersion(svc.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent("lvs-director").withHost(director).endSource()
                .withReportingComponent(config.className()).withReportingInstance(director)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(v.namespace()).resource(e).create();
            eventsSent.incrementAndGet();
            LOG.info("event=lb_event service={} reason={} message=\"{}\"", v.key(), reason, message);
            this.told.put(key, told);
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == 409) {
                this.told.put(key, told);
            } else {
                // Not remembered: the next round sends it again.
                LOG.warn("event=lb_event_failed service={} reason={} error=\"{}\"", v.key(), reason, ex.getMessage());
            }
        }
    }

    /** A status as the model class writes it, so that a computed status compares equal to a read one. */
    private static ObjectNode normalized(ObjectNode status) {
        try {
            return (ObjectNode) MAPPER.valueToTree(MAPPER.treeToValue(status, ServiceStatus.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("status does not fit the Service model: " + e.getMessage(), e);
        }
    }

    private static ObjectNode status(Service svc) {
        if (svc.getStatus() == null) {
            return MAPPER.createObjectNode();
        }
        JsonNode n = MAPPER.valueToTree(svc.getStatus());
        return n.isObject() ? (ObjectNode) n : MAPPER.createObjectNode();
    }

    private static String key(Service s) {
        return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
    }

    /** Whether {@code a} is a newer version than {@code b} (resource versions compared as numbers when both are). */
    private static boolean newer(Service a, Service b) {
        try {
            return Long.parseLong(a.getMetadata().getResourceVersion())
                    > Long.parseLong(b.getMetadata().getResourceVersion());
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }

    private void logListFailure(String what, Throwable t) {
        if (t != null && !closed) {
            LOG.warn("event=lb_list_failed resource={} error={}", what, t.toString());
        }
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
