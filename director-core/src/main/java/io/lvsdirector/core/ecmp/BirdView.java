package io.lvsdirector.core.ecmp;

import java.time.Instant;
import java.util.List;

/**
 * What BIRD said when last asked. An unreachable socket is a state ({@code reachable == false} with
 * the reason), not an error: BIRD may be restarting, and the VIPs on the interface do not depend on it.
 *
 * @param reachable whether the control socket answered
 * @param error why not, {@code null} when it did
 * @param protocols its protocols, empty when unreachable
 * @param at when it was asked
 */
public record BirdView(boolean reachable, String error, List<BirdProtocol> protocols, Instant at) {

    public BirdView {
        protocols = List.copyOf(protocols);
    }

    /** The BGP sessions. */
    public List<BirdProtocol> bgp() {
        return protocols.stream().filter(BirdProtocol::bgp).toList();
    }
}
