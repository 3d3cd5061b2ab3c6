package io.lvsdirector.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.status.ApplyError;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.ServiceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this director's part of every {@code LvsService} status: its {@code status.directors[]}
 * entry, and the top-level {@code observedGeneration}, {@code Accepted} and {@code Applied}
 * recomputed from both directors' newest entries ({@link LvsStatus}).
 *
 * <p>It runs on its own thread and only reads the loop's published {@link DirectorStatus}, so the
 * reconcile loop never waits for the API server. Every {@code interval} it compares what it would
 * write with what it last wrote (or, after a start, with what the object already holds) and writes
 * only what changed, at most {@code maxWritesPerRound} objects per round; nothing is written per
 * pass. A write that fails is logged and retried for that object alone with a doubling backoff (up
 * to a minute); it never reaches the loop or the director's health.
 *
 * <p>Whether the loop has acted on a spec: the store notes when it started serving each spec; a
 * pass that began after that read it. Until such a pass, the object's entry is left as it was.
 *
 * <p>Thread-safe; {@link #reportOnce()} may also be called directly (tests).
 */
public final class LvsStatusReporter implements AutoCloseable {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_WRITES_PER_ROUND = 20;
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(LvsStatusReporter.class);

    private final LvsServiceStore store;
    private final String director;
    private final Supplier<DirectorStatus> loop;
    private final Clock clock;
    private final Duration interval;
    private final int maxWritesPerRound;
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private ScheduledExecutorService executor;

    /** What this director's entry says for one object, whenever it was written. */
    private record Written(String uid, long generation, DirectorReport report, String error, long lastValid) {
        boolean same(Written o) {
            return o != null && uid.equals(o.uid) && generation == o.generation && report.sameAs(o.report)
                    && Objects.equals(error, o.error) && lastValid == o.lastValid;
        }
    }

    private record Retry(Instant notBefore, Duration backoff) {}

    /**
     * @param store the objects, and where the status goes
     * @param director this director's name ({@link DirectorNames})
     * @param loop the loop's published status ({@code ReconcileLoop::status}); never blocks
     * @param clock wall clock, the loop's
     * @param interval how often to compare (and write what changed)
     * @param maxWritesPerRound how many objects one round may write; the rest wait for the next
     */
    public LvsStatusReporter(LvsServiceStore store, String director, Supplier<DirectorStatus> loop, Clock clock,
            Duration interval, int maxWritesPerRound) {
        this.store = Objects.requireNonNull(store, "store");
        this.director = DirectorNames.check(director);
        this.loop = Objects.requireNonNull(loop, "loop");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero() || maxWritesPerRound < 1) {
            throw new IllegalArgumentException("interval must be positive and maxWritesPerRound at least 1");
        }
        this.maxWritesPerRound = maxWritesPerRound;
    }

    /** With the default interval (1 s) and write limit (20 objects per round). */
    public LvsStatusReporter(LvsServiceStore store, String director, Supplier<DirectorStatus> loop, Clock clock) {
        this(store, director, loop, clock, DEFAULT_INTERVAL, DEFAULT_MAX_WRITES_PER_ROUND);
    }

    public String director() {
        return director;
    }

    /** Starts the reporting thread. @throws IllegalStateException if already started */
    public synchronized void start() {
        if (executor != null) {
            throw new IllegalStateException("already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lvs-status-reporter");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                reportOnce();
            } catch (Throwable t) {
                // A scheduled task that throws is never run again: keep reporting.
                LOG.warn("event=lvsservice_status_round_failed director={} error=\"{}\"", director, t.toString());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("event=lvsservice_status_reporter_started director={} interval_ms={}", director, interval.toMillis());
    }

    /** Status writes made so far. */
    public long writes() {
        return writes.get();
    }

    /** Status writes that failed so far (each is retried). */
    public long failures() {
        return failures.get();
    }

    /**
     * One round: writes the entries that changed. Never throws for a failed write (it is logged and
     * retried later).
     *
     * @return how many objects it wrote
     */
    public int reportOnce() {
        DirectorStatus ds = loop.get();
        Map<String, ServiceStatus> byName = new ConcurrentHashMap<>();
        if (ds != null) {
            ds.services().forEach(s -> byName.put(s.name(), s));
        }
        Instant now = clock.instant();
        int round = 0;
        Set<String> seen = new HashSet<>();
        for (LvsServiceStore.ObjectState o : store.objects()) {
            seen.add(o.name());
            DirectorReport report = desired(o, ds, byName.get(o.name()), now);
            if (report == null) {
                continue;
            }
            long lastValid = o.error() == null && o.served() != null ? o.servedGeneration() : -1;
            Written want = new Written(o.uid(), o.generation(), report,
                    o.error() == null ? null : o.error().getMessage(), lastValid);
            Written last = written.get(o.name());
            if (last == null) {
                last = found(o);
            }
            if (want.same(last)) {
                written.put(o.name(), last);
                retries.remove(o.name());
                continue;
            }
            Retry retry = retries.get(o.name());
            if (retry != null && now.isBefore(retry.notBefore())) {
                continue;
            }
            if (round >= maxWritesPerRound) {
                continue;
            }
            round++;
            try {
                store.updateStatus(o.name(), o.uid(), status -> next(status, o, report, now));
                writes.incrementAndGet();
                written.put(o.name(), want);
                retries.remove(o.name());
                LOG.info("event=lvsservice_status_written service={} director={} generation={} applied={} reason={}",
                        o.name(), director, report.observedGeneration(), report.applied(), report.reason());
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                Duration backoff = retry == null ? interval : min(retry.backoff().multipliedBy(2), MAX_BACKOFF);
                retries.put(o.name(), new Retry(now.plus(backoff), backoff));
                LOG.warn("event=lvsservice_status_write_failed service={} director={} retry_in_ms={} error=\"{}\"",
                        o.name(), director, backoff.toMillis(), e.getMessage());
            }
        }
        written.keySet().retainAll(seen);
        retries.keySet().retainAll(seen);
        return round;
    }

    /** Stops the thread; a write in progress finishes. Idempotent. */
    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** The status to write: this director's entry replaced, the aggregate recomputed. */
    private ObjectNode next(ObjectNode status, LvsServiceStore.ObjectState o, DirectorReport report, Instant now) {
        DirectorReport old = LvsStatus.reportOf(status, director);
        // An entry that says the same keeps its lastUpdate: the time of the last change.
        DirectorReport mine = report.sameAs(old) ? old : report;
        ObjectNode out = LvsStatus.withReport(status, mine, o.generation(), o.error(), now);
        if (o.error() == null && o.served() != null) {
            LvsStatus.setLastValidSpec(out, o.servedGeneration(), store.mapper().toJson(o.served()));
        }
        return out;
    }

    /**
     * This director's entry for an object now, or null while it cannot tell yet (no pass since the
     * store started serving the spec).
     */
    private DirectorReport desired(LvsServiceStore.ObjectState o, DirectorStatus ds, ServiceStatus s, Instant now) {
        if (o.served() == null) {
            String why = o.error() == null ? "" : o.error().getMessage();
            return new DirectorReport(director, o.generation(), false, DirectorReport.INVALID_SPEC,
                    "not served: " + why, now);
        }
        if (ds == null || ds.lastPassAt() == null || !ds.waitingFor().isEmpty()
                || (o.servedSince() != null && ds.lastPassAt().isBefore(o.servedSince()))) {
            return null;
        }
        long g = o.servedGeneration();
        if (s == null) {
            return new DirectorReport(director, g, false, DirectorReport.NOT_IN_KERNEL,
                    "not among the services of the last pass", now);
        }
        ApplyError e = s.applyError();
        if (e != null) {
            return new DirectorReport(director, g, false, DirectorReport.APPLY_FAILED,
                    e.op() + ": " + e.errno() + ": " + e.message() + " (since " + e.since() + ")", now);
        }
        if (!s.inKernel()) {
            return new DirectorReport(director, g, false, DirectorReport.NOT_IN_KERNEL,
                    "not in the kernel table after the last pass", now);
        }
        return new DirectorReport(director, g, true, DirectorReport.APPLIED, problemsOf(ds, o.name()), now);
    }

    /**
     * The build's problems about one service, without the {@code service NAME: } prefix, for the
     * entry's message ({@code Service ingress/traefik not found}, {@code node n3 has no IPv6 address
     * for the VIP, ignored}): the kernel holds what was desired, and this says what was left out.
     * Empty when there are none; at most {@value #MAX_PROBLEMS} of them.
     */
    static String problemsOf(DirectorStatus ds, String service) {
        String prefix = "service " + service + ": ";
        java.util.List<String> mine = new java.util.ArrayList<>();
        for (String p : ds.problems()) {
            if (p.startsWith(prefix)) {
                mine.add(p.substring(prefix.length()));
            }
        }
        if (mine.size() > MAX_PROBLEMS) {
            int more = mine.size() - MAX_PROBLEMS;
            mine = new java.util.ArrayList<>(mine.subList(0, MAX_PROBLEMS));
            mine.add("and " + more + " more");
        }
        return String.join("; ", mine);
    }

    private static final int MAX_PROBLEMS = 5;

    /** What the object's status already says for this director (after a restart), or null. */
    private Written found(LvsServiceStore.ObjectState o) {
        JsonNode status = o.status();
        DirectorReport mine = LvsStatus.reportOf(status, director);
        LvsStatus.Condition accepted = LvsStatus.condition(status, LvsStatus.ACCEPTED);
        if (mine == null || accepted == null || status.path("observedGeneration").asLong(-1) != o.generation()) {
            return null;
        }
        String error = "False".equals(accepted.status()) ? accepted.message() : null;
        JsonNode lv = status.path(LvsStatus.LAST_VALID_SPEC).path("generation");
        long lastValid = error == null && lv.canConvertToLong() ? lv.asLong() : -1;
        return new Written(o.uid(), o.generation(), mine, error, lastValid);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
