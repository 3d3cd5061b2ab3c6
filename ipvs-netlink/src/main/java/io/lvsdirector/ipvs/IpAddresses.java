package io.lvsdirector.ipvs;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Strict parsing of IP address literals. Never resolves a name: {@link InetAddress#getByName}
 * would happily look up {@code "web1"} in DNS, which has no place in a netlink request.
 */
public final class IpAddresses {
    private IpAddresses() {
    }

    /**
     * Parses an IPv4 dotted quad ({@code 10.0.0.1}) or an IPv6 literal ({@code 2001:db8::1}).
     *
     * @throws IllegalArgumentException if the text is not an address literal, carries a zone
     *     ({@code %eth0}), or is an IPv4-mapped IPv6 address (Java would silently turn it into an
     *     IPv4 address, changing the family the caller wrote)
     */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("address is empty");
        }
        if (text.indexOf(':') < 0) {
            return parseV4(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
            if (!ok) {
                throw new IllegalArgumentException("not an IP address: '" + text + "'");
            }
        }
        InetAddress a;
        try {
            // With a ':' present and only hex digits, dots and colons, the JDK parses a literal and
            // never consults a resolver.
            a = InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'", e);
        }
        if (!(a instanceof Inet6Address)) {
            throw new IllegalArgumentException(
                    "IPv4-mapped IPv6 address '" + text + "': write the IPv4 address instead");
        }
        return a;
    }

    /** Parses an address literal and checks it is of the given family. */
    public static InetAddress parse(String text, AddressFamily family) {
        InetAddress a = parse(text);
        if (AddressFamily.of(a) != family) {
            throw new IllegalArgumentException(
                    "address '" + text + "' is not " + family + " (mixed address families)");
        }
        return a;
    }

    /** Builds an address from its raw bytes (4 or 16). */
    public static InetAddress fromBytes(byte[] raw) {
        if (raw.length != 4 && raw.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + raw.length);
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * The literal text of an address: dotted quad, or IPv6 in the RFC 5952 form ipvsadm prints
     * ({@code 2001:db8::1}, where the JDK would print {@code 2001:db8:0:0:0:0:0:1}).
     */
    public static String toText(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        // The longest run of two or more zero groups (the first of equals) becomes "::".
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /**
     * Orders IPv4 before IPv6, then by the address bytes read as unsigned: a stable order for
     * plans, status and logs.
     */
    public static int compare(InetAddress a, InetAddress b) {
        boolean a4 = a instanceof Inet4Address;
        boolean b4 = b instanceof Inet4Address;
        if (a4 && b4) {
            // An IPv4 address's hash is the address itself; getAddress() would copy an array.
            return Integer.compareUnsigned(a.hashCode(), b.hashCode());
        }
        if (a4 != b4) {
            return a4 ? -1 : 1;
        }
        return java.util.Arrays.compareUnsigned(a.getAddress(), b.getAddress());
    }

    /** The literal, bracketed for IPv6, as ipvsadm prints {@code [2001:db8::1]:80}. */
    public static String toText(InetAddress address, int port) {
        String host = toText(address);
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    private static Inet4Address parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        byte[] raw = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3) {
                throw new IllegalArgumentException("not an IP address: '" + text + "'");
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("not an IP address: '" + text + "'");
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                throw new IllegalArgumentException(
                        "not an IP address: '" + text + "' (octet " + v + " > 255)");
            }
            raw[i] = (byte) v;
        }
        return (Inet4Address) fromBytes(raw);
    }
}
