package io.lvsdirector.core.loop;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the reconcile loop.
 *
 * @param minInterval the shortest time between the starts of two passes: a burst of triggers
 *     within it costs one pass
 * @param resyncInterval the longest time without a pass that reads the kernel (passes asked for by
 *     health transitions trust the table in memory), so this bounds how long drift (someone ran
 *     {@code ipvsadm -C}) goes unrepaired
 * @param drainPollInterval while a draining server still has connections, how often a pass looks
 *     at its connection counts
 * @param initialBackoff the delay before the first retry after a failed pass
 * @param maxBackoff the longest delay between retries; the delay doubles up to it
 */
public record LoopSettings(
        Duration minInterval,
        Duration resyncInterval,
        Duration drainPollInterval,
        Duration initialBackoff,
        Duration maxBackoff) {

    /** 5 ms, 10 s, 1 s, 100 ms, 10 s. */
    public static final LoopSettings DEFAULTS = new LoopSettings(Duration.ofMillis(5), Duration.ofSeconds(10),
            Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(10));

    public LoopSettings {
        for (Duration d : new Duration[] {minInterval, resyncInterval, drainPollInterval, initialBackoff, maxBackoff}) {
            Objects.requireNonNull(d, "interval");
            if (d.isNegative()) {
                throw new IllegalArgumentException("loop intervals must not be negative: " + d);
            }
        }
        if (resyncInterval.compareTo(minInterval) < 0 || resyncInterval.isZero()) {
            throw new IllegalArgumentException("resync interval must be positive and at least the minimum interval");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("max backoff must be at least the initial backoff");
        }
    }
}
