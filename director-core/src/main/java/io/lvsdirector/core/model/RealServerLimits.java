package io.lvsdirector.core.model;

/**
 * Connection thresholds the kernel applies to each real server of a service ({@code ipvsadm -x}
 * and {@code -y}): a server with {@code upperConnections} connections gets no new ones until it is
 * down to {@code lowerConnections} (the kernel's {@code IP_VS_DEST_F_OVERLOAD}). 0 means no limit.
 *
 * <p>The kernel keeps both as unsigned 32-bit numbers and refuses a lower above the upper with
 * {@code ERANGE} ({@code ip_vs_ctl.c}), also when the upper is 0, so a lower threshold needs an
 * upper one. The REST and CRD spec takes at most {@link #MAX_SPEC} (ipvsadm's limit, and the most
 * Linux 7.x takes: it refuses more with {@code EINVAL}); a kernel entry read back (written by another
 * client into Linux 6.1) may hold up to 2^32-1.
 *
 * @param upperConnections {@code IPVS_DEST_ATTR_U_THRESH}, 0..2^32-1, 0 = none
 * @param lowerConnections {@code IPVS_DEST_ATTR_L_THRESH}, 0..upperConnections
 */
public record RealServerLimits(long upperConnections, long lowerConnections) {

    /** No thresholds: what a service without {@code realServerLimits} has. */
    public static final RealServerLimits NONE = new RealServerLimits(0, 0);

    /** The largest value the spec takes: ipvsadm parses {@code -x}/{@code -y} up to INT_MAX. */
    public static final long MAX_SPEC = Integer.MAX_VALUE;

    private static final long U32_MAX = 0xFFFF_FFFFL;

    public RealServerLimits {
        if (upperConnections < 0 || upperConnections > U32_MAX) {
            throw new IllegalArgumentException("upper connection threshold must be 0.." + U32_MAX + ": "
                    + upperConnections);
        }
        if (lowerConnections < 0 || lowerConnections > upperConnections) {
            throw new IllegalArgumentException("lower connection threshold must be 0.." + upperConnections
                    + " (the upper one; the kernel refuses more with ERANGE): " + lowerConnections);
        }
    }

    public boolean isNone() {
        return upperConnections == 0 && lowerConnections == 0;
    }
}
