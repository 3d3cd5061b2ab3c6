package io.lvsdirector.core.kernel;

import io.lvsdirector.core.loop.KernelTask;
import io.lvsdirector.ipvs.Ipvs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which schedulers the running kernel has, found out without touching its table
 * ({@link Ipvs#schedulerAvailable}), so that a request naming one it lacks is refused at the API
 * instead of failing every pass afterwards.
 *
 * <p>A {@link KernelTask}: the reconcile loop runs it on its own thread at the start of a pass, as
 * it runs every other kernel exchange (the loop is the kernel's only reader and writer). It probes
 * every known name at the first pass and then again at most every {@code interval}, or at the next
 * pass after {@link #refresh()}; a probe that could not tell (a socket error, a kernel without
 * IPv6 IPVS) is tried again after {@link #RETRY_UNKNOWN} at the earliest. A module installed later
 * is thus seen within one interval; one loaded by the probe itself ({@code request_module}) at once.
 *
 * <p>Readers on other threads (REST requests) read {@link #view()}, an immutable snapshot; never
 * blocks. Before the first probe every name is {@link Availability#UNKNOWN}.
 */
public final class SchedulerCatalog implements KernelTask {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerCatalog.class);

    /** How often the kernel is asked again by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

    /** The earliest a name that could not be probed is tried again. */
    public static final Duration RETRY_UNKNOWN = Duration.ofSeconds(30);

    /** What the running kernel said about one scheduler. */
    public enum Availability {
        /** The kernel has it (or loaded its module when asked). */
        AVAILABLE,
        /** The kernel has no such scheduler, nor a module for it. */
        UNAVAILABLE,
        /** Not probed yet, or the probe could not tell. */
        UNKNOWN
    }

    /**
     * One scheduler.
     *
     * @param name the scheduler name
     * @param availability what the last probe said
     * @param probedAt when it was probed; {@code null} if never
     */
    public record Entry(String name, Availability availability, Instant probedAt) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(availability, "availability");
        }
    }

    /**
     * The catalog at one time: every known name, sorted.
     *
     * @param entries by name
     * @param probedAt when the last probe round ended; {@code null} before the first
     */
    public record View(Map<String, Entry> entries, Instant probedAt) {
        public View {
            entries = Collections.unmodifiableMap(new TreeMap<>(entries));
        }

        /** What is known of {@code name}; {@link Availability#UNKNOWN} for a name not in the catalog. */
        public Availability availability(String name) {
            Entry e = entries.get(name);
            return e == null ? Availability.UNKNOWN : e.availability();
        }

        /** The names the kernel has, sorted. */
        public SortedSet<String> available() {
            SortedSet<String> out = new TreeSet<>();
            entries.values().stream().filter(e -> e.availability() == Availability.AVAILABLE)
                    .forEach(e -> out.add(e.name()));
            return Collections.unmodifiableSortedSet(out);
        }
    }

    private final Set<String> names;
    private final Clock clock;
    private final Duration interval;
    private final AtomicBoolean refresh = new AtomicBoolean();
    private volatile View view;
    // Touched only on the loop's thread (reconcile).
    private Instant nextProbe;

    /**
     * @param names the scheduler names to probe (those the service spec accepts)
     * @param clock wall clock, for {@link Entry#probedAt()} and the interval
     * @param interval the longest time between two probe rounds
     */
    public SchedulerCatalog(Set<String> names, Clock clock, Duration interval) {
        this.names = Set.copyOf(names);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("probe interval must be positive: " + interval);
        }
        Map<String, Entry> unknown = new TreeMap<>();
        for (String n : this.names) {
            unknown.put(n, new Entry(n, Availability.UNKNOWN, null));
        }
        this.view = new View(unknown, null);
    }

    /** The catalog as last probed. Never blocks. */
    public View view() {
        return view;
    }

    private static boolean sameAvailability(View a, View b) {
        if (!a.entries().keySet().equals(b.entries().keySet())) {
            return false;
        }
        for (String n : a.entries().keySet()) {
            if (a.availability(n) != b.availability(n)) {
                return false;
            }
        }
        return true;
    }

    /** Asks for a probe round at the next pass (the caller asks the loop for a pass if it is in a hurry). */
    public void refresh() {
        refresh.set(true);
    }

    /**
     * Probes every name when due. Never asks the loop to retry: what it learns is not kernel state
     * the director wants to change, and a name it could not tell stays {@code UNKNOWN}, which the
     * API accepts.
     */
    @Override
    public boolean reconcile(Ipvs ipvs) {
        Instant now = clock.instant();
        if (!refresh.getAndSet(false) && nextProbe != null && now.isBefore(nextProbe)) {
            return true;
        }
        Map<String, Entry> out = new TreeMap<>();
        boolean anyUnknown = false;
        for (String n : names) {
            Availability a;
            try {
                Optional<Boolean> has = ipvs.schedulerAvailable(n);
                a = has.isEmpty() ? Availability.UNKNOWN : has.get() ? Availability.AVAILABLE : Availability.UNAVAILABLE;
            } catch (RuntimeException e) {
                LOG.debug("event=scheduler_probe_failed scheduler={} error=\"{}\"", n, e.toString());
                a = Availability.UNKNOWN;
            }
            anyUnknown |= a == Availability.UNKNOWN;
            out.put(n, new Entry(n, a, clock.instant()));
        }
        Instant done = clock.instant();
        View before = view;
        view = new View(out, done);
        // One line when what the kernel has changes (the first round included), none per round.
        if (!sameAvailability(before, view)) {
            SortedSet<String> missing = new TreeSet<>();
            SortedSet<String> unknown = new TreeSet<>();
            view.entries().values().forEach(e -> {
                if (e.availability() == Availability.UNAVAILABLE) {
                    missing.add(e.name());
                } else if (e.availability() == Availability.UNKNOWN) {
                    unknown.add(e.name());
                }
            });
            LOG.info("event=schedulers_probed available={} unavailable={} unknown={}", view.available(), missing,
                    unknown);
        }
        Duration next = anyUnknown && RETRY_UNKNOWN.compareTo(interval) < 0 ? RETRY_UNKNOWN : interval;
        nextProbe = done.plus(next);
        return true;
    }
}
