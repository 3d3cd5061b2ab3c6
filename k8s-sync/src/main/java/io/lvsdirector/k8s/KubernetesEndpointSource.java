package io.lvsdirector.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.lvsdirector.core.model.EndpointSource;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.SourceListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Services and their EndpointSlices ({@code discovery.k8s.io/v1}, tied to their Service
 * by the label {@value EndpointFacts#SERVICE_NAME_LABEL}), as director-core's {@link EndpointSource}:
 * two cluster-wide informers whose handlers only record and, for a Service some spec has asked
 * about, recompute that Service's {@link ServiceEndpointsView} and ask for a reconcile pass. The
 * nodes themselves come from {@link KubernetesNodeSource} (which watches every node while a spec
 * names a Service): this source opens no Node informer.
 *
 * <h2>Views</h2>
 * A view is computed when first asked for and kept; an event of its Service or of one of its
 * slices recomputes it, and listeners hear of it only when it changed (record equality). Events of
 * Services no spec names cost one map update and wake nobody. See {@link EndpointFacts} for the
 * reduction (ready, terminating, families, malformed slices).
 *
 * <h2>Failure stays with its Service</h2>
 * A missing Service gives that Service a view with a problem (no real servers, the reason in the
 * status); a malformed slice keeps its last valid version and adds a note. While a watch is lost,
 * the caches are kept, so every view stays as last seen, with a note saying so; when the watch
 * comes back without fabric8 having listed again (a resumed watch can miss deletions), the
 * resource is listed again in a fresh informer whose content replaces the old once complete
 * ({@link #fullResyncs()}), as {@link KubernetesNodeSource} does.
 *
 * <p>Thread-safe. Listeners are called on fabric8's informer threads and on this source's own
 * scheduler thread.
 */
public final class KubernetesEndpointSource implements EndpointSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEndpointSource.class);

    private final KubernetesClient client;
    private final K8sSyncConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Listeners listeners = new Listeners(LOG);
    private final AtomicLong fullResyncs = new AtomicLong();
    /** The views asked for, by {@code namespace/name}; recomputed on their events. */
    private final ConcurrentHashMap<String, ServiceEndpointsView> views = new ConcurrentHashMap<>();
    private final Watch<Service, Service> services;
    private final Watch<EndpointSlice, EndpointFacts.SliceEntry> slices;
    private volatile boolean synced;
    private volatile Instant lostSince;
    private boolean started;
    private boolean closed;

    /** A source on {@code client}, checking the watches every 500 ms. Call {@link #start()}. */
    public KubernetesEndpointSource(KubernetesClient client, K8sSyncConfig config) {
        this(client, config, Clock.systemUTC(), Duration.ofMillis(500));
    }

    /** @param monitorInterval how often the watches' connection state is checked */
    public KubernetesEndpointSource(KubernetesClient client, K8sSyncConfig config, Clock clock,
            Duration monitorInterval) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "k8s-endpoint-source");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, monitorInterval.toMillis());
        scheduler.scheduleWithFixedDelay(this::monitor, period, period, TimeUnit.MILLISECONDS);
        services = new Watch<>("services", () -> client.services().inAnyNamespace(),
                s -> key(s.getMetadata().getNamespace(), s.getMetadata().getName()),
                (previous, s) -> s);
        slices = new Watch<>("endpointslices",
                () -> client.discovery().v1().endpointSlices().inAnyNamespace().withLabel(EndpointFacts.SERVICE_NAME_LABEL),
                s -> {
                    Map<String, String> labels = s.getMetadata().getLabels();
                    String service = labels == null ? null : labels.get(EndpointFacts.SERVICE_NAME_LABEL);
                    return service == null ? null : key(s.getMetadata().getNamespace(), service);
                },
                EndpointFacts::next);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** Starts both informers; the lists run in the background ({@link #hasSynced()}). Call once. */
    public synchronized void start() {
        if (closed || started) {
            throw new IllegalStateException(closed ? "endpoint source closed" : "endpoint source already started");
        }
        started = true;
        services.start();
        slices.start();
    }

    @Override
    public ServiceEndpointsView endpoints(String namespace, String name) {
        String key = key(namespace, name);
        ServiceEndpointsView v = views.get(key);
        return v != null ? v : views.computeIfAbsent(key, k -> compute(namespace, name));
    }

    private ServiceEndpointsView compute(String namespace, String name) {
        String key = key(namespace, name);
        Map<String, Service> svc = services.current.byKey.get(key);
        Map<String, EndpointFacts.SliceEntry> sl = slices.current.byKey.get(key);
        Instant lost = lostSince;
        return EndpointFacts.view(namespace, name, svc == null || svc.isEmpty() ? null : svc.values().iterator().next(),
                sl == null ? List.of() : sl.values(),
                lost == null ? null : "the Kubernetes API cannot be watched since " + lost + ": the last view is kept");
    }

    /**
     * Recomputes the view of {@code key} if it was asked for; tells the listeners if it changed. Called
     * after the caches were updated. Always through {@code computeIfPresent}, never a plain read first:
     * a view being computed for its first reader holds the key's lock, so this waits for it and then
     * recomputes from the updated caches (a read-then-skip could leave that first view stale).
     */
    private boolean recomputeQuietly(String key) {
        ServiceEndpointsView[] before = new ServiceEndpointsView[1];
        ServiceEndpointsView after = views.computeIfPresent(key, (k, v) -> {
            before[0] = v;
            return compute(v.namespace(), v.name());
        });
        return after != null && !after.equals(before[0]);
    }

    private void recompute(String key) {
        if (recomputeQuietly(key)) {
            LOG.debug("event=service_endpoints_changed service={}", key);
            fire();
        }
    }

    private void recomputeAll() {
        boolean changed = false;
        for (String key : views.keySet()) {
            changed |= recomputeQuietly(key);
        }
        if (changed) {
            fire();
        }
    }

    /** True once both informers have listed; then stays true (outages keep the last view). */
    @Override
    public boolean hasSynced() {
        return synced;
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(listener);
    }

    /** Whether both watches are open now. */
    public boolean connected() {
        return services.watching() && slices.watching();
    }

    /** How many full re-lists ran after a watch came back. */
    public long fullResyncs() {
        return fullResyncs.get();
    }

    /** How many Services and EndpointSlices the caches hold (for the benchmark and diagnostics). */
    public int[] cached() {
        return new int[] {services.current.count(), slices.current.count()};
    }

    /** Stops both informers and the scheduler. The last views stay readable. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        services.stop();
        slices.stop();
    }

    private void fire() {
        listeners.fire();
    }

    private void submit(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("event=endpoint_source_closed task_dropped");
        }
    }

    private synchronized void checkSynced() {
        if (synced || !services.current.listed || !slices.current.listed) {
            return;
        }
        synced = true;
        LOG.info("event=endpoints_synced services={} endpointslices={}", services.current.count(),
                slices.current.count());
        recomputeAll();
        fire();
    }

    /** Scheduler thread: notices lost and regained watches; re-lists a resumed one. */
    private void monitor() {
        try {
            boolean a = services.checkConnection();
            boolean b = slices.checkConnection();
            Instant lost = lostSince;
            if (!(a && b) && lost == null && (services.disconnected || slices.disconnected)) {
                lostSince = clock.instant();
                LOG.warn("event=endpoints_watch_lost views_kept={}", views.size());
                recomputeAll();
            } else if (a && b && lost != null) {
                lostSince = null;
                LOG.info("event=endpoints_watch_back");
                recomputeAll();
            }
        } catch (RuntimeException e) {
            LOG.warn("event=endpoint_monitor_failed", e);
        }
    }

    /**
     * One resource's informer (the current generation, and a replacement while a re-list runs).
     *
     * @param <T> the resource
     * @param <F> what is kept of one object
     */
    private final class Watch<T extends HasMetadata, F> extends RelistingWatch<Watch<T, F>.Generation> {
        final Supplier<Informable<T>> informable;
        final java.util.function.Function<T, String> keyOf;
        final java.util.function.BiFunction<F, T, F> reduce;
        /** Read by the monitor: whether this watch was lost and has not come back. */
        volatile boolean disconnected;

        Watch(String resource, Supplier<Informable<T>> informable, java.util.function.Function<T, String> keyOf,
                java.util.function.BiFunction<F, T, F> reduce) {
            super(LOG, "endpoints", "resource", resource, "objects");
            this.informable = informable;
            this.keyOf = keyOf;
            this.reduce = reduce;
            // Empty until start(): views asked for earlier read no objects.
            this.current = new Generation(null);
        }

        @Override
        Generation newGeneration(Generation previous) {
            return new Generation(informable.get().runnableInformer(config.resyncPeriod().toMillis()));
        }

        @Override
        void lost() {
            disconnected = true;
        }

        @Override
        void back() {
            disconnected = false;
        }

        @Override
        void resynced() {
            fullResyncs.incrementAndGet();
        }

        @Override
        void promoted() {
            recomputeAll();
        }

        /** One informer and what its handler keeps: service key → object name → kept form. */
        final class Generation extends RelistingWatch.InformerGeneration implements ResourceEventHandler<T> {
            final ConcurrentHashMap<String, Map<String, F>> byKey = new ConcurrentHashMap<>();
            final SharedIndexInformer<T> informer;

            Generation(SharedIndexInformer<T> informer) {
                this.informer = informer;
                if (informer != null) {
                    informer.addEventHandler(this);
                }
            }

            @Override
            SharedIndexInformer<T> informer() {
                return informer;
            }

            @Override
            int count() {
                int n = 0;
                for (Map<String, F> m : byKey.values()) {
                    n += m.size();
                }
                return n;
            }

            private boolean published() {
                return current == this;
            }

            @Override
            public void onAdd(T obj) {
                record(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                String oldKey = keyOf.apply(oldObj);
                String newKey = keyOf.apply(newObj);
                if (oldKey != null && !oldKey.equals(newKey)) {
                    // A slice relabelled to another Service leaves the first.
                    onDelete(oldObj, false);
                }
                record(newObj);
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                String key = keyOf.apply(obj);
                if (key == null) {
                    return;
                }
                Map<String, F> m = byKey.get(key);
                if (m != null && m.remove(obj.getMetadata().getName()) != null) {
                    if (m.isEmpty()) {
                        byKey.remove(key, m);
                    }
                    if (published()) {
                        recompute(key);
                    }
                }
            }

            @Override
            public void onList(String resourceVersion, boolean remainedEmpty) {
                lists.incrementAndGet();
                if (!listed) {
                    listed = true;
                    if (published()) {
                        checkSynced();
                    } else {
                        // Promote on the scheduler: it holds the watch's lock; this thread is fabric8's.
                        submit(() -> promote(this));
                    }
                }
            }

            private void record(T obj) {
                String key = keyOf.apply(obj);
                if (key == null) {
                    return;
                }
                Map<String, F> m = byKey.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
                String name = obj.getMetadata().getName();
                F kept = reduce.apply(m.get(name), obj);
                m.put(name, kept);
                if (published()) {
                    recompute(key);
                }
            }
        }
    }
}
