package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.HealthListener;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.status.Measurements;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one probe per {@link ProbeTarget}, however many services share it, and turns raw results
 * into health with rise/fall hysteresis.
 *
 * <ul>
 *   <li>Each target starts at a random point of its first interval, so thousands of targets do
 *       not probe in step.
 *   <li>A first answer (HEALTHY or DRAINING) sets the state at once: a restart must not wait
 *       {@code rise} intervals to learn what it had. A first failure counts as from HEALTHY and
 *       takes {@code fall} in a row: one slow first probe after a restart must not take a server
 *       out. After that, moving to a better state (FAILED → DRAINING → HEALTHY) takes {@code rise}
 *       consecutive results of that kind, moving to a worse one {@code fall}.
 *   <li>Only transitions are reported, plus every state again each {@code renotifyInterval}, so a
 *       lost notification heals.
 * </ul>
 *
 * <p>Each target's state lives on one event loop and is touched only there. Thread-safe:
 * {@link #setTargets(Set)} and {@link #close()} may be called from any thread.
 */
public final class HealthProber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthProber.class);

    private final Checker checker;
    private final EventLoopGroup loops;
    private final HealthListener listener;
    private final Measurements measurements;
    private final Clock clock;
    private final Duration renotifyInterval;
    private final ConcurrentHashMap<ProbeTarget, Probe> probes = new ConcurrentHashMap<>();
    // Each loop's timers: the checker's own when it runs on the same loops, so a probe's start and
    // its timeout share one wheel and one wake-up.
    private final Map<EventExecutor, TickWheel> wheels;
    // The checker when it runs on these same loops: probes then take its direct way in.
    private final NettyChecker own;
    private final ScheduledFuture<?> renotifier;
    private volatile boolean closed;

    /**
     * @param checker runs the probes
     * @param loops the threads that keep each target's schedule and state (a {@link NettyChecker}'s
     *     own, via {@link #create})
     * @param listener receives transitions and re-notifications (the {@code HealthBoard})
     * @param measurements probe latency and transitions
     * @param clock wall clock for "since"
     * @param renotifyInterval how often every state is reported again
     */
    public HealthProber(Checker checker, EventLoopGroup loops, HealthListener listener, Measurements measurements,
            Clock clock, Duration renotifyInterval) {
        this.checker = Objects.requireNonNull(checker, "checker");
        this.loops = Objects.requireNonNull(loops, "loops");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.measurements = Objects.requireNonNull(measurements, "measurements");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.renotifyInterval = Objects.requireNonNull(renotifyInterval, "renotifyInterval");
        this.own = checker instanceof NettyChecker n && n.group() == loops ? n : null;
        this.wheels = own != null ? own.wheels() : TickWheel.forEach(loops);
        long every = renotifyInterval.toNanos();
        this.renotifier = loops.next().scheduleAtFixedRate(this::renotifyAll, every, every,
                TimeUnit.NANOSECONDS);
    }

    /** A prober on a {@link NettyChecker}'s own threads, which then run the probes and their timers alike. */
    public static HealthProber create(NettyChecker checker, HealthListener listener, Measurements measurements,
            Clock clock, Duration renotifyInterval) {
        return new HealthProber(checker, checker.group(), listener, measurements, clock, renotifyInterval);
    }

    /**
     * Probes exactly these targets from now on: new ones start (at a random point of their first
     * interval), missing ones stop. Non-blocking; thread-safe.
     */
    public void setTargets(Set<ProbeTarget> targets) {
        if (closed) {
            return;
        }
        for (ProbeTarget t : targets) {
            probes.computeIfAbsent(t, k -> {
                Probe p = new Probe(k, loops.next());
                p.startJittered();
                return p;
            });
        }
        probes.entrySet().removeIf(e -> {
            if (!targets.contains(e.getKey())) {
                e.getValue().stop();
                return true;
            }
            return false;
        });
    }

    /** The current status of every target, for tests and diagnostics. */
    public Map<ProbeTarget, HealthStatus> statuses() {
        Map<ProbeTarget, HealthStatus> out = new java.util.HashMap<>();
        probes.forEach((t, p) -> out.put(t, p.status));
        return out;
    }

    /** How many targets are probed. */
    public int size() {
        return probes.size();
    }

    /** Stops every probe. Does not close the checker. Idempotent. */
    @Override
    public void close() {
        closed = true;
        renotifier.cancel(false);
        probes.values().forEach(Probe::stop);
        probes.clear();
    }

    private void renotifyAll() {
        for (Probe p : probes.values()) {
            p.loop.execute(p::renotify);
        }
    }

    /**
     * One target's schedule and hysteresis; every field is touched on {@link #loop} only. Its own
     * timer and its own completion callback, so a probe allocates no task or lambda here.
     */
    final class Probe extends TickWheel.Timer implements BiConsumer<ProbeResult, Throwable>, NettyChecker.Completion {
        final ProbeTarget target;
        final long interval;
        final EventLoop loop;
        final TickWheel wheel;
        // The checker's state for this target, on the direct way in (own != null); taken again once released.
        NettyChecker.Link link;
        volatile HealthStatus status;
        volatile boolean stopped;
        long nextStart;
        // When the running probe started (the wheel's now() as it fired).
        long startedAt;
        ProbeResult.Outcome streakOutcome;
        int streak;

        Probe(ProbeTarget target, EventLoop loop) {
            this.target = target;
            this.interval = target.check().interval().toNanos();
            this.loop = loop;
            this.wheel = wheels.get(loop);
            this.status = HealthStatus.unknown(clock.instant());
        }

        void startJittered() {
            long delay = ThreadLocalRandom.current().nextLong(interval);
            loop.execute(() -> {
                if (!stopped) {
                    nextStart = alignUp(System.nanoTime() + delay, batchGrid(interval));
                    wheel.arm(this, nextStart);
                }
            });
        }

        void stop() {
            stopped = true;
            loop.execute(() -> {
                TickWheel.disarm(this);
                checker.release(target);
            });
        }

        @Override
        void expire() {
            if (stopped) {
                return;
            }
            // Fixed rate: the next start is one interval after this one, whatever this one takes
            // (the timeout is at most the interval, so two never overlap).
            long now = wheel.now();
            nextStart = onGrid(nextStart + interval, now, interval);
            startedAt = now;
            if (own == null) {
                checker.probe(target).whenComplete(this);
                return;
            }
            NettyChecker.Link l = link;
            if (l == null || l.released()) {
                l = own.link(target);
                link = l;
            }
            own.probe(l, loop, wheel, now, this);
        }

        /** The probe's answer, on this loop (the direct way in). */
        @Override
        public void probed(ProbeResult r) {
            completed(r, null);
        }

        /** The probe's answer, on whichever thread the checker completed it. */
        @Override
        public void accept(ProbeResult r, Throwable e) {
            if (loop.inEventLoop()) {
                completed(r, e);
            } else {
                loop.execute(() -> completed(r, e));
            }
        }

        void completed(ProbeResult r, Throwable e) {
            ProbeResult result = r != null ? r
                    : new ProbeResult(ProbeResult.Outcome.DOWN, "error: " + e, Duration.ZERO);
            try {
                record(result);
            } catch (RuntimeException ex) {
                LOG.warn("event=probe_record_failed target={}", target, ex);
            }
            if (!stopped) {
                // Now is when the probe ended: its start plus its latency, or the wheel's clock when
                // the checker measured none (see TickWheel.now(): no clock read per answer).
                long latency = r != null ? r.latency().toNanos() : 0;
                long now = latency > 0 ? startedAt + latency : wheel.now();
                nextStart = onGrid(nextStart, now, interval);
                wheel.arm(this, nextStart);
            }
        }

        /**
         * {@code start}, or, when it is more than a whole interval in the past (the loop or the
         * answer was late: a stalled server, a starved probe thread), the first start after now on
         * this target's own grid. Starting at once instead put every late target on the same
         * instant: after a stall of the server all its probes went out together each second, a
         * burst that a busy server answered too late, again and again. Skipping keeps each target
         * at the random phase its first start gave it. A start up to an interval late (a timeout as
         * long as the interval, fired a tick or a busy loop's turn late) still goes at once, so a
         * silent node is out as fast as before.
         */
        static long onGrid(long start, long now, long interval) {
            long late = now - start;
            if (late <= interval) {
                return start;
            }
            return start + (late / interval + 1) * interval;
        }

        void record(ProbeResult r) {
            if (ViaVip.notSent(r)) {
                // A probe via a VIP whose path the loop has not made yet: no answer either way.
                return;
            }
            measurements.probeCompleted(target, r.latency(), r.outcome() == ProbeResult.Outcome.UP);
            if (r.outcome() == streakOutcome) {
                streak++;
            } else {
                streakOutcome = r.outcome();
                streak = 1;
            }
            HealthStatus held = status;
            HealthState current = held.state();
            HealthState seen = state(r.outcome());
            if (seen == current) {
                if (!held.reason().equals(r.reason())) {
                    // Same state, new reason ("HTTP 500" became "timeout"): keep "since", tell nobody.
                    status = new HealthStatus(current, r.reason(), held.since());
                }
                return;
            }
            int needed;
            if (current == HealthState.UNKNOWN) {
                needed = seen == HealthState.FAILED ? target.check().fall() : 1;
            } else {
                needed = better(seen, current) ? target.check().rise() : target.check().fall();
            }
            if (streak < needed) {
                return;
            }
            HealthStatus next = new HealthStatus(seen, r.reason(), clock.instant());
            status = next;
            measurements.healthTransition(target, current, seen);
            LOG.info("event=health_transition target={} from={} to={} reason=\"{}\"", target, current, seen,
                    r.reason());
            if (!stopped) {
                listener.onHealth(target, next);
            }
        }

        void renotify() {
            HealthStatus s = status;
            if (!stopped && s.state() != HealthState.UNKNOWN) {
                listener.onHealth(target, s);
            }
        }
    }

    /**
     * The grid a target's starts are put on: a hundredth of its interval, between one tick and
     * {@link #MAX_BATCH_GRID}. Starts stay spread over the interval (a hundred slots of it), but the
     * targets whose random phase fell into the same slot start in the same turn of the loop, so their
     * requests go out and their answers come back together: at 2,000 targets a second one wake-up of
     * the loop starts 20 probes, and the timeouts armed with them share one slot too. Where system
     * calls are dear (a virtualised kernel) the wake-ups, not the probes, were the bill. A 100 ms
     * check keeps the tick (2 ms) as its grid: its timing is not moved.
     */
    static long batchGrid(long intervalNanos) {
        return Math.max(TickWheel.TICK_NANOS, Math.min(MAX_BATCH_GRID, intervalNanos / 100));
    }

    static final long MAX_BATCH_GRID = TimeUnit.MILLISECONDS.toNanos(10);

    /** The first multiple of {@code grid} at or after {@code t} (both {@link System#nanoTime()} scale). */
    static long alignUp(long t, long grid) {
        return Math.floorDiv(t + grid - 1, grid) * grid;
    }

    private static HealthState state(ProbeResult.Outcome o) {
        return switch (o) {
            case UP -> HealthState.HEALTHY;
            case DRAINING -> HealthState.DRAINING;
            case DOWN -> HealthState.FAILED;
        };
    }

    /** HEALTHY is better than DRAINING, which is better than FAILED. */
    private static boolean better(HealthState to, HealthState from) {
        return rank(to) > rank(from);
    }

    private static int rank(HealthState s) {
        return switch (s) {
            case HEALTHY -> 3;
            case DRAINING -> 2;
            case FAILED -> 1;
            case UNKNOWN -> 0;
        };
    }
}
