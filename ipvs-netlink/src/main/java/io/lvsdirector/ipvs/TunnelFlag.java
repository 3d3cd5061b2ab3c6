package io.lvsdirector.ipvs;

import java.util.EnumSet;
import java.util.Set;

/**
 * Encapsulation checksum flags of a GUE or GRE tunnel: {@code IP_VS_TUNNEL_ENCAP_FLAG_*}. No flag
 * at all is the kernel's {@code IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM} ({@code --tun-nocsum}).
 */
public enum TunnelFlag {
    /** Checksum in the encapsulation header ({@code --tun-csum}). */
    CSUM(1),
    /** Remote checksum offload, GUE only ({@code --tun-remcsum}). */
    REMCSUM(2);

    private final int bit;

    TunnelFlag(int bit) {
        this.bit = bit;
    }

    /** The bit in the u16 {@code IPVS_DEST_ATTR_TUN_FLAGS}. */
    public int bit() {
        return bit;
    }

    /** The bits of a set of flags. */
    public static int toBits(Set<TunnelFlag> flags) {
        int bits = 0;
        for (TunnelFlag f : flags) {
            bits |= f.bit;
        }
        return bits;
    }

    /** The flags of a bit set; unknown bits are ignored, as no public flag names them. */
    public static Set<TunnelFlag> fromBits(int bits) {
        EnumSet<TunnelFlag> flags = EnumSet.noneOf(TunnelFlag.class);
        for (TunnelFlag f : values()) {
            if ((bits & f.bit) != 0) {
                flags.add(f);
            }
        }
        return flags;
    }
}
