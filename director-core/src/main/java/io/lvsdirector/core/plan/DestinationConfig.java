package io.lvsdirector.core.plan;

import io.lvsdirector.core.model.Forwarding;
import java.util.Objects;

/**
 * The part of a real server the kernel can change in place ({@code ipvsadm -e}): weight and
 * forwarding method.
 */
public record DestinationConfig(int weight, Forwarding forwarding) {

    public DestinationConfig {
        Objects.requireNonNull(forwarding, "forwarding");
        if (weight < 0 || weight > 65535) {
            throw new IllegalArgumentException("weight must be 0..65535: " + weight);
        }
    }

    public DestinationConfig withWeight(int newWeight) {
        return new DestinationConfig(newWeight, forwarding);
    }
}
