package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.lvsdirector.core.loop.LoopSettings;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.concurrent.TimeUnit;

/**
 * {@code kernel:} the IPVS table and the reconcile loop that writes it.
 *
 * <pre>
 * kernel:
 *   netns: null            # a named network namespace (/run/netns/NAME); null = the director's own
 *   minInterval: 5ms
 *   resyncInterval: 10s
 *   drainPollInterval: 1s
 *   initialBackoff: 100ms
 *   maxBackoff: 10s
 * </pre>
 */
public class KernelFactory {

    /**
     * The network namespace whose IPVS table the director programs, by {@code ip netns} name. Unset
     * (the default): the namespace the process runs in.
     */
    @JsonProperty
    @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "must be an ip netns name")
    private String netns;

    /** Shortest time between the starts of two passes; a burst of changes within it costs one pass. */
    @NotNull
    @MinDuration(value = 0, unit = TimeUnit.MILLISECONDS, inclusive = true)
    @MaxDuration(value = 10, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration minInterval = Duration.milliseconds(5);

    /**
     * Longest time without a pass. Every pass re-reads the kernel, so this bounds how long drift
     * (an {@code ipvsadm -C} by hand) stays unrepaired.
     */
    @NotNull
    @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.HOURS)
    @JsonProperty
    private Duration resyncInterval = Duration.seconds(10);

    /** While a draining real server still has connections, how often a pass looks at its counts. */
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration drainPollInterval = Duration.seconds(1);

    /** Delay before the first retry after a failed pass; it doubles up to {@link #maxBackoff}. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration initialBackoff = Duration.milliseconds(100);

    /** Longest delay between retries of a failing pass. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration maxBackoff = Duration.seconds(10);

    public String getNetns() {
        return netns;
    }

    public void setNetns(String netns) {
        this.netns = netns;
    }

    public Duration getResyncInterval() {
        return resyncInterval;
    }

    public void setResyncInterval(Duration resyncInterval) {
        this.resyncInterval = resyncInterval;
    }

    public void setMinInterval(Duration minInterval) {
        this.minInterval = minInterval;
    }

    @JsonIgnore
    @ValidationMethod(message = "kernel: resyncInterval must be at least minInterval, maxBackoff at least initialBackoff")
    public boolean isOrdered() {
        return resyncInterval == null || minInterval == null || initialBackoff == null || maxBackoff == null
                || (resyncInterval.toNanoseconds() >= minInterval.toNanoseconds()
                        && maxBackoff.toNanoseconds() >= initialBackoff.toNanoseconds());
    }

    /** The loop's timing, as director-core takes it. */
    public LoopSettings buildLoopSettings() {
        return new LoopSettings(minInterval.toJavaDuration(), resyncInterval.toJavaDuration(),
                drainPollInterval.toJavaDuration(), initialBackoff.toJavaDuration(), maxBackoff.toJavaDuration());
    }
}
