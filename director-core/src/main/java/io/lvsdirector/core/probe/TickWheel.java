package io.lvsdirector.core.probe;

import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.epoll.EpollEventLoop;
import io.netty.channel.nio.NioEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coarse timers for one event loop: a hashed wheel of {@value #TICK_MILLIS} ms ticks that the
 * loop turns itself.
 *
 * <p>Why not {@code EventLoop.schedule} per probe: at thousands of probes a second, a scheduled
 * task per start and per timeout meant an allocation, a heap insert and a cancel each, and one
 * wake-up of the loop per probe. Here arming is an array append, disarming takes the timer out of
 * its slot at once (the slot's last entry moves into its place), and every timer due in the same
 * tick fires in one wake-up, so the probes of a tick go out as a batch. Taking a disarmed timer
 * out at once, rather than dropping it when its slot comes round, matters at scale: every probe
 * that answered leaves its timeout disarmed, and a slot coming round half a second later would
 * otherwise load each of those long-cold timers again only to skip it.
 *
 * <p>A timer fires at the first tick boundary at or after its deadline: never early, up to one tick
 * late (plus however late the loop itself is).
 *
 * <p>Not thread-safe: every method must be called on {@link #loop}.
 */
final class TickWheel {

    // Coarse enough that the probes of a tick go out together at thousands a second, fine enough
    // that a 100 ms check's starts and timeouts move by at most 2 %.
    static final long TICK_MILLIS = 2;
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    // 1024 × 2 ms = 2.048 s a round; longer deadlines wait in their slot for later rounds.
    private static final int SLOTS = 1024;
    private static final int MASK = SLOTS - 1;
    private static final long NONE = Long.MIN_VALUE;
    // Timers fired per turn before the loop gets to read its sockets again.
    static final int BATCH = 64;

    private static final Logger LOG = LoggerFactory.getLogger(TickWheel.class);

    /** Something with one deadline at a time. Re-arming moves it; a timer is never armed twice. */
    abstract static class Timer {
        // The tick this timer is armed for, or NONE.
        private long tick = NONE;
        // Its place in its slot's array, or -1 while in none (collected as due, or disarmed).
        private int index = -1;
        // The wheel it was last armed on: disarming takes it off that wheel's live count.
        private TickWheel wheel;

        /** Called on the wheel's loop once the deadline has passed. */
        abstract void expire();
    }

    private final EventExecutor loop;
    private final Timer[][] slots = new Timer[SLOTS][];
    private final int[] sizes = new int[SLOTS];
    // Armed timers per slot (any round): a slot whose timers were all disarmed (probes answered
    // before their timeout) is not worth a wake-up.
    private final int[] live = new int[SLOTS];
    private final Runnable turn = this::turn;
    private Timer[] spare = new Timer[16];
    private long done;
    private int entries;
    // Timers found due and not yet fired, with the tick each was due at.
    private Timer[] due = new Timer[64];
    private long[] dueTicks = new long[64];
    private int dueCount;
    private int dueNext;
    private ScheduledFuture<?> scheduled;
    private long scheduledTick = Long.MAX_VALUE;
    private long turns;
    // System.nanoTime() at the start of the turn running now, if one is: what a timer firing in it
    // takes for "now" (see now()).
    private long turnNanos;
    private boolean inTurn;
    // The loop, where it runs its "after this iteration" tasks at the end of every iteration (epoll,
    // NIO), else null: then now() reads the clock each time.
    private final SingleThreadEventLoop iterations;
    // The clock as first read in the loop's current iteration, or NONE: see now().
    private long iterationNanos = NONE;
    private final Runnable endOfIteration = () -> iterationNanos = NONE;

    TickWheel(EventExecutor loop) {
        this.loop = loop;
        this.iterations = loop instanceof EpollEventLoop || loop instanceof NioEventLoop
                ? (SingleThreadEventLoop) loop : null;
        this.done = Math.floorDiv(System.nanoTime(), TICK_NANOS);
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Timer[4];
        }
    }

    /** One wheel per executor of a group. */
    static Map<EventExecutor, TickWheel> forEach(Iterable<EventExecutor> group) {
        Map<EventExecutor, TickWheel> out = new IdentityHashMap<>();
        for (EventExecutor e : group) {
            out.put(e, new TickWheel(e));
        }
        return out;
    }

    EventExecutor loop() {
        return loop;
    }

    /** Fires {@code timer} at the first tick at or after {@code deadlineNanos} ({@link System#nanoTime()}). */
    void arm(Timer timer, long deadlineNanos) {
        long tick = Math.floorDiv(deadlineNanos - 1, TICK_NANOS) + 1;
        if (tick <= done) {
            tick = done + 1;
        }
        disarm(timer);
        timer.tick = tick;
        timer.wheel = this;
        live[(int) (tick & MASK)]++;
        add((int) (tick & MASK), timer);
        if (tick < scheduledTick) {
            wakeAt(tick);
        }
    }

    /** The timer will not fire (until armed again). */
    static void disarm(Timer timer) {
        if (timer.tick != NONE) {
            TickWheel w = timer.wheel;
            int slot = (int) (timer.tick & MASK);
            w.live[slot]--;
            if (timer.index >= 0) {
                w.remove(slot, timer.index);
                timer.index = -1;
            }
            timer.tick = NONE;
        }
    }

    static boolean armed(Timer timer) {
        return timer.tick != NONE;
    }

    /**
     * {@link System#nanoTime()} as first read in the loop's current iteration (its wake-up: the
     * sockets it found ready, then its tasks), or, inside a turn, the time the turn started. Earlier
     * than the clock by at most the work of one iteration, never later. In a virtualised kernel (the
     * UML lab) reading the clock is a system call, not a vDSO read, and costs as much as a probe's
     * write: a wake-up that reads 20 answers, each measuring its probe's latency, reads it once. On
     * a loop that does not run tasks at the end of each iteration, the clock each time.
     *
     * <p>Only on {@link #loop}.
     */
    long now() {
        if (inTurn) {
            return turnNanos;
        }
        if (iterationNanos != NONE) {
            return iterationNanos;
        }
        long now = System.nanoTime();
        remember(now);
        return now;
    }

    /** Keeps {@code now} as this iteration's clock until the iteration ends. */
    private void remember(long now) {
        if (iterations == null) {
            return;
        }
        if (iterationNanos == NONE) {
            try {
                iterations.executeAfterEventLoopIteration(endOfIteration);
            } catch (RejectedExecutionException e) {
                return; // shutting down: no iteration end to forget it at
            }
        }
        iterationNanos = now;
    }

    /** Times the loop turned this wheel (woke up for it): for tests. */
    long turns() {
        return turns;
    }

    /** Timers held in slots (armed, not yet collected as due): for tests. */
    int entries() {
        return entries;
    }

    private void add(int slot, Timer timer) {
        Timer[] a = slots[slot];
        int n = sizes[slot];
        if (n == a.length) {
            a = java.util.Arrays.copyOf(a, n * 2);
            slots[slot] = a;
        }
        a[n] = timer;
        timer.index = n;
        sizes[slot] = n + 1;
        entries++;
    }

    /** Takes the entry at {@code i} out of {@code slot}: the slot's last entry moves into its place. */
    private void remove(int slot, int i) {
        Timer[] a = slots[slot];
        int last = sizes[slot] - 1;
        Timer moved = a[last];
        a[last] = null;
        if (i != last) {
            a[i] = moved;
            moved.index = i;
        }
        sizes[slot] = last;
        entries--;
    }

    private void wakeAt(long tick) {
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        scheduledTick = tick;
        // now() may be the turn's start, a little in the past: the wake-up is then a little later, never early.
        long delay = Math.max(0, tick * TICK_NANOS - now());
        scheduled = loop.schedule(turn, delay, TimeUnit.NANOSECONDS);
    }

    private void turn() {
        turns++;
        // A fresh read: which timers are due is decided by it. What the iteration reads after the
        // turn (answers) then takes it too, so it never goes back before a start of this turn.
        turnNanos = System.nanoTime();
        remember(turnNanos);
        inTurn = true;
        try {
            fire();
        } finally {
            inTurn = false;
        }
    }

    private void fire() {
        scheduled = null;
        scheduledTick = Long.MAX_VALUE;
        if (dueCount == 0) {
            collectDue(turnNanos);
        }
        // Fire a bounded batch, then let the loop read its sockets before the next one. Firing
        // thousands at once (a loop that fell behind) would start probes and declare timeouts
        // while the answers to earlier probes sat unread in socket buffers; every false timeout
        // costs a reconnect, several times a kept probe's CPU, and the loop falls further behind.
        int end = Math.min(dueCount, dueNext + BATCH);
        for (; dueNext < end; dueNext++) {
            Timer x = due[dueNext];
            long xt = dueTicks[dueNext];
            due[dueNext] = null;
            if (x.tick != xt) {
                continue; // disarmed or moved since it was collected
            }
            disarm(x);
            try {
                x.expire();
            } catch (RuntimeException e) {
                LOG.warn("event=timer_failed", e);
            }
        }
        if (dueNext < dueCount) {
            wakeAt(done); // at once, after the loop's I/O
            return;
        }
        dueCount = 0;
        dueNext = 0;
        if (entries > 0) {
            // Callbacks may have asked for a later wake-up than entries armed before this turn need.
            long next = nextBusyTick(done);
            if (next != Long.MAX_VALUE && next < scheduledTick) {
                wakeAt(next);
            }
        }
    }

    /** Moves every timer due by now out of the slots passed since the last turn, in tick order. */
    private void collectDue(long nowNanos) {
        long now = Math.floorDiv(nowNanos, TICK_NANOS);
        long from = done + 1;
        if (now - from >= SLOTS) {
            // The loop was away for a whole round: every slot once is every slot.
            from = now - SLOTS + 1;
        }
        // Timers armed from now on land after `now`, never in a slot already passed.
        done = Math.max(done, now);
        for (long t = from; t <= now; t++) {
            int s = (int) (t & MASK);
            int n = sizes[s];
            if (n == 0) {
                continue;
            }
            Timer[] items = slots[s];
            slots[s] = spare;
            sizes[s] = 0;
            entries -= n;
            for (int i = 0; i < n; i++) {
                Timer x = items[i];
                items[i] = null;
                x.index = -1;
                long xt = x.tick;
                if (xt == NONE || (int) (xt & MASK) != s) {
                    continue; // disarmed or moved (not expected: both take it out of its slot)
                }
                if (xt > now) {
                    add(s, x); // a later round
                    continue;
                }
                if (dueCount == due.length) {
                    due = java.util.Arrays.copyOf(due, dueCount * 2);
                    dueTicks = java.util.Arrays.copyOf(dueTicks, dueCount * 2);
                }
                due[dueCount] = x;
                dueTicks[dueCount] = xt;
                dueCount++;
            }
            spare = items;
        }
    }

    /**
     * The first tick after {@code now} whose slot holds an armed timer (perhaps one of a later round),
     * or {@code Long.MAX_VALUE}: no wake-up is needed, the next {@link #arm} asks for one.
     */
    private long nextBusyTick(long now) {
        for (long t = now + 1; t <= now + SLOTS; t++) {
            if (live[(int) (t & MASK)] > 0) {
                return t;
            }
        }
        return Long.MAX_VALUE;
    }
}
