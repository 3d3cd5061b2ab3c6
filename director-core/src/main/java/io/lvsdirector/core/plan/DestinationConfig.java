package io.lvsdirector.core.plan;

import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.ipvs.Forwarding;
import java.util.Objects;

/**
 * The part of a real server the kernel can change in place ({@code ipvsadm -e}): weight,
 * forwarding method and connection thresholds.
 */
public record DestinationConfig(int weight, Forwarding forwarding, RealServerLimits limits) {

    public DestinationConfig {
        Objects.requireNonNull(forwarding, "forwarding");
        limits = limits == null ? RealServerLimits.NONE : limits;
        if (weight < 0 || weight > 65535) {
            throw new IllegalArgumentException("weight must be 0..65535: " + weight);
        }
    }

    /** Without thresholds. */
    public DestinationConfig(int weight, Forwarding forwarding) {
        this(weight, forwarding, RealServerLimits.NONE);
    }

    public DestinationConfig withWeight(int newWeight) {
        return new DestinationConfig(newWeight, forwarding, limits);
    }
}
