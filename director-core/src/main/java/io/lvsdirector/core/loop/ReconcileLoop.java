package io.lvsdirector.core.loop;

import io.lvsdirector.core.health.HealthSource;
import io.lvsdirector.core.health.ProbeRoutes;
import io.lvsdirector.core.model.EndpointSource;
import io.lvsdirector.core.model.ManualDrainSource;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.plan.Plan;
import io.lvsdirector.core.plan.VipPaths;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.KernelView;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The one writer (and reader) of the kernel's IPVS table: a {@link Reconciler} (what a pass does),
 * run by a {@link PassRunner} (when it runs). See those two for the rules; this class puts them
 * together, registers with the sources and publishes what the last pass saw.
 *
 * <p>Until the service store, the node source and the endpoint source have delivered their first full view, a pass
 * does nothing: acting on a partial list after a restart would delete live real servers. Health
 * need not have answered: servers not probed yet are kept as the kernel has them.
 *
 * <p>Thread-safe: {@link #requestSync()}, {@link #status()}, {@link #kernelView()}, {@link #dryRun}
 * and {@link #close()} may be called from any thread and never touch the kernel; passes run on the
 * loop's own thread (or on the caller's, for {@link #runOnce()}), never two at a time.
 */
public final class ReconcileLoop implements AutoCloseable {

    private final ServiceStore services;
    private final NodeSource nodes;
    private final EndpointSource endpoints;
    private final HealthSource health;
    private final ManualDrainSource drains;
    private final Reconciler reconciler;
    private final PassRunner runner;
    // Serialises passes: the runner's thread and runOnce() callers.
    private final Object passLock = new Object();
    private final List<Runnable> passListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param ipvs the kernel table; the loop is its only writer
     * @param services the desired services
     * @param nodes the Kubernetes nodes
     * @param health the probes' results
     * @param drains drains by hand
     * @param measurements where to count passes and ops
     * @param clock the wall clock for drain deadlines and "since" (monotonic time is used for scheduling)
     * @param settings timing
     * @param initiallyOwned services the director owned before a restart (if the caller persisted
     *     them); empty means ownership was never recorded, and then desired services found in the
     *     kernel are adopted
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, HealthSource health,
            ManualDrainSource drains, Measurements measurements, Clock clock, LoopSettings settings,
            Set<VirtualServerKey> initiallyOwned) {
        this(ipvs, services, nodes, health, drains, measurements, clock, settings, inMemory(initiallyOwned));
    }

    /**
     * As the constructor without {@code endpoints}, for specs whose real servers are a Kubernetes
     * Service's nodes.
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, EndpointSource endpoints,
            HealthSource health, ManualDrainSource drains, Measurements measurements, Clock clock,
            LoopSettings settings, Set<VirtualServerKey> initiallyOwned) {
        this(ipvs, services, nodes, endpoints, health, drains, measurements, clock, settings, inMemory(initiallyOwned));
    }

    private static OwnershipStore inMemory(Set<VirtualServerKey> owned) {
        OwnershipStore store = OwnershipStore.inMemory();
        if (!owned.isEmpty()) {
            store.save(owned);
        }
        return store;
    }

    /**
     * @param ownership where the set of owned services is kept across restarts (loaded here)
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, HealthSource health,
            ManualDrainSource drains, Measurements measurements, Clock clock, LoopSettings settings,
            OwnershipStore ownership) {
        this(ipvs, services, nodes, EndpointSource.NONE, health, drains, measurements, clock, settings, ownership,
                VipPaths.Marks.DEFAULT);
    }

    /**
     * @param endpoints the Kubernetes Services that {@code realServers.kubernetes.service} specs name
     *     ({@link EndpointSource#NONE} without Kubernetes: such a spec then fails alone)
     * @param ownership where the set of owned services is kept across restarts (loaded here)
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, EndpointSource endpoints,
            HealthSource health, ManualDrainSource drains, Measurements measurements, Clock clock,
            LoopSettings settings, OwnershipStore ownership) {
        this(ipvs, services, nodes, endpoints, health, drains, measurements, clock, settings, ownership,
                VipPaths.Marks.DEFAULT);
    }

    /**
     * @param probeMarks the firewall marks reserved for the internal services of probes via a VIP
     *     ({@link VipPaths}); nothing else on this host may use them
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, HealthSource health,
            ManualDrainSource drains, Measurements measurements, Clock clock, LoopSettings settings,
            OwnershipStore ownership, VipPaths.Marks probeMarks) {
        this(ipvs, services, nodes, EndpointSource.NONE, health, drains, measurements, clock, settings, ownership,
                probeMarks);
    }

    /**
     * @param endpoints the Kubernetes Services that {@code realServers.kubernetes.service} specs name
     * @param probeMarks the firewall marks reserved for the internal services of probes via a VIP
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, EndpointSource endpoints,
            HealthSource health, ManualDrainSource drains, Measurements measurements, Clock clock,
            LoopSettings settings, OwnershipStore ownership, VipPaths.Marks probeMarks) {
        this.services = Objects.requireNonNull(services, "services");
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.health = Objects.requireNonNull(health, "health");
        this.drains = Objects.requireNonNull(drains, "drains");
        this.reconciler = new Reconciler(Objects.requireNonNull(ipvs, "ipvs"), services, nodes, endpoints, health, drains,
                Objects.requireNonNull(measurements, "measurements"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(ownership, "ownership"),
                System::nanoTime, new VipPaths(Objects.requireNonNull(probeMarks, "probeMarks")));
        this.runner = new PassRunner(read -> {
            PassRunner.Next next;
            synchronized (passLock) {
                next = reconciler.next(reconciler.run(read));
            }
            afterPass();
            return next;
        }, settings, System::nanoTime, "ipvs-reconcile");
    }

    /**
     * How probes via a VIP reach each real server: give it to the checker
     * ({@code NettyChecker#useRoutes}). Updated after every pass.
     */
    public ProbeRoutes probeRoutes() {
        return reconciler.vipPaths();
    }

    /**
     * Registers with the sources and starts the loop thread, which runs a first pass at once.
     *
     * @throws IllegalStateException if started twice or after {@link #close()}
     */
    public void start() {
        runner.start(() -> {
            services.addListener(this::inputsChanged);
            nodes.addListener(this::inputsChanged);
            endpoints.addListener(this::inputsChanged);
            health.addListener(this::requestSync);
            drains.addListener(this::inputsChanged);
        });
    }

    /**
     * Adds a task that runs at the start of every pass, on the loop's thread (see {@link KernelTask}).
     * Call before {@link #start()}; a task that wants a pass sooner calls {@link #requestSync()}.
     */
    public void addTask(KernelTask task) {
        reconciler.addTask(Objects.requireNonNull(task, "task"));
    }

    /**
     * Adds a listener run after every pass, on the loop's thread, once the pass's status is published
     * (the ecmp announcer decides from it). It must only record and ask: it delays the next pass.
     */
    public void addPassListener(Runnable listener) {
        passListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void afterPass() {
        for (Runnable l : passListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ReconcileLoop.class).warn("event=pass_listener_failed error=\"{}\"",
                        e.toString());
            }
        }
    }

    /**
     * Asks for a pass. Never blocks; requests made before the pass starts are coalesced into it.
     * Safe to call from any thread, including source callbacks.
     */
    public void requestSync() {
        runner.request();
    }

    private void inputsChanged() {
        reconciler.inputsChanged();
        requestSync();
    }

    /** The view after the last pass, with each service's {@code applyError}. Never blocks. */
    public DirectorStatus status() {
        return reconciler.status();
    }

    /**
     * The kernel table as this loop last read it, for readers on other threads; empty before the
     * first read. Never blocks and never reads the kernel.
     */
    public Optional<KernelView> kernelView() {
        return Optional.ofNullable(reconciler.kernelView());
    }

    /**
     * Why the loop's last kernel read failed; empty when it succeeded or none was tried yet. The
     * health check's "the kernel cannot be read".
     */
    public Optional<String> kernelReadError() {
        return Optional.ofNullable(reconciler.kernelReadError());
    }

    /** The service keys the director owns as of the last pass (created, or adopted). */
    public Set<VirtualServerKey> owned() {
        return reconciler.published().owned();
    }

    /**
     * A dry run: what the next pass would plan if {@code specs} were the desired services, with the
     * loop's own planning step ({@link PlanStep}: ownership and adoption rule), its drain start times
     * (so drain deadlines are the loop's), the nodes, health and drains the sources hold now, and the
     * table the last pass left. Reads nothing from the kernel. Ops the loop holds back for a failing
     * service's backoff are listed all the same.
     */
    public DryRun dryRun(Collection<ServiceSpec> specs) {
        Reconciler.Published p = reconciler.published();
        Instant at = reconciler.clock().instant();
        DesiredState desired = reconciler.buildFor(specs, at);
        PlanStep.Result step = PlanStep.plan(desired, p.kernel(), p.owned(), p.ownershipRecorded(),
                PlanStep.adoptKeys(specs), null);
        return new DryRun(step.plan(), desired.problems(), step.foreign(), p.kernelReadAt());
    }

    /**
     * @param plan the ops in the order a pass would apply them
     * @param problems config problems the build found
     * @param foreign desired services (name by key) the kernel has and the director does not own: a
     *     pass leaves them untouched and marks them
     * @param kernelReadAt when the table planned against was read, {@code null} before the first read
     */
    public record DryRun(Plan plan, List<String> problems, Map<VirtualServerKey, String> foreign, Instant kernelReadAt) {}

    /** Stops the thread (waiting for a running pass to end) and leaves the kernel as it is. Idempotent. */
    @Override
    public void close() {
        runner.close();
    }

    /**
     * Runs one full pass now on the calling thread, reading the kernel. Never throws for a failure
     * inside the pass: it is in the result and the status. Not needed once {@link #start()}ed; for
     * tests, tools and a synchronous first pass.
     */
    public PassResult runOnce() {
        PassResult r;
        synchronized (passLock) {
            r = reconciler.run(true);
        }
        afterPass();
        return r;
    }

    /** The kernel table as of the end of the last pass (as read, plus the ops that succeeded). */
    KernelTable lastKernel() {
        return reconciler.lastKernel();
    }
}
