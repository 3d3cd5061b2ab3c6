package io.lvsdirector.ipvs;

/** Transport protocol of a virtual service, with its IP protocol number ({@code IPPROTO_*}). */
public enum Protocol {
    /** {@code ipvsadm -t}. */
    TCP(6),
    /** {@code ipvsadm -u}. */
    UDP(17),
    /** {@code ipvsadm --sctp-service}. */
    SCTP(132);

    private final int value;

    Protocol(int value) {
        this.value = value;
    }

    /** The IP protocol number, as carried in {@code IPVS_SVC_ATTR_PROTOCOL}. */
    public int value() {
        return value;
    }

    /**
     * The protocol with the given number.
     *
     * @throws IllegalArgumentException for a protocol IPVS does not balance
     */
    public static Protocol fromValue(int value) {
        for (Protocol p : values()) {
            if (p.value == value) {
                return p;
            }
        }
        throw new IllegalArgumentException("unsupported IP protocol " + value);
    }
}
