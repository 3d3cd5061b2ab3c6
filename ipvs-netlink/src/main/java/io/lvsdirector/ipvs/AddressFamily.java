package io.lvsdirector.ipvs;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Address family of a virtual or real server, with the kernel's {@code AF_*} value. */
public enum AddressFamily {
    /** {@code AF_INET}. */
    INET(2, 4),
    /** {@code AF_INET6}. */
    INET6(10, 16);

    private final int value;
    private final int addressLength;

    AddressFamily(int value, int addressLength) {
        this.value = value;
        this.addressLength = addressLength;
    }

    /** The kernel's {@code AF_*} number, as carried in {@code IPVS_SVC_ATTR_AF}. */
    public int value() {
        return value;
    }

    /** Address length in bytes: 4 or 16. */
    public int addressLength() {
        return addressLength;
    }

    /** Longest prefix length for this family: 32 or 128. */
    public int maxPrefixLength() {
        return addressLength * 8;
    }

    /** The family of an address. */
    public static AddressFamily of(InetAddress address) {
        return address instanceof Inet4Address ? INET : INET6;
    }

    /**
     * The family with the given {@code AF_*} number.
     *
     * @throws IllegalArgumentException for any other number
     */
    public static AddressFamily fromValue(int value) {
        for (AddressFamily f : values()) {
            if (f.value == value) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown address family " + value);
    }
}
