package io.lvsdirector.ipvs;

/**
 * Packet forwarding method of a real server: the kernel's {@code IP_VS_CONN_F_*} values under
 * {@code IP_VS_CONN_F_FWD_MASK}.
 */
public enum Forwarding {
    /** NAT, {@code ipvsadm -m} ({@code IP_VS_CONN_F_MASQ}). */
    MASQ(0),
    /** Local node ({@code IP_VS_CONN_F_LOCALNODE}); the kernel picks it for addresses of this host. */
    LOCAL(1),
    /** IP tunnelling, {@code ipvsadm -i} ({@code IP_VS_CONN_F_TUNNEL}). */
    TUNNEL(2),
    /** Direct routing, {@code ipvsadm -g} ({@code IP_VS_CONN_F_DROUTE}). */
    DIRECT_ROUTE(3);

    private final int value;

    Forwarding(int value) {
        this.value = value;
    }

    /** The {@code IP_VS_CONN_F_*} value, as carried in {@code IPVS_DEST_ATTR_FWD_METHOD}. */
    public int value() {
        return value;
    }

    /**
     * The method with the given value (already masked with {@code IP_VS_CONN_F_FWD_MASK}).
     *
     * @throws IllegalArgumentException for any other value (4 is the kernel's internal bypass)
     */
    public static Forwarding fromValue(int value) {
        for (Forwarding f : values()) {
            if (f.value == value) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown forwarding method " + value);
    }
}
