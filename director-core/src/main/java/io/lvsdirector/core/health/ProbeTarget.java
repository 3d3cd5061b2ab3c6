package io.lvsdirector.core.health;

import io.lvsdirector.core.model.HealthCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One thing to probe: an address and a check whose port is resolved, and for a check
 * {@linkplain HealthCheck.Via#VIP via the VIP} the VIP its packets carry. Every service that checks
 * the same node the same way (and, via the VIP, through the same VIP) yields an equal target, so they
 * share one probe; a node probed via its address and via a VIP is two targets.
 *
 * <p>A value class rather than a record only to cache its hash: targets are map keys looked up
 * thousands of times a pass, and a check's hash walks its strings and sets.
 */
public final class ProbeTarget {

    private final InetAddress address;
    private final HealthCheck check;
    private final InetAddress vip;
    private final int hash;

    /**
     * A target probed at its own address.
     *
     * @param address the real server's address
     * @param check the check, with a non-zero port, via the node
     */
    public ProbeTarget(InetAddress address, HealthCheck check) {
        this(address, check, null);
    }

    /**
     * @param address the real server's address
     * @param check the check, with a non-zero port
     * @param vip the VIP the probe is addressed to when the check is via the VIP; {@code null} (and
     *     only then) when it is via the node
     */
    public ProbeTarget(InetAddress address, HealthCheck check, InetAddress vip) {
        this.address = Objects.requireNonNull(address, "address");
        this.check = Objects.requireNonNull(check, "check");
        if (check.port() == 0) {
            throw new IllegalArgumentException("a probe target needs a resolved port; use HealthCheck.resolvePort");
        }
        if ((check.via() == HealthCheck.Via.VIP) != (vip != null)) {
            throw new IllegalArgumentException("a check via the VIP needs the VIP, and only it: " + check.via());
        }
        this.vip = vip;
        this.hash = 31 * (31 * address.hashCode() + check.hashCode()) + Objects.hashCode(vip);
    }

    public InetAddress address() {
        return address;
    }

    public HealthCheck check() {
        return check;
    }

    /** The target of {@code check} on {@code address} for a service on {@code vip}: via the VIP when the check says so. */
    public static ProbeTarget of(InetAddress address, HealthCheck check, InetAddress vip) {
        return new ProbeTarget(address, check, check.via() == HealthCheck.Via.VIP ? vip : null);
    }

    /** The VIP a probe via the VIP is addressed to; {@code null} for a probe via the node. */
    public InetAddress vip() {
        return vip;
    }

    /** Where the probe connects: the node's address and the check's port, or VIP:port via the VIP. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(vip != null ? vip : address, check.port());
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ProbeTarget t && t.hash == hash && t.address.equals(address)
                && (t.check == check || t.check.equals(check)) && Objects.equals(t.vip, vip);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * {@code http://10.0.0.1:8080/ping}; via the VIP {@code http://198.18.0.100:8080/ping via 10.0.0.1}
     * (what the probe asks for, and which node must answer it).
     */
    @Override
    public String toString() {
        if (vip != null) {
            return check.describe(host(vip)) + " via " + address.getHostAddress();
        }
        return check.describe(host(address));
    }

    private static String host(InetAddress a) {
        String host = a.getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
