package io.lvsdirector.core.loop;

import io.lvsdirector.core.health.HealthSource;
import io.lvsdirector.core.model.EndpointSource;
import io.lvsdirector.core.model.ManualDrainSource;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.plan.DesiredService;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.DrainKey;
import io.lvsdirector.core.plan.KernelService;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.QuorumMemo;
import io.lvsdirector.core.plan.VipPaths;
import io.lvsdirector.core.status.ApplyError;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.KernelView;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.core.status.StatusBuilder;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one reconcile pass does: {@code desired = build(...)} → {@code actual} (read, or the table the
 * last pass left) → {@link PlanStep} (ownership, then the planner) → {@link BatchApply} → bookkeeping. When it
 * runs is {@link PassRunner}'s business; {@link ReconcileLoop} puts the two together.
 *
 * <p>Incremental passes ({@link DesiredBuilds}): a pass asked for by health transitions alone builds
 * and plans only the services the changed targets feed. A pass that reads the kernel plans every
 * service against it: that is the drift repair.
 *
 * <p>Failure isolation: an op the kernel refuses marks only
 * its service ({@link ServiceFailures}); every other service is applied in the same pass. The pass
 * fails as a whole only when the director cannot do its job: the kernel cannot be read, the batch
 * broke off (the socket failed), or the pass threw.
 *
 * <p>Ownership: claims (new and adopted services) are saved as owned before their ops are applied;
 * deleted services are dropped from the saved set after the deletes. A save that fails skips the
 * claims of this pass (their services are marked and retried); owned services go on as usual.
 *
 * <p>Not thread-safe: {@link #run} is called by one thread at a time (the facade serialises). The
 * published views ({@link #status()}, {@link #kernelView()}, {@link #published()}) are safe to read
 * from any thread.
 */
final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final Ipvs ipvs;
    private final ServiceStore services;
    private final NodeSource nodes;
    private final EndpointSource endpoints;
    private final HealthSource health;
    private final ManualDrainSource drains;
    private final Measurements measurements;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final OwnershipStore ownership;
    private final LoopSettings settings;
    private final List<KernelTask> tasks = new CopyOnWriteArrayList<>();
    private final ServiceFailures failures;
    private final UnreadableEntries unreadable = new UnreadableEntries();
    private final BatchApply batch;
    private final Map<String, String> allDown = new HashMap<>();
    private final DesiredBuilds builds;
    private final VipPaths paths;

    // Pass state.
    private final Set<VirtualServerKey> owned = new HashSet<>();
    private boolean ownershipRecorded;
    private boolean ownershipDirty;
    private Map<DrainKey, Instant> drainStarts = Map.of();
    // What the last pass knew of each service's quorum: the next build's hysteresis needs it.
    private Map<VirtualServerKey, QuorumMemo> quorumMemory = Map.of();
    private KernelTable lastKernel = KernelTable.EMPTY;
    // Whether lastKernel is exactly what the kernel holds (the last pass read it and did not break off).
    private boolean kernelKnown;
    // What the last pass tells the runner.
    private boolean tasksFailed;
    private boolean lastPassRead;
    private boolean drainsInKernel;

    // Published for other threads.
    private volatile KernelView kernelView;
    private volatile String kernelReadError;
    private volatile Published published;
    private volatile DirectorStatus status;
    // The per-server part of the status is built when asked for, not on every pass: a pass over
    // 5,000 real servers should not pay for a view the api reads every few seconds.
    private volatile StatusInputs statusInputs;
    private volatile StatusMemo statusBuilt;

    private record StatusInputs(DirectorStatus head, DesiredState desired, KernelTable kernel,
            Map<VirtualServerKey, ApplyError> errors) {}

    private record StatusMemo(DirectorStatus head, DirectorStatus built) {}

    /**
     * What a dry run needs to plan exactly as the next pass would, as of the end of the last pass.
     *
     * @param kernel the table as the last pass left it (as read, plus the ops that succeeded)
     * @param kernelReadAt when the kernel was last read, {@code null} before the first read
     */
    record Published(KernelTable kernel, Instant kernelReadAt, Set<VirtualServerKey> owned, boolean ownershipRecorded,
            Map<DrainKey, Instant> drainStarts, Map<VirtualServerKey, QuorumMemo> quorumMemory) {}

    Reconciler(Ipvs ipvs, ServiceStore services, NodeSource nodes, EndpointSource endpoints, HealthSource health,
            ManualDrainSource drains, Measurements measurements, Clock clock, LoopSettings settings,
            OwnershipStore ownership, LongSupplier nanoTime, VipPaths paths) {
        this.paths = paths;
        this.ipvs = ipvs;
        this.services = services;
        this.nodes = nodes;
        this.endpoints = endpoints;
        this.health = health;
        this.drains = drains;
        this.measurements = measurements;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.ownership = ownership;
        this.settings = settings;
        this.failures = new ServiceFailures(settings, measurements);
        this.builds = new DesiredBuilds(services, nodes, endpoints, health, drains, paths);
        this.batch = new BatchApply(ipvs, measurements, failures, unreadable);
        var loaded = ownership.load();
        this.ownershipRecorded = loaded.isPresent();
        loaded.ifPresent(owned::addAll);
        this.status = DirectorStatus.initial(waitingFor());
        publish();
    }

    void addTask(KernelTask task) {
        tasks.add(task);
    }

    /** A source's services, nodes or drains changed: the next pass builds everything. */
    void inputsChanged() {
        builds.inputsChanged();
    }

    /**
     * Runs one pass. Never throws for a failure inside the pass: it is in the result and the status.
     *
     * @param readKernel read the kernel rather than trust the table the last pass left
     */
    PassResult run(boolean readKernel) {
        long t0 = nanoTime.getAsLong();
        Instant at = clock.instant();
        tasksFailed = false;
        lastPassRead = false;
        unreadable.beginPass();
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
            status = new DirectorStatus(at, Duration.ZERO, false, null, waiting, before.services(), before.problems());
            return new PassResult(PassResult.Outcome.WAITING, Duration.ZERO, 0, List.of(), null);
        }
        PassResult result;
        try {
            result = pass(at, t0, readKernel || !kernelKnown);
        } catch (RuntimeException e) {
            Duration took = Duration.ofNanos(nanoTime.getAsLong() - t0);
            LOG.warn("event=pass_failed error=\"{}\"", e.toString(), e);
            DirectorStatus before = status();
            status = new DirectorStatus(at, took, false, e.toString(), List.of(), before.services(), before.problems());
            result = new PassResult(PassResult.Outcome.FAILED, took, 0, List.of(), e.toString());
        }
        measurements.passCompleted(result.duration(), result.outcome() != PassResult.Outcome.FAILED);
        return result;
    }

    /** What the runner needs after {@code result}. */
    PassRunner.Next next(PassResult result) {
        boolean failed = result.outcome() == PassResult.Outcome.FAILED;
        long pollAt = PassRunner.NEVER;
        if (result.outcome() == PassResult.Outcome.OK) {
            pollAt = failures.nextRetryAt();
            if (drainsInKernel) {
                pollAt = Math.min(pollAt, nanoTime.getAsLong() + settings.drainPollInterval().toNanos());
            }
        }
        return new PassRunner.Next(failed || tasksFailed, lastPassRead, unreadable.readSoon(), pollAt);
    }

    private PassResult pass(Instant at, long t0, boolean readKernel) {
        DesiredBuilds.Built built = builds.build(at, readKernel, drainStarts, quorumMemory);
        DesiredState desired = built.desired();
        // An incremental pass that does not read the kernel plans only the rebuilt services.
        Set<VirtualServerKey> only = readKernel ? null : built.rebuilt();

        KernelTable actual;
        if (readKernel) {
            IpvsSnapshot snapshot;
            try {
                snapshot = ipvs.snapshot();
            } catch (RuntimeException e) {
                kernelReadError = e.toString();
                throw e;
            }
            kernelReadError = null;
            kernelView = new KernelView(snapshot, clock.instant());
            actual = KernelTable.of(snapshot, paths::isInternal);
        } else {
            actual = lastKernel;
        }
        lastPassRead = readKernel;
        // Until this pass ends well, the table in memory is not to be trusted.
        kernelKnown = false;
        if (readKernel) {
            forgetVanished(desired, actual);
        }

        // Without a read, the connection counts are the last read's (0 for a real server added since):
        // a draining one then goes to weight 0 and the drain poll's read decides its delete. Otherwise a
        // drain started by an event (an endpoint terminating, a cordon) deleted it with open connections.
        PlanStep.Result step = PlanStep.plan(desired, actual, owned, ownershipRecorded, built.adopt(), only,
                readKernel);
        long now = nanoTime.getAsLong();
        Set<VirtualServerKey> skipped = claim(desired, actual, step, now);
        for (Map.Entry<VirtualServerKey, String> f : step.foreign().entrySet()) {
            failures.refusedWhole(f.getKey(), f.getValue(), addOp(desired.services().get(f.getKey())), "add_service",
                    "EEXIST",
                    "the kernel already has " + f.getKey() + " and it belongs to someone else (not created or"
                            + " adopted by this director); \"adopt\": true takes it over", false);
        }
        List<String> problems = desired.problems();
        if (unreadable.any(actual)) {
            problems = unreadable.problems(desired, actual, readKernel, owned, problems);
        }

        // Filter: an op held back by its service's backoff waits for the retry deadline.
        List<PlanOp> planOps = new ArrayList<>(step.plan().ops().size());
        Set<VirtualServerKey> held = new HashSet<>(skipped);
        for (PlanOp op : step.plan().ops()) {
            if (skipped.contains(op.service())) {
                continue;
            }
            if (failures.holds(op, now)) {
                held.add(op.service());
                continue;
            }
            planOps.add(op);
        }
        BatchApply.Applied done = batch.apply(planOps, actual);
        actual = done.table();
        int applied = done.applied();
        List<String> failed = done.failed();
        String broken = done.broken();
        if (owned.removeAll(done.deleted())) {
            ownershipDirty = true;
        }
        if (ownershipDirty) {
            saveOwnership(owned);
        }
        drainStarts = desired.drainStarts();
        quorumMemory = desired.quorumMemory();
        lastKernel = actual;
        drainsInKernel = drainsInKernel(actual);
        noteAllDown(desired);
        Map<VirtualServerKey, String> names = new HashMap<>();
        desired.services().values().forEach(s -> names.put(s.key(), s.name()));
        Collection<VirtualServerKey> planned = only != null ? only : union(names.keySet(), step.plan().ops());
        failures.endPass(planned, names, held, at, nanoTime.getAsLong());

        Duration took = Duration.ofNanos(nanoTime.getAsLong() - t0);
        boolean ok = broken == null;
        kernelKnown = ok;
        builds.passEnded(ok ? built : null);
        DirectorStatus head = new DirectorStatus(at, took, ok, broken, List.of(), List.of(), problems);
        Map<VirtualServerKey, ApplyError> errors = failures.errors();
        statusInputs = new StatusInputs(head, desired, actual, errors);
        status = head;
        publishProbePaths(actual, errors);
        publish();
        if (!planOps.isEmpty() || !failed.isEmpty()) {
            LOG.info("event=pass_done ops={} applied={} failed={} held={} took_ms={}", step.plan().ops().size(),
                    applied, failed.size(), held.size(), took.toMillis());
        } else {
            LOG.debug("event=pass_done ops=0 held={} took_ms={}", held.size(), took.toMillis());
        }
        return new PassResult(ok ? PassResult.Outcome.OK : PassResult.Outcome.FAILED, took, applied, failed, broken);
    }

    /** The ipvsadm spelling of adding this service, for an error about it. */
    private static String addOp(DesiredService ds) {
        return PlanOp.addService(ds.name(), ds.key(), ds.spec()).describe();
    }

    /**
     * Saves the claims of this pass as owned before any op of theirs is applied. Returns the services
     * to leave untouched in this pass: claims whose save failed (or whose retry after a failed save is
     * not due yet).
     */
    private Set<VirtualServerKey> claim(DesiredState desired, KernelTable actual, PlanStep.Result step, long now) {
        Set<VirtualServerKey> claims = new HashSet<>();
        Set<VirtualServerKey> skipped = new HashSet<>();
        for (VirtualServerKey k : step.claims()) {
            (failures.holdsWhole(k, now) ? skipped : claims).add(k);
        }
        if (claims.isEmpty() && ownershipRecorded && !ownershipDirty) {
            return skipped;
        }
        Set<VirtualServerKey> next = new HashSet<>(owned);
        next.addAll(claims);
        boolean upgrade = !ownershipRecorded;
        if (saveOwnership(next)) {
            for (VirtualServerKey k : claims) {
                if (actual.hasService(k)) {
                    LOG.info("event=service_adopted service={} key=\"{}\" reason={}", desired.services().get(k).name(),
                            k, upgrade ? "no_ownership_record" : "adopt_requested");
                }
            }
            owned.addAll(claims);
            return skipped;
        }
        for (VirtualServerKey k : claims) {
            DesiredService ds = desired.services().get(k);
            failures.refusedWhole(k, ds.name(), addOp(ds), "add_service", "-", "ownership could not be recorded ("
                    + lastSaveError + "): the service is left untouched and retried", true);
        }
        skipped.addAll(claims);
        return skipped;
    }

    private String lastSaveError;

    private boolean saveOwnership(Set<VirtualServerKey> set) {
        try {
            ownership.save(set);
            ownershipRecorded = true;
            ownershipDirty = false;
            return true;
        } catch (RuntimeException e) {
            lastSaveError = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("event=ownership_save_failed error=\"{}\"", lastSaveError);
            return false;
        }
    }

    /**
     * Drops from the owned set what is neither desired nor in the kernel (deleted by hand, or by a
     * pass whose save failed): should someone else create that key later, it is theirs.
     */
    private void forgetVanished(DesiredState desired, KernelTable actual) {
        if (owned.removeIf(k -> !desired.services().containsKey(k) && !actual.hasService(k))) {
            ownershipDirty = true;
        }
    }

    private static Set<VirtualServerKey> union(Set<VirtualServerKey> desired, List<PlanOp> ops) {
        Set<VirtualServerKey> out = new HashSet<>(desired);
        for (PlanOp op : ops) {
            out.add(op.service());
        }
        return out;
    }

    private boolean drainsInKernel(KernelTable actual) {
        for (DrainKey k : drainStarts.keySet()) {
            KernelService s = actual.services().get(k.service());
            if (s != null && s.realServers().containsKey(k.realServer())) {
                return true;
            }
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
                LOG.warn("event=all_down service={} policy={} min_healthy={}", s.name(), s.whenAllDown().label(),
                        s.minHealthy());
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

    private List<String> waitingFor() {
        List<String> waiting = new ArrayList<>(2);
        if (!services.hasSynced()) {
            waiting.add("services");
        }
        if (!nodes.hasSynced()) {
            waiting.add("nodes");
        }
        if (!endpoints.hasSynced()) {
            waiting.add("endpoints");
        }
        return waiting;
    }

    private void publish() {
        KernelView kv = kernelView;
        published = new Published(lastKernel, kv == null ? null : kv.readAt(), Set.copyOf(owned), ownershipRecorded,
                drainStarts, quorumMemory);
    }

    /** Lets probes via a VIP go to the real servers whose internal service is in {@code kernel}. */
    private void publishProbePaths(KernelTable kernel, Map<VirtualServerKey, ApplyError> errors) {
        Map<VirtualServerKey, String> why = new HashMap<>();
        errors.forEach((k, e) -> {
            if (paths.isInternal(k)) {
                why.put(k, e.op() + ": " + e.message());
            }
        });
        paths.publish(kernel, why);
    }

    /** The internal probe paths of probes via a VIP (read by the probes). */
    VipPaths vipPaths() {
        return paths;
    }

    /** The view after the last pass. Never blocks. */
    DirectorStatus status() {
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
                head.lastError(), head.waitingFor(), StatusBuilder.services(in.desired(), in.kernel(), in.errors()),
                head.problems());
        statusBuilt = new StatusMemo(head, built);
        return built;
    }

    KernelView kernelView() {
        return kernelView;
    }

    /** Why the last kernel read failed, {@code null} when it succeeded (or none was tried yet). */
    String kernelReadError() {
        return kernelReadError;
    }

    Published published() {
        return published;
    }

    /** The sources, for a dry run. */
    DesiredState buildFor(Collection<ServiceSpec> specs, Instant at) {
        return paths.plannedFor(DesiredStateBuilder.build(specs, nodes.nodes(), DesiredBuilds.views(endpoints, specs),
                health.snapshot(), drains.drains(), published.drainStarts(), published.quorumMemory(), at));
    }

    Clock clock() {
        return clock;
    }

    /** The kernel table as of the end of the last pass (as read, plus the ops that succeeded). */
    KernelTable lastKernel() {
        return lastKernel;
    }
}
