package io.lvsdirector.ipvs;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Identity of a real server ("destination") within one virtual service: address and port, as in
 * {@code ipvsadm -r ADDRESS:PORT}. The family follows the address; it may differ from the
 * service's only for tunnelled real servers, which {@link IpvsOp.AddRealServer} checks.
 *
 * @param address real server address
 * @param port real server port 0..65535; 0 is what ipvsadm sends for fwmark services and for
 *     direct routing without a port, where the kernel forwards to the packet's own port
 *
 * <p>Keys sort IPv4 before IPv6, then by address bytes, then by port, agreeing with equality.
 */
public record RealServerKey(InetAddress address, int port) implements Comparable<RealServerKey> {

    public RealServerKey {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("real server port " + port + " out of range 0..65535");
        }
    }

    /** A real server on an address literal and port. */
    public static RealServerKey of(String address, int port) {
        return new RealServerKey(IpAddresses.parse(address), port);
    }

    /** The family of the address. */
    public AddressFamily family() {
        return AddressFamily.of(address);
    }

    @Override
    public int compareTo(RealServerKey o) {
        int c = IpAddresses.compare(address, o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return IpAddresses.toText(address, port);
    }
}
