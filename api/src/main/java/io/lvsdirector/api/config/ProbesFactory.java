package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * {@code probes:} the health checker's threads. What each service probes, and how often, is part of
 * the service's spec ({@code healthCheck}).
 *
 * <pre>
 * probes:
 *   threads: 2
 *   renotifyInterval: 10s
 * </pre>
 */
public class ProbesFactory {

    /** Event-loop threads that run every probe (Netty; epoll where available). */
    @Min(1)
    @Max(64)
    @JsonProperty
    private int threads = 2;

    /**
     * How often every target's state is reported again although it did not change, so that a lost
     * notification heals.
     */
    @NotNull
    @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration renotifyInterval = Duration.seconds(10);

    public int getThreads() {
        return threads;
    }

    public java.time.Duration renotifyInterval() {
        return renotifyInterval.toJavaDuration();
    }
}
