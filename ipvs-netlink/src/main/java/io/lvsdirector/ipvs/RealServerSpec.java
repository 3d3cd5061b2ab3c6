package io.lvsdirector.ipvs;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Desired configuration of a real server: what {@code ipvsadm -a/-e} sets beyond the address.
 *
 * <p>Tunnel settings belong to {@link Forwarding#TUNNEL} only; for other methods they must stay at
 * their defaults (IPIP, port 0, no flags), so that equal kernel state always gives equal specs.
 *
 * @param weight weight 0..65535 ({@code -w}); the kernel takes an int32 but ipvsadm, and this
 *     library, stop at 65535. Weight 0 keeps existing connections but schedules no new ones.
 * @param forwarding forwarding method ({@code -g}, {@code -i}, {@code -m})
 * @param upperThreshold connection upper threshold ({@code -x}), 0 = none; an unsigned 32-bit value
 * @param lowerThreshold connection lower threshold ({@code -y}), 0 = none; at most
 *     {@code upperThreshold}, else the kernel answers ERANGE (it compares the two even when the
 *     upper one is 0)
 * @param tunnelType encapsulation ({@code --tun-type}), IPIP unless tunnelling
 * @param tunnelPort GUE destination port 1..65535 ({@code --tun-port}), required for GUE (the
 *     kernel answers EINVAL without it), 0 otherwise
 * @param tunnelFlags checksum flags ({@code --tun-csum}, {@code --tun-remcsum}) for GUE or GRE; at
 *     most one; REMCSUM only for GUE
 */
public record RealServerSpec(
        int weight,
        Forwarding forwarding,
        long upperThreshold,
        long lowerThreshold,
        TunnelType tunnelType,
        int tunnelPort,
        Set<TunnelFlag> tunnelFlags) {

    /** ipvsadm's upper bound on {@code -w}. */
    public static final int MAX_WEIGHT = 65535;

    private static final long U32_MAX = 0xFFFF_FFFFL;

    public RealServerSpec {
        Objects.requireNonNull(forwarding, "forwarding");
        Objects.requireNonNull(tunnelType, "tunnelType");
        Objects.requireNonNull(tunnelFlags, "tunnelFlags");
        tunnelFlags = tunnelFlags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(tunnelFlags));
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " out of range 0.." + MAX_WEIGHT);
        }
        if (upperThreshold < 0 || upperThreshold > U32_MAX) {
            throw new IllegalArgumentException("upper threshold " + upperThreshold + " out of range 0.." + U32_MAX);
        }
        if (lowerThreshold < 0 || lowerThreshold > U32_MAX) {
            throw new IllegalArgumentException("lower threshold " + lowerThreshold + " out of range 0.." + U32_MAX);
        }
        if (lowerThreshold > upperThreshold) {
            throw new IllegalArgumentException("lower threshold " + lowerThreshold
                    + " above upper threshold " + upperThreshold + " (the kernel refuses it with ERANGE)");
        }
        if (forwarding != Forwarding.TUNNEL) {
            if (tunnelType != TunnelType.IPIP || tunnelPort != 0 || !tunnelFlags.isEmpty()) {
                throw new IllegalArgumentException(
                        "tunnel type, port and flags apply to TUNNEL forwarding only, not " + forwarding);
            }
        } else {
            if (tunnelType == TunnelType.GUE) {
                if (tunnelPort < 1 || tunnelPort > 65535) {
                    throw new IllegalArgumentException("GUE tunnel port " + tunnelPort + " out of range 1..65535");
                }
            } else if (tunnelPort != 0) {
                throw new IllegalArgumentException("tunnel port applies to GUE only, not " + tunnelType);
            }
            if (tunnelType == TunnelType.IPIP && !tunnelFlags.isEmpty()) {
                throw new IllegalArgumentException("checksum flags apply to GUE and GRE tunnels, not IPIP");
            }
            if (tunnelFlags.size() > 1) {
                throw new IllegalArgumentException("choose one of CSUM and REMCSUM, not both");
            }
            if (tunnelFlags.contains(TunnelFlag.REMCSUM) && tunnelType != TunnelType.GUE) {
                throw new IllegalArgumentException("remote checksum offload applies to GUE only");
            }
        }
    }

    /** Direct routing with this weight ({@code -g -w WEIGHT}): the director's only method. */
    public static RealServerSpec directRoute(int weight) {
        return of(Forwarding.DIRECT_ROUTE, weight);
    }

    /** This method and weight, no thresholds, no tunnel settings. */
    public static RealServerSpec of(Forwarding forwarding, int weight) {
        return new RealServerSpec(weight, forwarding, 0, 0, TunnelType.IPIP, 0, Set.of());
    }

    /** A copy with this weight. */
    public RealServerSpec withWeight(int newWeight) {
        return new RealServerSpec(newWeight, forwarding, upperThreshold, lowerThreshold, tunnelType,
                tunnelPort, tunnelFlags);
    }

    /** A copy with these thresholds ({@code -x UPPER -y LOWER}). */
    public RealServerSpec withThresholds(long upper, long lower) {
        return new RealServerSpec(weight, forwarding, upper, lower, tunnelType, tunnelPort, tunnelFlags);
    }

    /** A copy tunnelling with these settings (forwarding becomes TUNNEL). */
    public RealServerSpec withTunnel(TunnelType type, int port, Set<TunnelFlag> flags) {
        return new RealServerSpec(weight, Forwarding.TUNNEL, upperThreshold, lowerThreshold, type, port, flags);
    }
}
