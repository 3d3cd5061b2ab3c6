package io.lvsdirector.ipvs;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Identity of an IPVS virtual service: either protocol + virtual address + port
 * ({@code ipvsadm -t|-u|--sctp-service VIP:PORT}) or a firewall mark ({@code ipvsadm -f MARK}),
 * each within an address family.
 *
 * <p>For a fwmark service {@code protocol} and {@code address} are {@code null} and {@code port} is
 * 0; for an address service {@code fwmark} is 0. Equality is identity in the kernel's sense: two
 * keys are equal exactly when the kernel would find the same service for both.
 *
 * <p>Keys sort in a stable order for plans, status and logs: address services first (IPv4 before
 * IPv6, then by address bytes, port and protocol), then firewall-mark services (IPv4 before IPv6,
 * then by the mark read as unsigned). The order agrees with equality.
 *
 * @param family address family; must match {@code address}
 * @param protocol transport protocol, {@code null} for a fwmark service
 * @param address virtual IP, {@code null} for a fwmark service
 * @param port virtual port 1..65535, 0 for a fwmark service
 * @param fwmark firewall mark 1..2^32-1 (as an unsigned int), 0 for an address service
 */
public record VirtualServerKey(
        AddressFamily family, Protocol protocol, InetAddress address, int port, int fwmark)
        implements Comparable<VirtualServerKey> {

    public VirtualServerKey {
        Objects.requireNonNull(family, "family");
        if (fwmark != 0) {
            if (protocol != null || address != null || port != 0) {
                throw new IllegalArgumentException(
                        "a fwmark service is identified by family and mark only; got protocol "
                                + protocol + ", address " + address + ", port " + port);
            }
        } else {
            if (protocol == null || address == null) {
                throw new IllegalArgumentException(
                        "a service needs protocol, address and port, or a non-zero fwmark");
            }
            if (AddressFamily.of(address) != family) {
                throw new IllegalArgumentException("address " + IpAddresses.toText(address)
                        + " is not " + family + " (mixed address families)");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " out of range 1..65535 for "
                        + protocol + " service " + IpAddresses.toText(address)
                        + " (port 0 is only for fwmark services)");
            }
        }
    }

    /** A service on protocol, address and port; the family follows the address. */
    public static VirtualServerKey of(Protocol protocol, InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        return new VirtualServerKey(AddressFamily.of(address), protocol, address, port, 0);
    }

    /** A service on protocol, address literal and port. */
    public static VirtualServerKey of(Protocol protocol, String address, int port) {
        return of(protocol, IpAddresses.parse(address), port);
    }

    /** {@code ipvsadm -t ADDRESS:PORT}. */
    public static VirtualServerKey tcp(String address, int port) {
        return of(Protocol.TCP, address, port);
    }

    /** {@code ipvsadm -u ADDRESS:PORT}. */
    public static VirtualServerKey udp(String address, int port) {
        return of(Protocol.UDP, address, port);
    }

    /** {@code ipvsadm --sctp-service ADDRESS:PORT}. */
    public static VirtualServerKey sctp(String address, int port) {
        return of(Protocol.SCTP, address, port);
    }

    /**
     * {@code ipvsadm -f MARK} ({@code -6} for INET6).
     *
     * @param fwmark the mark, non-zero; read as unsigned
     */
    public static VirtualServerKey fwmark(AddressFamily family, int fwmark) {
        if (fwmark == 0) {
            throw new IllegalArgumentException("fwmark must be non-zero");
        }
        return new VirtualServerKey(family, null, null, 0, fwmark);
    }

    /** Whether this is a firewall-mark service. */
    public boolean isFwmark() {
        return fwmark != 0;
    }

    @Override
    public int compareTo(VirtualServerKey o) {
        if (isFwmark() != o.isFwmark()) {
            return isFwmark() ? 1 : -1;
        }
        if (isFwmark()) {
            int c = family.compareTo(o.family);
            return c != 0 ? c : Integer.compareUnsigned(fwmark, o.fwmark);
        }
        int c = IpAddresses.compare(address, o.address);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(port, o.port);
        return c != 0 ? c : protocol.compareTo(o.protocol);
    }

    /** As ipvsadm prints it: {@code TCP 10.0.0.1:80}, {@code FWM 7 IPv6}. */
    @Override
    public String toString() {
        if (isFwmark()) {
            return "FWM " + Integer.toUnsignedString(fwmark) + (family == AddressFamily.INET6 ? " IPv6" : "");
        }
        return protocol + " " + IpAddresses.toText(address, port);
    }
}
