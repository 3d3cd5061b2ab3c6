package io.lvsdirector.k8s.lb;

import io.lvsdirector.ipvs.IpAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pool of LoadBalancer addresses: an {@code LvsAddressPool} object or a pool from the director's
 * config. Pure, immutable, thread-safe.
 *
 * <p>Addresses are written as CIDRs ({@code 198.18.0.0/28}, {@code 2001:db8:1::/124}) or inclusive
 * ranges ({@code 198.18.0.10-198.18.0.20}), IPv4 and IPv6 mixed. An IPv4 CIDR of /30 or shorter
 * leaves out its network and broadcast addresses (a VIP on the broadcast address of the director's
 * segment would take every host's broadcasts); a range is taken as written.
 *
 * @param name the pool's name (the object's name; config pools are named in the config)
 * @param ranges the address ranges, in the order written: the allocator hands out the lowest free
 *     address of the first range with one
 * @param autoAssign whether a Service that asks for no address may get one from this pool; a pool
 *     with {@code false} only serves requested addresses
 */
public record AddressPool(String name, List<Range> ranges, boolean autoAssign) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    /** An inclusive range of one family. */
    public record Range(InetAddress first, InetAddress last) {
        public Range {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(last, "last");
            if (first.getClass() != last.getClass()) {
                throw new IllegalArgumentException("a range must be of one address family: "
                        + IpAddresses.toText(first) + "-" + IpAddresses.toText(last));
            }
            if (toNumber(first).compareTo(toNumber(last)) > 0) {
                throw new IllegalArgumentException("a range must not end before it starts: "
                        + IpAddresses.toText(first) + "-" + IpAddresses.toText(last));
            }
        }

        public boolean ipv4() {
            return first instanceof Inet4Address;
        }

        public boolean contains(InetAddress a) {
            if (a.getClass() != first.getClass()) {
                return false;
            }
            BigInteger n = toNumber(a);
            return n.compareTo(toNumber(first)) >= 0 && n.compareTo(toNumber(last)) <= 0;
        }

        /** How many addresses it holds. */
        public BigInteger size() {
            return toNumber(last).subtract(toNumber(first)).add(BigInteger.ONE);
        }

        @Override
        public String toString() {
            return first.equals(last) ? IpAddresses.toText(first)
                    : IpAddresses.toText(first) + "-" + IpAddresses.toText(last);
        }
    }

    public AddressPool {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("pool name must be a lower-case DNS name: '" + name + "'");
        }
        ranges = List.copyOf(Objects.requireNonNull(ranges, "ranges"));
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("pool " + name + " has no addresses");
        }
    }

    /**
     * A pool from its written form.
     *
     * @throws IllegalArgumentException naming the entry that is not a CIDR or range of unicast addresses
     */
    public static AddressPool parse(String name, List<String> addresses, boolean autoAssign) {
        List<Range> out = new ArrayList<>();
        for (String a : Objects.requireNonNull(addresses, "addresses")) {
            out.add(parseRange(a));
        }
        return new AddressPool(name, out, autoAssign);
    }

    /** One entry: {@code a.b.c.d/n}, {@code first-last}, or a single address. */
    public static Range parseRange(String text) {
        String t = Objects.requireNonNull(text, "address").trim();
        try {
            int slash = t.indexOf('/');
            int dash = t.indexOf('-');
            Range r;
            if (slash >= 0) {
                InetAddress base = IpAddresses.parse(t.substring(0, slash));
                int bits = base instanceof Inet4Address ? 32 : 128;
                int prefix = Integer.parseInt(t.substring(slash + 1));
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("prefix length must be 0.." + bits);
                }
                BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
                BigInteger n = toNumber(base);
                if (!n.and(hostMask).equals(BigInteger.ZERO)) {
                    throw new IllegalArgumentException("host bits set (the network is "
                            + IpAddresses.toText(fromNumber(n.andNot(hostMask), bits)) + "/" + prefix + ")");
                }
                BigInteger first = n;
                BigInteger last = n.or(hostMask);
                if (bits == 32 && prefix <= 30) {
                    first = first.add(BigInteger.ONE);
                    last = last.subtract(BigInteger.ONE);
                }
                r = new Range(fromNumber(first, bits), fromNumber(last, bits));
            } else if (dash >= 0) {
                r = new Range(IpAddresses.parse(t.substring(0, dash).trim()),
                        IpAddresses.parse(t.substring(dash + 1).trim()));
            } else {
                InetAddress a = IpAddresses.parse(t);
                r = new Range(a, a);
            }
            checkUnicast(r.first());
            checkUnicast(r.last());
            return r;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a CIDR or address range: '" + t + "': " + e.getMessage(), e);
        }
    }

    /** Whether {@code a} is one of this pool's addresses. */
    public boolean contains(InetAddress a) {
        return ranges.stream().anyMatch(r -> r.contains(a));
    }

    /** Whether the pool has addresses of this family ({@code true} = IPv4). */
    public boolean hasFamily(boolean ipv4) {
        return ranges.stream().anyMatch(r -> r.ipv4() == ipv4);
    }

    /** The lowest address of the family not in {@code taken}, in range order, if any. */
    public Optional<InetAddress> firstFree(boolean ipv4, Set<InetAddress> taken) {
        for (Range r : ranges) {
            if (r.ipv4() != ipv4) {
                continue;
            }
            int bits = ipv4 ? 32 : 128;
            BigInteger last = toNumber(r.last());
            // Walks past taken addresses only: at most |taken| + 1 steps per range.
            for (BigInteger n = toNumber(r.first()); n.compareTo(last) <= 0; n = n.add(BigInteger.ONE)) {
                InetAddress a = fromNumber(n, bits);
                if (!taken.contains(a)) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    private static void checkUnicast(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress() || a.isLinkLocalAddress()) {
            throw new IllegalArgumentException(IpAddresses.toText(a) + " is not a unicast address a VIP can have");
        }
    }

    static BigInteger toNumber(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    static InetAddress fromNumber(BigInteger n, int bits) {
        byte[] raw = n.toByteArray();
        byte[] out = new byte[bits / 8];
        // toByteArray is big-endian and may carry a sign byte or be shorter: right-align it.
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
