package io.lvsdirector.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.model.SourceListener;
import io.lvsdirector.spec.AddressType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes nodes the services' node selectors pick, as director-core's {@link NodeSource}:
 * one shared informer per distinct label selector, whose handlers only record the node and ask
 * for a reconcile pass; {@link #nodes()} hands the loop the newest state.
 *
 * <h2>What it decides</h2>
 * <ul>
 *   <li><b>Addresses</b>: the configured {@link AddressType} first, the other type after it, so
 *       {@link NodeView#addressFor} picks the preferred address of the VIP's family.
 *   <li><b>NotReady grace</b>: a node this source has seen Ready, whose Ready condition then left
 *       True, is still reported ready until {@link K8sSyncConfig#notReadyGrace()} has passed since
 *       it left (the earlier of the condition's {@code lastTransitionTime} and the moment this
 *       source saw it). The health probes decide meanwhile; a short blip never pulls a node whose
 *       probes pass. A node never seen Ready gets no grace.
 *   <li><b>Draining</b>: cordon and the exclude label travel in the {@link NodeView}; director-core
 *       turns them into weight 0.
 * </ul>
 *
 * <h2>API outages</h2>
 * The informers keep their caches while the API server is unreachable, so {@link #nodes()} keeps
 * returning the last known set: the rotation never empties because the control plane is down.
 * {@link #connected()} says whether every watch is open and {@link #lastSync()} when the source
 * last knew itself in step with the server. When a watch comes back without fabric8 having listed
 * again (a plain watch resume can miss deletions), the source lists everything again in a fresh
 * informer and swaps its cache in once that list is complete; {@link #fullResyncs()} counts those.
 *
 * <h2>Selector changes</h2>
 * {@link #setSelectors} starts informers for new selectors and stops those no longer used. A
 * service whose selector moves to one no other service uses sees its nodes once the new informer
 * has listed: one LIST round trip.
 *
 * <p>Thread-safe. Listeners are called on fabric8's informer threads and on this source's own
 * scheduler thread.
 */
public final class KubernetesNodeSource implements NodeSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesNodeSource.class);

    private final KubernetesClient client;
    private final K8sSyncConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Listeners listeners = new Listeners(LOG);
    private final AtomicLong fullResyncs = new AtomicLong();

    /** Keyed by selector (sorted map, so equal selectors are one key). Replaced whole under {@code this}. */
    private volatile Map<Map<String, String>, SelectorWatch> watches = Map.of();
    private volatile boolean selectorsKnown;
    private volatile boolean synced;
    private volatile Instant lastSync;
    private volatile Instant lastFullResync;
    private boolean closed;

    /** A source on {@code client} with the system clock, checking the watches every 500 ms. */
    public KubernetesNodeSource(KubernetesClient client, K8sSyncConfig config) {
        this(client, config, Clock.systemUTC(), Duration.ofMillis(500));
    }

    /**
     * @param clock the clock the NotReady grace and the sync age are measured with (tests inject one)
     * @param monitorInterval how often the watches' connection state is checked
     */
    public KubernetesNodeSource(KubernetesClient client, K8sSyncConfig config, Clock clock, Duration monitorInterval) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!config.enabled()) {
            throw new IllegalArgumentException("Kubernetes is off in this config; use InMemoryNodeSource.empty()");
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "k8s-node-source");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, monitorInterval.toMillis());
        scheduler.scheduleWithFixedDelay(this::monitor, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * The distinct label selectors of every service whose real servers come from nodes. A service
     * whose real servers are a Kubernetes Service's nodes ({@link RealServerSource.ServiceEndpoints})
     * needs every node (its endpoints may be on any), so it adds the empty selector: one informer
     * over all nodes, shared by every such service.
     */
    public static Set<Map<String, String>> selectorsOf(Collection<ServiceSpec> services) {
        Set<Map<String, String>> out = new HashSet<>();
        for (ServiceSpec s : services) {
            if (s.realServers() instanceof RealServerSource.NodeSelector sel) {
                out.add(new TreeMap<>(sel.labels()));
            } else if (s.realServers() instanceof RealServerSource.ServiceEndpoints) {
                out.add(new TreeMap<>());
            }
        }
        return out;
    }

    /**
     * Watches exactly these label selectors (equality on every entry; an empty map is every node).
     * Starts an informer for each new selector and stops those no longer listed. Does not block on
     * the API server: the lists run in the background.
     *
     * <p>{@link #hasSynced()} turns true once the first call's informers have all listed. Thread-safe.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized void setSelectors(Collection<Map<String, String>> selectors) {
        if (closed) {
            throw new IllegalStateException("node source closed");
        }
        Map<Map<String, String>, SelectorWatch> next = new LinkedHashMap<>();
        for (Map<String, String> s : selectors) {
            Map<String, String> key = new TreeMap<>(s);
            SelectorWatch w = watches.get(key);
            next.put(key, w != null ? w : new SelectorWatch(Map.copyOf(key)));
        }
        for (Map.Entry<Map<String, String>, SelectorWatch> e : watches.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                LOG.info("event=node_selector_removed selector={}", e.getKey());
                e.getValue().stop();
            }
        }
        List<SelectorWatch> started = new ArrayList<>();
        for (SelectorWatch w : next.values()) {
            if (w.current == null) {
                started.add(w);
            }
        }
        watches = Map.copyOf(next);
        selectorsKnown = true;
        for (SelectorWatch w : started) {
            LOG.info("event=node_selector_added selector={}", w.selector);
            w.start();
        }
        checkSynced();
        fire();
    }

    /**
     * Keeps the selectors equal to those of {@code store}'s services: on every change of the store,
     * once it has synced, {@link #setSelectors} runs on this source's thread (never on the store's).
     */
    public void followSelectorsOf(ServiceStore store) {
        Runnable update = () -> {
            if (store.hasSynced()) {
                Set<Map<String, String>> wanted = selectorsOf(store.services());
                if (!selectorsKnown || !wanted.equals(watches.keySet())) {
                    setSelectors(wanted);
                }
            }
        };
        store.addListener(() -> submit(update));
        submit(update);
    }

    /**
     * Every node that matches at least one selector, newest state, NotReady grace applied at the
     * time of the call. No I/O: read from the informers' records. Thread-safe.
     */
    @Override
    public Collection<NodeView> nodes() {
        Instant now = clock.instant();
        Duration grace = config.notReadyGrace();
        Collection<SelectorWatch> ws = watches.values();
        if (ws.size() == 1) {
            // One selector, the common case: names are unique already.
            Generation g = ws.iterator().next().current;
            if (g == null) {
                return List.of();
            }
            List<NodeView> out = new ArrayList<>(g.entries.size());
            for (Entry e : g.entries.values()) {
                out.add(e.view(now, grace));
            }
            return Collections.unmodifiableList(out);
        }
        Map<String, NodeView> out = new HashMap<>();
        for (SelectorWatch w : ws) {
            Generation g = w.current;
            if (g == null) {
                continue;
            }
            for (Entry e : g.entries.values()) {
                out.putIfAbsent(e.facts().name(), e.view(now, grace));
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * True once selectors were set and every informer of the first set has listed; then stays true
     * (outages keep the last set, they do not reset this). Thread-safe.
     */
    @Override
    public boolean hasSynced() {
        return synced;
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(listener);
    }

    /**
     * Whether every informer's watch is open now. True with no selectors (nothing to be cut off
     * from). Thread-safe.
     */
    public boolean connected() {
        for (SelectorWatch w : watches.values()) {
            Generation g = w.current;
            if (g == null || !g.informer.isWatching()) {
                return false;
            }
        }
        return true;
    }

    /**
     * When the source last knew itself in step with the API server: a list completed, an event
     * arrived, or the monitor saw every watch open. {@code null} before the first list. Thread-safe.
     */
    public Instant lastSync() {
        return lastSync;
    }

    /** Time since {@link #lastSync()}, or {@code null} before the first list. Thread-safe. */
    public Duration syncAge() {
        Instant t = lastSync;
        return t == null ? null : Duration.between(t, clock.instant());
    }

    /** How many full re-lists ran after a watch came back (not counting each informer's first list). */
    public long fullResyncs() {
        return fullResyncs.get();
    }

    /** When the last full re-list after a reconnect completed, or {@code null}. */
    public Instant lastFullResync() {
        return lastFullResync;
    }

    /** The facts last recorded for a node, before the grace is applied; for tests and diagnostics. */
    Optional<NodeFacts> facts(String name) {
        for (SelectorWatch w : watches.values()) {
            Generation g = w.current;
            Entry e = g == null ? null : g.entries.get(name);
            if (e != null) {
                return Optional.of(e.facts());
            }
        }
        return Optional.empty();
    }

    /**
     * Tells the listeners to read again. The source calls it itself when a NotReady grace runs out
     * (no Kubernetes event marks that moment); tests that move an injected clock call it too.
     */
    public void refresh() {
        fire();
    }

    /** Stops every informer and the scheduler. The last node set stays readable. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        watches.values().forEach(SelectorWatch::stop);
    }

    private void submit(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("event=node_source_closed task_dropped");
        }
    }

    private void fire() {
        listeners.fire();
    }

    private synchronized void checkSynced() {
        if (synced || !selectorsKnown) {
            return;
        }
        for (SelectorWatch w : watches.values()) {
            if (w.current == null || !w.current.listed) {
                return;
            }
        }
        synced = true;
        LOG.info("event=nodes_synced selectors={} nodes={}", watches.size(), nodes().size());
    }

    /** Runs on the scheduler: notices lost and regained watches and forces a re-list on regain. */
    private void monitor() {
        try {
            boolean all = !watches.isEmpty();
            for (SelectorWatch w : watches.values()) {
                all &= w.checkConnection();
            }
            if (all) {
                lastSync = clock.instant();
            }
        } catch (RuntimeException e) {
            LOG.warn("event=node_monitor_failed", e);
        }
    }

    /**
     * One node's record, with what the grace needs to remember across updates. Both views are built
     * once here, so a snapshot allocates no per-node objects.
     */
    private record Entry(NodeFacts facts, boolean seenReady, Instant leftReadyAt, NodeView readyView,
            NodeView notReadyView) {

        NodeView view(Instant now, Duration grace) {
            return reportedReady(now, grace) ? readyView : notReadyView;
        }

        boolean reportedReady(Instant now, Duration grace) {
            if (facts.readyCondition()) {
                return true;
            }
            if (!seenReady || leftReadyAt == null) {
                return false;
            }
            return now.isBefore(leftReadyAt.plus(grace));
        }

        static Entry next(Entry previous, NodeFacts facts, Instant now) {
            boolean seen = facts.readyCondition() || (previous != null && previous.seenReady);
            Instant left = null;
            if (!facts.readyCondition() && seen) {
                left = previous != null && previous.leftReadyAt != null ? previous.leftReadyAt : now;
                // The kubelet may have gone NotReady well before this source heard of it.
                if (facts.readyTransition() != null && facts.readyTransition().isBefore(left)) {
                    left = facts.readyTransition();
                }
            }
            NodeView ready = facts.toView(true);
            return new Entry(facts, seen, left, ready, ready.withReady(false));
        }
    }

    /** The informers for one selector: the current one, and a replacement while a re-list runs. */
    private final class SelectorWatch extends RelistingWatch<Generation> {
        final Map<String, String> selector;

        SelectorWatch(Map<String, String> selector) {
            super(LOG, "node", "selector", selector, "nodes");
            this.selector = selector;
        }

        @Override
        Generation newGeneration(Generation previous) {
            return new Generation(this, previous == null ? Map.of() : previous.entries);
        }

        @Override
        void lost() {
            fire();
        }

        @Override
        void back() {
            fire();
        }

        @Override
        void resynced() {
            fullResyncs.incrementAndGet();
            lastFullResync = clock.instant();
        }
    }

    /** One informer and the records its handler keeps. */
    private final class Generation extends RelistingWatch.InformerGeneration implements ResourceEventHandler<Node> {
        final SelectorWatch owner;
        final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
        /** Records of the generation this one replaces: grace state carries over a re-list. */
        final Map<String, Entry> inherited;
        final SharedIndexInformer<Node> informer;

        Generation(SelectorWatch owner, Map<String, Entry> inherited) {
            this.owner = owner;
            this.inherited = inherited;
            Informable<Node> nodes = owner.selector.isEmpty() ? client.nodes() : client.nodes().withLabels(owner.selector);
            this.informer = nodes.runnableInformer(config.resyncPeriod().toMillis());
            informer.addEventHandler(this);
        }

        @Override
        SharedIndexInformer<Node> informer() {
            return informer;
        }

        @Override
        int count() {
            return entries.size();
        }

        private boolean published() {
            return owner.current == this;
        }

        @Override
        public void onAdd(Node node) {
            record(node);
        }

        @Override
        public void onUpdate(Node oldNode, Node newNode) {
            record(newNode);
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            if (entries.remove(node.getMetadata().getName()) != null && published()) {
                lastSync = clock.instant();
                fire();
            }
        }

        @Override
        public void onList(String resourceVersion, boolean remainedEmpty) {
            lists.incrementAndGet();
            lastSync = clock.instant();
            if (!listed) {
                listed = true;
                if (published()) {
                    checkSynced();
                    fire();
                } else {
                    // Hand the promotion to the scheduler: it holds the watch's lock, this thread
                    // is fabric8's.
                    submit(() -> {
                        owner.promote(this);
                        fire();
                    });
                }
            } else if (published()) {
                fire();
            }
        }

        private void record(Node node) {
            NodeFacts facts = NodeFacts.from(node, config.addressType());
            Instant now = clock.instant();
            Entry previous = entries.get(facts.name());
            if (previous == null) {
                previous = inherited.get(facts.name());
            }
            Entry e = Entry.next(previous, facts, now);
            entries.put(facts.name(), e);
            if (!published()) {
                return;
            }
            lastSync = now;
            if (!facts.readyCondition() && e.seenReady() && e.leftReadyAt() != null) {
                Duration left = Duration.between(now, e.leftReadyAt().plus(config.notReadyGrace()));
                if (!left.isNegative() && !left.isZero()) {
                    // No event marks the end of the grace: wake the loop then.
                    try {
                        scheduler.schedule(KubernetesNodeSource.this::fire, left.toMillis() + 1, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        // Closed: nobody is left to tell.
                    }
                }
            }
            fire();
        }
    }
}
