package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import java.time.Instant;
import java.util.Set;

/**
 * What one build remembers of a service's quorum for the next: whether (and since when) it is below
 * quorum, which the hysteresis needs, and for a {@code keep-last-healthy} service the real servers in
 * rotation (while in quorum, the healthy ones of this build; once below, the set kept since the loss).
 *
 * @param belowSince since when the service is below quorum, {@code null} while it is not
 * @param rotation the real servers in rotation; empty unless the policy is keep-last-healthy
 */
public record QuorumMemo(Instant belowSince, Set<RealServerKey> rotation) {

    public QuorumMemo {
        rotation = Set.copyOf(rotation);
    }
}
