package io.lvsdirector.core.loop;

import io.lvsdirector.core.health.HealthSource;
import io.lvsdirector.core.kernel.KernelMapping;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ManualDrainSource;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.plan.ActualService;
import io.lvsdirector.core.plan.ActualState;
import io.lvsdirector.core.plan.DesiredService;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.DrainKey;
import io.lvsdirector.core.plan.Plan;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.Planner;
import io.lvsdirector.core.plan.ServiceKey;
import io.lvsdirector.core.plan.ServiceTargets;
import io.lvsdirector.core.plan.Unreadable;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.KernelView;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.core.status.StatusBuilder;
import io.lvsdirector.ipvs.BatchResult;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.IpvsSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer to the kernel's IPVS table. Each pass is
 * {@code desired = build(...)} → {@code actual = ipvs.snapshot()} → {@code plan(desired, actual, owned)}
 * → {@code ipvs.apply(plan)}. A pass asked for by a source skips the read and plans against the table
 * the last pass left (exact while the director is the only writer): reading 5,000 real servers costs
 * far more than planning them. Resync, retry and drain-poll passes, and any pass after a failure,
 * read the kernel.
 *
 * <p>A pass asked for by health transitions alone also builds and plans only the services the
 * changed targets feed (plus any with a draining server, whose deadline moves with the clock):
 * {@link DesiredStateBuilder#rebuild} and {@link Planner#plan(DesiredState, ActualState, Set, Set)}.
 * With services, nodes and drains as the last good pass saw them, and every other service already
 * as desired, that plans exactly what the full pass would (IncrementalPassTest checks it). A timer
 * pass builds the same way when the services, nodes and drains the sources hold equal those of the
 * last build, but reads the kernel and plans every service against it: that is the drift repair,
 * and the build it skips is most of a full pass's cost. Any change of the services, nodes or
 * drains, a pass after a failure or a config problem builds everything.
 *
 * <p>Scheduling follows kube-proxy's bounded-frequency runner: {@link #requestSync()} never blocks
 * and coalesces (any number of requests before a pass starts cost one pass); two passes start at
 * least {@link LoopSettings#minInterval()} apart; a pass that reads the kernel runs at least every
 * {@link LoopSettings#resyncInterval()} after the last one that did, with or without requests (the
 * triggered passes in between trust the table in memory), and that is what repairs drift; a failed pass is retried after a backoff that doubles up to
 * {@link LoopSettings#maxBackoff()}; an exception in a pass is logged and retried, never kills the
 * thread. Requests are not held back by the backoff: one op that keeps failing (an unknown
 * scheduler) must not delay a health transition of another service.
 *
 * <p>Until the service store and the node source have both delivered their first full view, a pass
 * does nothing: acting on a partial list after a restart would delete live real servers. Health
 * need not have answered: servers not probed yet are kept as the kernel has them.
 *
 * <p>A kernel entry under one of the director's services that the records cannot read (a foreign
 * edit: {@code ipvsadm -M 255.0.255.0}, a weight above 65535) is present with unknown settings: the
 * planner edits it in place or deletes it, never adds it, and status lists it; the pass after such
 * an edit reads the kernel to see the entry whole. One that still cannot be read after an edit is
 * reported in status and asks for no more re-reads, so the loop does not spin on it.
 *
 * <p>Thread-safe: {@link #requestSync()}, {@link #status()} and {@link #close()} may be called from
 * any thread; passes run on the loop's own thread (or on the caller's, for {@link #runOnce()}),
 * never two at a time.
 */
public final class ReconcileLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);
    private static final long NEVER = Long.MAX_VALUE;

    private final Ipvs ipvs;
    private final ServiceStore services;
    private final NodeSource nodes;
    private final HealthSource health;
    private final ManualDrainSource drains;
    private final Measurements measurements;
    private final Clock clock;
    private final LoopSettings settings;
    private final OwnershipStore ownership;
    private volatile KernelView kernelView;

    // Pass state: touched only under passLock.
    private final Object passLock = new Object();
    private final Set<ServiceKey> owned = new HashSet<>();
    private Map<DrainKey, Instant> drainStarts = Map.of();
    private final Map<String, String> allDown = new HashMap<>();
    private volatile DirectorStatus status;
    // The per-server part of the status is built when asked for, not on every pass: a pass over
    // 5,000 real servers should not pay for a view the api reads every few seconds.
    private volatile StatusInputs statusInputs;
    private volatile StatusMemo statusBuilt;

    private record StatusInputs(DirectorStatus head, DesiredState desired, ActualState kernel) {}

    private record StatusMemo(DirectorStatus head, DirectorStatus built) {}
    private volatile ActualState lastKernel = ActualState.EMPTY;
    // Whether a draining server is still in the kernel after the last pass: the drain poll runs then.
    private volatile boolean drainsInKernel;
    // Whether lastKernel is exactly what the kernel holds (the last pass read it or applied every op).
    private boolean kernelKnown;
    // What the last good pass built from, for a pass that rebuilds only the services a health
    // transition touched. Null when the next pass must build everything.
    private Built lastBuilt;
    // Set by the service, node and drain sources: the next pass builds everything.
    private final AtomicBoolean inputsChanged = new AtomicBoolean(true);

    private record Built(DesiredState desired, Collection<ServiceSpec> specs, Collection<NodeView> nodes,
            Collection<ManualDrain> drains, ServiceTargets targets) {

        /** Whether the sources hold what this was built from (order aside). */
        boolean sameInputs(Collection<ServiceSpec> specsNow, Collection<NodeView> nodesNow,
                Collection<ManualDrain> drainsNow) {
            return sameElements(specs, specsNow) && sameElements(drains, drainsNow) && sameElements(nodes, nodesNow);
        }

        private static <T> boolean sameElements(Collection<T> a, Collection<T> b) {
            return a.size() == b.size() && (a.equals(b) || new HashSet<>(a).equals(new HashSet<>(b)));
        }
    }

    // Scheduling state: touched only under lock. Times are System.nanoTime() values.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean pending;
    private long lastStart = Long.MIN_VALUE;
    private long resyncAt;
    private long retryAt = NEVER;
    private long pollAt = NEVER;
    // Whether the next pass must read the kernel rather than trust the table the last pass left.
    private boolean readKernelNext = true;
    private Duration backoff;
    private boolean running;
    private boolean closed;
    private boolean readKernel;
    private Thread thread;
    // Other kernel state this loop writes (sync daemons); fixed before start().
    private final List<KernelTask> tasks = new CopyOnWriteArrayList<>();
    // Whether a task asked for a retry in the last pass (touched only under passLock).
    private boolean tasksFailed;
    // Unreadable kernel entries of ours (Unreadable lines) that a pass edited since the kernel was last
    // read, and those a read still found unreadable after such an edit: the edit cannot repair them,
    // so they no longer ask for a quick re-read. Touched only under passLock.
    private final Set<String> editedUnreadable = new HashSet<>();
    private Set<String> stuckUnreadable = Set.of();
    // Whether the last pass edited an unreadable entry and wants the kernel read again soon, to see
    // whether it reads now (a repaired service's real servers are planned only then).
    private boolean readSoon;
    // Whether the last pass read the kernel (a resync is due resyncInterval after the last read).
    private boolean lastPassRead;

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
     *     them), so that one removed from the config while it was down is still deleted; empty
     *     otherwise, and then such a service is left in the kernel
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, HealthSource health,
            ManualDrainSource drains, Measurements measurements, Clock clock, LoopSettings settings,
            Set<ServiceKey> initiallyOwned) {
        this(ipvs, services, nodes, health, drains, measurements, clock, settings, inMemory(initiallyOwned));
    }

    private static OwnershipStore inMemory(Set<ServiceKey> owned) {
        OwnershipStore store = OwnershipStore.inMemory();
        if (!owned.isEmpty()) {
            store.save(owned);
        }
        return store;
    }

    /**
     * @param ownership where the set of owned services is kept across restarts
     */
    public ReconcileLoop(Ipvs ipvs, ServiceStore services, NodeSource nodes, HealthSource health,
            ManualDrainSource drains, Measurements measurements, Clock clock, LoopSettings settings,
            OwnershipStore ownership) {
        this.ipvs = Objects.requireNonNull(ipvs, "ipvs");
        this.services = Objects.requireNonNull(services, "services");
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.health = Objects.requireNonNull(health, "health");
        this.drains = Objects.requireNonNull(drains, "drains");
        this.measurements = Objects.requireNonNull(measurements, "measurements");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ownership = Objects.requireNonNull(ownership, "ownership");
        this.owned.addAll(ownership.load().orElse(Set.of()));
        this.backoff = settings.initialBackoff();
        this.status = DirectorStatus.initial(waitingFor());
    }

    /**
     * Registers with the sources and starts the loop thread, which runs a first pass at once.
     *
     * @throws IllegalStateException if started twice or after {@link #close()}
     */
    public void start() {
        lock.lock();
        try {
            if (running || closed) {
                throw new IllegalStateException("reconcile loop already started or closed");
            }
            running = true;
            pending = true;
            resyncAt = System.nanoTime() + settings.resyncInterval().toNanos();
            thread = new Thread(this::loop, "ipvs-reconcile");
            thread.setDaemon(true);
        } finally {
            lock.unlock();
        }
        services.addListener(this::inputsChanged);
        nodes.addListener(this::inputsChanged);
        health.addListener(this::requestSync);
        drains.addListener(this::inputsChanged);
        thread.start();
    }

    /**
     * Adds a task that runs at the start of every pass, on the loop's thread (see {@link KernelTask}).
     * Call before {@link #start()}; a task that wants a pass sooner calls {@link #requestSync()}.
     */
    public void addTask(KernelTask task) {
        tasks.add(Objects.requireNonNull(task, "task"));
    }

    /**
     * Asks for a pass. Never blocks; requests made before the pass starts are coalesced into it.
     * Safe to call from any thread, including source callbacks.
     */
    public void requestSync() {
        lock.lock();
        try {
            if (!pending) {
                pending = true;
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void inputsChanged() {
        inputsChanged.set(true);
        requestSync();
    }

    /** The view after the last pass. Never blocks. */
    public DirectorStatus status() {
        StatusInputs in = statusInputs;
        DirectorStatus head = status;
        if (in == null || in.head() != head) {
            return head;
        }
        StatusMemo memo = statusBuilt;
        if (memo != null && memo.head() == head) {
            return memo.built();
        }
        DirectorStatus built = new DirectorStatus(head.lastPassAt(), head.lastPassDuration(), head.lastPassOk(),
                head.lastError(), head.waitingFor(), StatusBuilder.services(in.desired(), in.kernel()),
                head.problems());
        statusBuilt = new StatusMemo(head, built);
        return built;
    }

    /**
     * The kernel table as this loop last read it, for readers on other threads; empty before the
     * first read. Never blocks and never reads the kernel.
     */
    public Optional<KernelView> kernelView() {
        return Optional.ofNullable(kernelView);
    }

    /** The service keys the director owns now (created, or adopted as desired). */
    public Set<ServiceKey> owned() {
        synchronized (passLock) {
            return Set.copyOf(owned);
        }
    }

    /** Stops the thread (waiting for a running pass to end) and leaves the kernel as it is. Idempotent. */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            closed = true;
            running = false;
            wake.signal();
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (true) {
            lock.lock();
            try {
                while (true) {
                    if (!running) {
                        return;
                    }
                    long now = System.nanoTime();
                    long due = dueAt(now);
                    if (due - now <= 0) {
                        // A timer pass (resync, retry, drain poll) reads the kernel; a pass asked for
                        // by a source trusts the table the last pass left, which is exact as long as
                        // the director is the only writer. Drift is repaired by the next resync.
                        readKernel = readKernelNext || now - resyncAt >= 0 || now - retryAt >= 0
                                || now - pollAt >= 0;
                        readKernelNext = false;
                        pending = false;
                        lastStart = now;
                        break;
                    }
                    try {
                        wake.awaitNanos(due - now);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            } finally {
                lock.unlock();
            }
            PassResult result;
            try {
                result = runOnce(readKernel);
            } catch (RuntimeException | Error e) {
                // runOnce already catches what a pass throws; this is the last line for the thread.
                LOG.error("event=pass_crashed", e);
                result = new PassResult(PassResult.Outcome.FAILED, Duration.ZERO, 0, List.of(), e.toString());
            }
            schedule(result);
        }
    }

    private long dueAt(long now) {
        long due = Math.min(resyncAt, Math.min(retryAt, pollAt));
        if (pending) {
            long earliest = lastStart == Long.MIN_VALUE ? now : lastStart + settings.minInterval().toNanos();
            due = Math.min(due, Math.max(now, earliest));
        }
        return due;
    }

    private void schedule(PassResult result) {
        lock.lock();
        try {
            long now = System.nanoTime();
            boolean retry;
            boolean read;
            boolean soon;
            synchronized (passLock) {
                retry = tasksFailed;
                read = lastPassRead;
                soon = readSoon;
            }
            // Only a pass that read the kernel repaired drift: a stream of triggered passes, which
            // trust the table in memory, must not keep pushing the resync back. A timer pass that
            // could not read (still waiting for the sources) counts, or it would fire again at once.
            if (read || lastStart - resyncAt >= 0) {
                resyncAt = now + settings.resyncInterval().toNanos();
            }
            if (soon) {
                readKernelNext = true;
                pending = true;
            }
            if (result.outcome() == PassResult.Outcome.FAILED || retry) {
                readKernelNext = true;
                retryAt = now + backoff.toNanos();
                LOG.info("event=pass_retry in_ms={}", backoff.toMillis());
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
            } else {
                retryAt = NEVER;
                backoff = settings.initialBackoff();
            }
            pollAt = drainsInProgress() ? now + settings.drainPollInterval().toNanos() : NEVER;
        } finally {
            lock.unlock();
        }
    }

    private boolean drainsInProgress() {
        return drainsInKernel;
    }

    private List<String> waitingFor() {
        List<String> waiting = new ArrayList<>(2);
        if (!services.hasSynced()) {
            waiting.add("services");
        }
        if (!nodes.hasSynced()) {
            waiting.add("nodes");
        }
        return waiting;
    }

    /**
     * Runs one full pass now on the calling thread, reading the kernel. Never throws for a failure
     * inside the pass: it is in the result and the status. Not needed once {@link #start()}ed; for
     * tests, tools and a synchronous first pass.
     */
    public PassResult runOnce() {
        return runOnce(true);
    }

    private PassResult runOnce(boolean readKernel) {
        synchronized (passLock) {
            long t0 = System.nanoTime();
            Instant at = clock.instant();
            tasksFailed = false;
            lastPassRead = false;
            readSoon = false;
            for (KernelTask task : tasks) {
                try {
                    tasksFailed |= !task.reconcile(ipvs);
                } catch (RuntimeException e) {
                    LOG.warn("event=task_failed error=\"{}\"", e.toString(), e);
                    tasksFailed = true;
                }
            }
            List<String> waiting = waitingFor();
            if (!waiting.isEmpty()) {
                LOG.debug("event=pass_skipped waiting_for={}", waiting);
                DirectorStatus before = status();
                status = new DirectorStatus(at, Duration.ZERO, false, null, waiting, before.services(),
                        before.problems());
                return new PassResult(PassResult.Outcome.WAITING, Duration.ZERO, 0, List.of(), null);
            }
            PassResult result;
            try {
                result = pass(at, t0, readKernel || !kernelKnown);
            } catch (RuntimeException e) {
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                LOG.warn("event=pass_failed error=\"{}\"", e.toString(), e);
                DirectorStatus before = status();
                status = new DirectorStatus(at, took, false, e.toString(), List.of(), before.services(),
                        before.problems());
                result = new PassResult(PassResult.Outcome.FAILED, took, 0, List.of(), e.toString());
            }
            measurements.passCompleted(result.duration(), result.outcome() != PassResult.Outcome.FAILED);
            return result;
        }
    }

    private PassResult pass(Instant at, long t0, boolean readKernel) {
        // Taken first: a transition after this is in the next pass, whatever this one reads.
        Set<ProbeTarget> changed = health.takeChanged();
        Built before = lastBuilt;
        // Until this pass ends well, the next one builds everything.
        lastBuilt = null;
        // Cleared before the sources are read: a change after this sets it again for the next pass.
        boolean sourcesChanged = inputsChanged.getAndSet(false);
        boolean full = sourcesChanged || before == null || changed == null || !before.desired().problems().isEmpty();
        Collection<ServiceSpec> specs = null;
        Collection<NodeView> nodeList = null;
        Collection<ManualDrain> drainList = null;
        if (!full && readKernel) {
            // A timer pass is there to repair the kernel, which it does by reading it and planning
            // every service. Building every service again would give the same desired state when
            // nothing it is built from changed, and costs most of a full pass (5,000 candidates):
            // time a health transition arriving meanwhile would wait. The sources' own notices
            // say nothing changed; comparing what they hold with what the last build used makes
            // that independent of a lost notice.
            specs = services.services();
            nodeList = nodes.nodes();
            drainList = drains.drains();
            full = !before.sameInputs(specs, nodeList, drainList);
        }
        DesiredState desired;
        Set<ServiceKey> only;
        Built built;
        if (full) {
            if (specs == null) {
                specs = services.services();
                nodeList = nodes.nodes();
                drainList = drains.drains();
            }
            desired = DesiredStateBuilder.build(specs, nodeList, health.snapshot(), drainList, drainStarts, at);
            health.watch(desired.probeTargets());
            for (String problem : desired.problems()) {
                LOG.debug("event=config_problem problem=\"{}\"", problem);
            }
            only = null;
            built = new Built(desired, specs, nodeList, drainList, ServiceTargets.of(desired, specs, nodeList));
        } else {
            // Services, nodes and drains are as the last build saw them, so only the services fed
            // by the changed targets can be built differently — and those with a draining server,
            // whose deadline moves with the clock.
            Set<ServiceKey> rebuilt = before.targets().servicesOf(changed);
            for (DrainKey k : before.desired().drainStarts().keySet()) {
                rebuilt.add(k.service());
            }
            Map<ProbeTarget, HealthStatus> statuses = new HashMap<>();
            for (ServiceKey k : rebuilt) {
                for (ProbeTarget t : before.targets().targetsOf(k)) {
                    HealthStatus st = health.status(t);
                    if (st != null) {
                        statuses.put(t, st);
                    }
                }
            }
            List<NodeView> selected = before.targets().nodesOf(rebuilt);
            desired = DesiredStateBuilder.rebuild(before.desired(), before.specs(),
                    selected != null ? selected : before.nodes(), statuses, before.drains(), rebuilt, at);
            built = new Built(desired, before.specs(), before.nodes(), before.drains(), before.targets());
            // A pass that read the kernel plans every service against it (that is the drift
            // repair); otherwise every service but these is as the last pass left it.
            only = readKernel ? null : rebuilt;
        }

        ActualState actual;
        if (readKernel) {
            IpvsSnapshot snapshot = ipvs.snapshot();
            kernelView = new KernelView(snapshot, clock.instant());
            actual = KernelMapping.actual(snapshot);
        } else {
            actual = lastKernel;
        }
        lastPassRead = readKernel;
        // Until this pass ends well, the table in memory is not to be trusted.
        kernelKnown = false;
        // Adoption: a desired service is the director's whether it created it or found it.
        owned.addAll(desired.services().keySet());
        Plan plan = Planner.plan(desired, actual, owned, only);
        List<String> problems = desired.problems();
        ActualState read = actual;
        if (!actual.unreadable().isEmpty() || !editedUnreadable.isEmpty()) {
            problems = unreadableProblems(desired, actual, readKernel, problems);
        }

        int applied = 0;
        List<String> failures = new ArrayList<>();
        if (!plan.isEmpty()) {
            List<PlanOp> planOps = new ArrayList<>(plan.ops().size());
            List<IpvsOp> ipvsOps = new ArrayList<>(plan.ops().size());
            for (PlanOp op : plan.ops()) {
                try {
                    ipvsOps.add(KernelMapping.op(op));
                    planOps.add(op);
                } catch (IllegalArgumentException e) {
                    failures.add(describe(op) + ": " + e.getMessage());
                    measurements.opApplied(op.kind(), false);
                    LOG.warn("event=op_refused service={} op={} error=\"{}\"", op.name(), describe(op), e.getMessage());
                }
            }
            BatchResult batch = ipvs.apply(ipvsOps);
            for (int i = 0; i < planOps.size(); i++) {
                PlanOp op = planOps.get(i);
                BatchResult.Outcome outcome = batch.outcomes().get(i);
                boolean ok = outcome.ok() || alreadyDone(op, outcome.error());
                measurements.opApplied(op.kind(), ok);
                if (ok) {
                    applied++;
                    noteUnreadableEdit(read, op);
                    actual = actual.after(op);
                    if (op instanceof PlanOp.DeleteService) {
                        owned.remove(op.service());
                    }
                    LOG.info("event=op_applied service={} op=\"{}\"", op.name(), outcome.op().describe());
                } else {
                    IpvsException e = outcome.error();
                    String line = outcome.op().describe() + ": " + (e == null ? outcome.status() : e.errnoName());
                    failures.add(line);
                    LOG.warn("event=op_failed service={} op=\"{}\" status={} errno={}", op.name(),
                            outcome.op().describe(), outcome.status(), e == null ? "-" : e.errnoName());
                }
            }
        }
        drainStarts = desired.drainStarts();
        lastKernel = actual;
        drainsInKernel = false;
        for (DrainKey k : drainStarts.keySet()) {
            ActualService s = actual.services().get(k.service());
            if (s != null && s.destinations().containsKey(k.destination())) {
                drainsInKernel = true;
                break;
            }
        }
        noteAllDown(desired);

        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        boolean ok = failures.isEmpty();
        kernelKnown = ok;
        lastBuilt = ok ? built : null;
        DirectorStatus head = new DirectorStatus(at, took, ok, ok ? null : failures.get(0), List.of(), List.of(),
                problems);
        statusInputs = new StatusInputs(head, desired, actual);
        status = head;
        if (!plan.isEmpty()) {
            LOG.info("event=pass_done ops={} applied={} failed={} took_ms={}", plan.ops().size(), applied,
                    failures.size(), took.toMillis());
        } else {
            LOG.debug("event=pass_done ops=0 took_ms={}", took.toMillis());
        }
        return new PassResult(ok ? PassResult.Outcome.OK : PassResult.Outcome.FAILED, took, applied, failures, null);
    }

    /**
     * The status lines for unreadable kernel entries of the director's services, after noting which
     * of them a read still finds unreadable although a pass edited them since the last read.
     */
    private List<String> unreadableProblems(DesiredState desired, ActualState actual, boolean readKernel,
            List<String> problems) {
        if (readKernel) {
            Set<String> now = new HashSet<>();
            for (Unreadable u : actual.unreadable().values()) {
                now.addAll(u.describeKeys());
            }
            Set<String> stuck = new HashSet<>(editedUnreadable);
            stuck.retainAll(now);
            // Still stuck only while still unreadable: one that read fine once starts afresh.
            Set<String> keep = new HashSet<>(stuckUnreadable);
            keep.retainAll(now);
            stuck.addAll(keep);
            for (String k : stuck) {
                if (!stuckUnreadable.contains(k)) {
                    LOG.warn("event=unreadable_entry_stuck entry=\"{}\"", k);
                }
            }
            stuckUnreadable = Set.copyOf(stuck);
            editedUnreadable.clear();
        }
        List<String> lines = Planner.unreadableProblems(desired, actual, owned);
        if (lines.isEmpty() && stuckUnreadable.isEmpty()) {
            return problems;
        }
        List<String> out = new ArrayList<>(problems);
        out.addAll(lines);
        for (String k : stuckUnreadable) {
            out.add("kernel entry " + k + " still cannot be read after an edit in place: fix or delete it by hand"
                    + " (ipvsadm); the director keeps its other entries as desired");
        }
        return out;
    }

    /**
     * Notes an op that succeeded on an entry the pass's table lists as unreadable: the next pass
     * should read the kernel to see it, unless an earlier edit of it already proved useless.
     */
    private void noteUnreadableEdit(ActualState table, PlanOp op) {
        Unreadable u = table.unreadable().get(op.service());
        if (u == null) {
            return;
        }
        String key = null;
        if (u.wholeService()) {
            key = u.service().toString();
        } else if (op instanceof PlanOp.UpdateDestination upd && u.destinations().containsKey(upd.destination())) {
            key = u.service() + " -> " + upd.destination();
        }
        if (key != null) {
            editedUnreadable.add(key);
            if (!stuckUnreadable.contains(key)) {
                readSoon = true;
            }
        }
    }

    /**
     * A refusal that leaves the kernel as the op wanted it: deleting what is gone. (An add that
     * finds the object present is not: its configuration may differ, so the pass counts it as a
     * failure and the retry edits it.)
     */
    private static boolean alreadyDone(PlanOp op, IpvsException e) {
        if (e == null) {
            return false;
        }
        if (op instanceof PlanOp.DeleteService) {
            return e.errno() == Errno.ESRCH;
        }
        if (op instanceof PlanOp.DeleteDestination) {
            return e.errno() == Errno.ENOENT || e.errno() == Errno.ESRCH;
        }
        return false;
    }

    private void noteAllDown(DesiredState desired) {
        Set<String> seen = new HashSet<>();
        for (DesiredService s : desired.services().values()) {
            seen.add(s.name());
            String before = allDown.get(s.name());
            if (s.allDown() && before == null) {
                allDown.put(s.name(), s.whenAllDown().label());
                measurements.allDown(s.name(), s.whenAllDown().label(), true);
                LOG.warn("event=all_down service={} policy={}", s.name(), s.whenAllDown().label());
            } else if (!s.allDown() && before != null) {
                allDown.remove(s.name());
                measurements.allDown(s.name(), before, false);
                LOG.info("event=all_down_over service={}", s.name());
            }
        }
        allDown.keySet().removeIf(name -> {
            if (!seen.contains(name)) {
                measurements.allDown(name, allDown.get(name), false);
                return true;
            }
            return false;
        });
    }

    private static String describe(PlanOp op) {
        return op.kind() + " " + op.service()
                + (op instanceof PlanOp.AddDestination a ? " " + a.destination()
                        : op instanceof PlanOp.UpdateDestination u ? " " + u.destination()
                        : op instanceof PlanOp.DeleteDestination d ? " " + d.destination() : "");
    }

    /** The kernel table as of the end of the last pass (as read, plus the ops that succeeded). */
    ActualState lastKernel() {
        return lastKernel;
    }
}
