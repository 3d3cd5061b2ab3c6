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
 *   vipMarkFirst: 1280704512     # 0x4c560000
 *   vipMarkCount: 4096
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

    /**
     * The first of the firewall marks reserved for probes via a VIP ({@code healthCheck.via: vip}):
     * one internal fwmark service per real server checked that way. Nothing else on the director may
     * use these marks. Read as unsigned.
     */
    @JsonProperty
    private long vipMarkFirst = Integer.toUnsignedLong(io.lvsdirector.core.plan.VipPaths.Marks.DEFAULT.first());

    /** How many marks from {@link #vipMarkFirst}: the most real servers checked via a VIP. */
    @Min(1)
    @Max(1 << 20)
    @JsonProperty
    private int vipMarkCount = io.lvsdirector.core.plan.VipPaths.Marks.DEFAULT.count();

    /** The marks for probes via a VIP. */
    public io.lvsdirector.core.plan.VipPaths.Marks buildVipMarks() {
        if (vipMarkFirst < 1 || vipMarkFirst > 0xffffffffL) {
            throw new IllegalArgumentException("probes.vipMarkFirst must be 1..4294967295: " + vipMarkFirst);
        }
        return new io.lvsdirector.core.plan.VipPaths.Marks((int) vipMarkFirst, vipMarkCount);
    }

    public int getThreads() {
        return threads;
    }

    public java.time.Duration renotifyInterval() {
        return renotifyInterval.toJavaDuration();
    }
}
