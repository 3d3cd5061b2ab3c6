package io.lvsdirector.core.ecmp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The ecmp mode's settings.
 *
 * @param ranges the VIP ranges this director may announce (BIRD's export filter allows the same)
 * @param recheckInterval how often the announcer decides again without being asked, and asks BIRD
 */
public record EcmpSettings(List<VipRange> ranges, Duration recheckInterval) {

    public EcmpSettings {
        ranges = List.copyOf(ranges);
        Objects.requireNonNull(recheckInterval, "recheckInterval");
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("ecmp needs at least one VIP range");
        }
        if (recheckInterval.isNegative() || recheckInterval.isZero()) {
            throw new IllegalArgumentException("recheckInterval must be positive");
        }
    }
}
