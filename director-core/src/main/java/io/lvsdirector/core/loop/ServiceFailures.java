package io.lvsdirector.core.loop;

import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.status.ApplyError;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services the kernel (or the director itself) refused a change of, with their retry backoff.
 * One service's failure stays with that service: it gets an {@link ApplyError} on its status and a
 * retry deadline of its own, the backoff doubling from {@link LoopSettings#initialBackoff()} to
 * {@link LoopSettings#maxBackoff()} per failed attempt. Until the deadline, the ops that failed are
 * held back (a burst of health transitions does not resend an op the kernel keeps refusing); an op
 * that differs (the spec was fixed, another real server changed) is sent at once.
 *
 * <p>Used only on the loop's thread, inside a pass; {@link #errors()} hands out an immutable copy.
 */
final class ServiceFailures {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceFailures.class);

    private record Entry(String name, ApplyError error, Set<PlanOp> held, boolean wholeService, long retryAt,
            Duration backoff) {}

    /** A refusal seen in this pass, before it is recorded. */
    private record Refusal(String name, String op, String kind, String errno, String message, Set<PlanOp> ops,
            boolean wholeService) {}

    private final LoopSettings settings;
    private final Measurements measurements;
    private final Map<VirtualServerKey, Entry> entries = new HashMap<>();
    private final Map<VirtualServerKey, Refusal> thisPass = new LinkedHashMap<>();
    // Per name, whether the last report to measurements said "in step".
    private final Map<String, Boolean> reported = new HashMap<>();
    private Map<VirtualServerKey, ApplyError> published = Map.of();

    ServiceFailures(LoopSettings settings, Measurements measurements) {
        this.settings = settings;
        this.measurements = measurements;
    }

    /** Whether {@code op} is held back now: it failed for its service and the retry is not due. */
    boolean holds(PlanOp op, long now) {
        Entry e = entries.get(op.service());
        return e != null && now - e.retryAt() < 0 && (e.wholeService() || e.held().contains(op));
    }

    /** Whether every op of {@code service} is held back now (ownership could not be recorded). */
    boolean holdsWhole(VirtualServerKey service, long now) {
        Entry e = entries.get(service);
        return e != null && e.wholeService() && now - e.retryAt() < 0;
    }

    /** Whether some op of {@code service} is held back or failed in this pass. */
    boolean outOfStep(VirtualServerKey service) {
        return entries.containsKey(service) || thisPass.containsKey(service);
    }

    /** Notes an op refused in this pass (by the kernel, or by the director's own mapping). */
    void refused(String name, PlanOp op, String ipvsadm, String errno, String message) {
        measurements.applyFailed(name, op.kind(), errno);
        Refusal r = thisPass.get(op.service());
        if (r == null) {
            Set<PlanOp> ops = new HashSet<>();
            ops.add(op);
            thisPass.put(op.service(), new Refusal(name, ipvsadm, op.kind(), errno, message, ops, false));
        } else {
            r.ops().add(op);
        }
    }

    /**
     * Notes a service the director did not touch at all in this pass (someone else's kernel service,
     * or ownership it could not record); {@code hold} holds every op of it back until the backoff is
     * due (someone else's service is looked at again on every pass: it is not ours to retry).
     */
    void refusedWhole(VirtualServerKey key, String name, String op, String kind, String errno, String message,
            boolean hold) {
        if (!thisPass.containsKey(key)) {
            Entry before = entries.get(key);
            // Counted once per spell: a service left alone is not refused again on every pass.
            if (before == null || !before.error().errno().equals(errno)) {
                measurements.applyFailed(name, kind, errno);
            }
            thisPass.put(key, new Refusal(name, op, kind, errno, message, new HashSet<>(), hold));
        }
    }

    /**
     * Ends a pass: records this pass's refusals (a new failure in a row starts "since" at {@code at}),
     * clears services that were planned and had nothing refused or held back, forgets services no
     * longer desired, and reports per-service step to the measurements.
     *
     * @param planned services whose whole plan this pass made (the rest kept their state)
     * @param desired every desired service: name by key
     */
    void endPass(Collection<VirtualServerKey> planned, Map<VirtualServerKey, String> desired, Set<VirtualServerKey> stillHeld,
            Instant at, long now) {
        for (VirtualServerKey k : planned) {
            if (!thisPass.containsKey(k) && !stillHeld.contains(k) && entries.containsKey(k)) {
                Entry gone = entries.remove(k);
                LOG.info("event=service_in_step service={} after_failures={}", gone.name(), gone.error().failures());
            }
        }
        for (Map.Entry<VirtualServerKey, Refusal> e : thisPass.entrySet()) {
            Refusal r = e.getValue();
            Entry before = entries.get(e.getKey());
            Duration backoff = before == null ? settings.initialBackoff() : min(before.backoff().multipliedBy(2));
            int failures = before == null ? 1 : before.error().failures() + 1;
            Instant since = before == null ? at : before.error().since();
            ApplyError error = new ApplyError(r.op(), r.errno(), r.message(), since, failures);
            Set<PlanOp> held = new HashSet<>(r.ops());
            if (before != null && !before.wholeService()) {
                held.addAll(before.held());
            }
            entries.put(e.getKey(), new Entry(r.name(), error, held, r.wholeService(), now + backoff.toNanos(),
                    backoff));
            if (before == null || !before.error().op().equals(r.op()) || !before.error().errno().equals(r.errno())) {
                LOG.warn("event=service_out_of_step service={} op=\"{}\" errno={} message=\"{}\" retry_ms={}",
                        r.name(), r.op(), r.errno(), r.message(), backoff.toMillis());
            } else {
                LOG.debug("event=service_still_out_of_step service={} failures={} retry_ms={}", r.name(), failures,
                        backoff.toMillis());
            }
        }
        thisPass.clear();
        entries.keySet().removeIf(k -> !desired.containsKey(k) && !planned.contains(k));
        Map<VirtualServerKey, ApplyError> now2 = new HashMap<>();
        entries.forEach((k, v) -> now2.put(k, v.error()));
        if (!now2.equals(published)) {
            published = Map.copyOf(now2);
        }
        Set<String> names = new HashSet<>();
        for (Map.Entry<VirtualServerKey, String> d : desired.entrySet()) {
            boolean inStep = !entries.containsKey(d.getKey());
            names.add(d.getValue());
            Boolean was = reported.put(d.getValue(), inStep);
            if (was == null || was != inStep) {
                measurements.serviceInStep(d.getValue(), inStep);
            }
        }
        reported.keySet().removeIf(name -> {
            if (!names.contains(name)) {
                measurements.serviceGone(name);
                return true;
            }
            return false;
        });
    }

    /** The earliest retry deadline (nanoTime), or {@link PassRunner#NEVER}. */
    long nextRetryAt() {
        long next = PassRunner.NEVER;
        for (Entry e : entries.values()) {
            // Someone else's service has nothing to retry: the next resync looks again.
            if ((e.wholeService() || !e.held().isEmpty()) && e.retryAt() < next) {
                next = e.retryAt();
            }
        }
        return next;
    }

    /** The services out of step now, with why. Immutable; the same object while nothing changed. */
    Map<VirtualServerKey, ApplyError> errors() {
        return published;
    }

    private Duration min(Duration d) {
        return d.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : d;
    }
}
