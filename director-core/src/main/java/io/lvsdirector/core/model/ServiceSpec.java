package io.lvsdirector.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the director is told about one virtual service.
 *
 * @param service the virtual service itself
 * @param realServers where its real servers come from
 * @param healthCheck how they are checked, or {@code null} for "always healthy"
 * @param whenAllDown what to do when none is healthy
 * @param drainTimeout the longest a draining real server stays in at weight 0 while it still has
 *     connections
 * @param adopt whether the director may take over a kernel service with the same protocol, VIP and
 *     port that it does not own (someone else's); without it such a service is refused and left alone
 * @param realServerLimits connection thresholds given to every real server of the service (the sorry
 *     server included); {@link RealServerLimits#NONE} when none
 * @param quorum how many real servers must be healthy before {@code whenAllDown} applies;
 *     {@link Quorum#DEFAULT} (one) when {@code null}
 */
public record ServiceSpec(
        VirtualService service,
        RealServerSource realServers,
        HealthCheck healthCheck,
        WhenAllDown whenAllDown,
        Duration drainTimeout,
        boolean adopt,
        RealServerLimits realServerLimits,
        Quorum quorum) {

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(5);

    public ServiceSpec {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(realServers, "realServers");
        whenAllDown = whenAllDown == null ? WhenAllDown.FAIL_OPEN : whenAllDown;
        drainTimeout = drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : drainTimeout;
        realServerLimits = realServerLimits == null ? RealServerLimits.NONE : realServerLimits;
        quorum = quorum == null ? Quorum.DEFAULT : quorum;
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drain timeout must not be negative: " + drainTimeout);
        }
        if (healthCheck != null && healthCheck.via() == HealthCheck.Via.VIP
                && service.forwarding() != io.lvsdirector.ipvs.Forwarding.DIRECT_ROUTE) {
            // The probe is handed to the node with its IP header unchanged, as a DR client packet is;
            // NAT and tunnel real servers receive something else.
            throw new IllegalArgumentException("a health check via the VIP is for direct routing only");
        }
        if (whenAllDown instanceof WhenAllDown.SorryServer sorry
                && sorry.address().getClass() != service.vip().getClass()) {
            throw new IllegalArgumentException("sorry server and VIP must be the same address family");
        }
    }

    /** A spec with the default quorum (the policy applies when no real server is healthy). */
    public ServiceSpec(VirtualService service, RealServerSource realServers, HealthCheck healthCheck,
            WhenAllDown whenAllDown, Duration drainTimeout, boolean adopt, RealServerLimits realServerLimits) {
        this(service, realServers, healthCheck, whenAllDown, drainTimeout, adopt, realServerLimits, Quorum.DEFAULT);
    }

    /** A spec without real-server connection thresholds. */
    public ServiceSpec(VirtualService service, RealServerSource realServers, HealthCheck healthCheck,
            WhenAllDown whenAllDown, Duration drainTimeout, boolean adopt) {
        this(service, realServers, healthCheck, whenAllDown, drainTimeout, adopt, RealServerLimits.NONE);
    }

    /** A spec that does not adopt a foreign kernel service. */
    public ServiceSpec(VirtualService service, RealServerSource realServers, HealthCheck healthCheck,
            WhenAllDown whenAllDown, Duration drainTimeout) {
        this(service, realServers, healthCheck, whenAllDown, drainTimeout, false);
    }

    /** A spec with fail-open and the default drain timeout. */
    public static ServiceSpec of(VirtualService service, RealServerSource realServers, HealthCheck check) {
        return new ServiceSpec(service, realServers, check, WhenAllDown.FAIL_OPEN, DEFAULT_DRAIN_TIMEOUT);
    }

    public String name() {
        return service.name();
    }
}
