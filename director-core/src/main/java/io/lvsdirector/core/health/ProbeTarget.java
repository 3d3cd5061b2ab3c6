package io.lvsdirector.core.health;

import io.lvsdirector.core.model.HealthCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One thing to probe: an address and a check whose port is resolved. Every service that checks the
 * same node the same way yields an equal target, so they share one probe.
 *
 * <p>A value class rather than a record only to cache its hash: targets are map keys looked up
 * thousands of times a pass, and a check's hash walks its strings and sets.
 */
public final class ProbeTarget {

    private final InetAddress address;
    private final HealthCheck check;
    private final int hash;

    /**
     * @param address the real server's address
     * @param check the check, with a non-zero port
     */
    public ProbeTarget(InetAddress address, HealthCheck check) {
        this.address = Objects.requireNonNull(address, "address");
        this.check = Objects.requireNonNull(check, "check");
        if (check.port() == 0) {
            throw new IllegalArgumentException("a probe target needs a resolved port; use HealthCheck.resolvePort");
        }
        this.hash = 31 * address.hashCode() + check.hashCode();
    }

    public InetAddress address() {
        return address;
    }

    public HealthCheck check() {
        return check;
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, check.port());
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ProbeTarget t && t.hash == hash && t.address.equals(address)
                && (t.check == check || t.check.equals(check));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        String host = address.getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return check.describe(host);
    }
}
