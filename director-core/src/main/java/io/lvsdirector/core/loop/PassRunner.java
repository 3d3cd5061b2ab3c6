package io.lvsdirector.core.loop;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the reconcile pass runs: kube-proxy's bounded-frequency runner, handed the pass function.
 * It knows nothing of what a pass does, only what the pass tells it afterwards ({@link Next}).
 *
 * <ul>
 *   <li>{@link #request()} never blocks and coalesces: any number of requests before a pass starts
 *       cost one pass.
 *   <li>Two passes start at least {@link LoopSettings#minInterval()} apart.
 *   <li>A pass that reads the kernel runs at least every {@link LoopSettings#resyncInterval()} after
 *       the last one that did, with or without requests: that is what repairs drift. The passes asked
 *       for in between may trust the table in memory.
 *   <li>A pass that failed as a whole (the kernel unreadable, an exception) is retried after a backoff
 *       that doubles from {@link LoopSettings#initialBackoff()} to {@link LoopSettings#maxBackoff()}.
 *       Requests are not held back by it: a health transition must not wait for a failing retry.
 *   <li>A pass can ask for a timer pass at a deadline of its own (a service's retry, a drain poll).
 *   <li>An exception or error thrown by the pass is logged and counts as a failed pass; it never
 *       kills the thread.
 * </ul>
 *
 * <p>Every timer pass (resync, retry, poll, a pass's own deadline) is a pass that reads the kernel;
 * a requested one reads it only when the last pass asked for that.
 *
 * <p>Thread-safe: {@link #request()} and {@link #close()} from any thread.
 */
final class PassRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PassRunner.class);
    static final long NEVER = Long.MAX_VALUE;

    /** The work: one pass. */
    @FunctionalInterface
    interface Pass {
        /**
         * @param readKernel whether this pass must read the kernel rather than trust the table in memory
         */
        Next run(boolean readKernel);
    }

    /**
     * What a pass tells the runner about the next one.
     *
     * @param failed the pass failed as a whole: retry with backoff, reading the kernel
     * @param readKernel the pass read the kernel (a resync is then due a resync interval later)
     * @param readSoon run another pass soon, reading the kernel
     * @param pollAt a timer pass wanted at this {@link System#nanoTime()} value (a drain poll, a
     *     service's retry), or {@link #NEVER}
     */
    record Next(boolean failed, boolean readKernel, boolean readSoon, long pollAt) {
        static final Next CRASHED = new Next(true, false, false, NEVER);
    }

    private final Pass pass;
    private final LoopSettings settings;
    private final LongSupplier nanoTime;
    private final String threadName;

    // Touched only under lock. Times are nanoTime values.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean pending;
    private long lastStart = Long.MIN_VALUE;
    private long resyncAt;
    private long retryAt = NEVER;
    private long pollAt = NEVER;
    private boolean readKernelNext = true;
    private Duration backoff;
    private boolean running;
    private boolean closed;
    private Thread thread;

    PassRunner(Pass pass, LoopSettings settings, LongSupplier nanoTime, String threadName) {
        this.pass = Objects.requireNonNull(pass, "pass");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.backoff = settings.initialBackoff();
    }

    /**
     * Starts the thread, which runs a first pass at once; {@code beforeFirstPass} runs first (on the
     * caller's thread), once the runner is known to be startable.
     */
    void start(Runnable beforeFirstPass) {
        lock.lock();
        try {
            if (running || closed) {
                throw new IllegalStateException("reconcile loop already started or closed");
            }
            running = true;
            pending = true;
            resyncAt = nanoTime.getAsLong() + settings.resyncInterval().toNanos();
            thread = new Thread(this::loop, threadName);
            thread.setDaemon(true);
        } finally {
            lock.unlock();
        }
        beforeFirstPass.run();
        thread.start();
    }

    /** Asks for a pass. Never blocks. */
    void request() {
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

    /** Stops the thread, waiting for a running pass to end. Idempotent. */
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
            boolean read;
            lock.lock();
            try {
                while (true) {
                    if (!running) {
                        return;
                    }
                    long now = nanoTime.getAsLong();
                    long due = dueAt(now);
                    if (due - now <= 0) {
                        read = readKernelNext || now - resyncAt >= 0 || now - retryAt >= 0 || now - pollAt >= 0;
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
            Next next;
            try {
                next = pass.run(read);
            } catch (RuntimeException | Error e) {
                // The pass catches what it expects; this is the last line for the thread.
                LOG.error("event=pass_crashed", e);
                next = Next.CRASHED;
            }
            schedule(next);
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

    private void schedule(Next next) {
        lock.lock();
        try {
            long now = nanoTime.getAsLong();
            // Only a pass that read the kernel repaired drift: a stream of requested passes, which
            // trust the table in memory, must not keep pushing the resync back. A timer pass that
            // could not read (the sources not synced yet) counts too, or it would fire again at once.
            if (next.readKernel() || lastStart - resyncAt >= 0) {
                resyncAt = now + settings.resyncInterval().toNanos();
            }
            if (next.readSoon()) {
                readKernelNext = true;
                pending = true;
            }
            if (next.failed()) {
                readKernelNext = true;
                retryAt = now + backoff.toNanos();
                LOG.info("event=pass_retry in_ms={}", backoff.toMillis());
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
            } else {
                retryAt = NEVER;
                backoff = settings.initialBackoff();
            }
            pollAt = next.pollAt();
        } finally {
            lock.unlock();
        }
    }
}
