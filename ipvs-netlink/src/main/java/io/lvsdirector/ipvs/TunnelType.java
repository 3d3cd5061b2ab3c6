package io.lvsdirector.ipvs;

/** Encapsulation of a {@link Forwarding#TUNNEL} real server: {@code IP_VS_CONN_F_TUNNEL_TYPE_*}. */
public enum TunnelType {
    /** IP in IP, the default ({@code ipvsadm --tun-type ipip}). */
    IPIP(0),
    /** Generic UDP encapsulation; needs a tunnel port ({@code --tun-type gue --tun-port N}). */
    GUE(1),
    /** GRE ({@code --tun-type gre}). */
    GRE(2);

    private final int value;

    TunnelType(int value) {
        this.value = value;
    }

    /** The kernel value, as carried in the u8 {@code IPVS_DEST_ATTR_TUN_TYPE}. */
    public int value() {
        return value;
    }

    /**
     * The type with the given value.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static TunnelType fromValue(int value) {
        for (TunnelType t : values()) {
            if (t.value == value) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tunnel type " + value);
    }
}
