package io.lvsdirector.core.ecmp;

import io.lvsdirector.ipvs.IpAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An address range a director may announce, {@code 192.0.2.0/24} or {@code 2001:db8::/64}. The director
 * puts a VIP on its announce interface only when a configured range holds it, and BIRD's export filter
 * repeats the same ranges: a service with a wrong address cannot pull someone else's traffic.
 *
 * @param network the range's first address (host bits zero)
 * @param length the prefix length, 0..32 or 0..128
 */
public record VipRange(InetAddress network, int length) {

    public VipRange {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + bits);
        }
        BigInteger n = new BigInteger(1, network.getAddress());
        if (!n.equals(n.and(mask(bits, length)))) {
            throw new IllegalArgumentException(IpAddresses.toText(network) + "/" + length
                    + " has host bits set (the network is " + IpAddresses.toText(masked(network, length)) + "/"
                    + length + ")");
        }
    }

    /** Parses {@code ADDRESS/LENGTH}; a bare address is a /32 (/128). */
    public static VipRange parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        int slash = t.indexOf('/');
        InetAddress a = IpAddresses.parse(slash < 0 ? t : t.substring(0, slash));
        int len;
        try {
            len = slash < 0 ? a.getAddress().length * 8 : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        return new VipRange(a, len);
    }

    /** Whether {@code address} is in this range (same family only). */
    public boolean contains(InetAddress address) {
        int bits = network.getAddress().length * 8;
        if (address.getAddress().length * 8 != bits) {
            return false;
        }
        return masked(address, length).equals(network);
    }

    /** Whether this is an IPv6 range. */
    public boolean ipv6() {
        return network.getAddress().length == 16;
    }

    @Override
    public String toString() {
        return IpAddresses.toText(network) + "/" + length;
    }

    private static InetAddress masked(InetAddress a, int length) {
        int bits = a.getAddress().length * 8;
        BigInteger v = new BigInteger(1, a.getAddress()).and(mask(bits, length));
        byte[] raw = v.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger mask(int bits, int length) {
        return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - length).subtract(BigInteger.ONE));
    }
}
