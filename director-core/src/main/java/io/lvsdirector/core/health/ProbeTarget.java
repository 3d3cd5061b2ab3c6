package io.lvsdirector.core.health;

import io.lvsdirector.core.model.HealthCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One thing to probe: an address and a check whose port is resolved. Every service that checks the
 * same node the same way yields an equal target, so they share one probe.
 *
 * @param address the real server's address
 * @param check the check, with a non-zero port
 */
public record ProbeTarget(InetAddress address, HealthCheck check) {

    public ProbeTarget {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(check, "check");
        if (check.port() == 0) {
            throw new IllegalArgumentException("a probe target needs a resolved port; use HealthCheck.resolvePort");
        }
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, check.port());
    }

    @Override
    public String toString() {
        String host = address.getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return check.kind() == HealthCheck.Kind.HTTP
                ? "http://" + host + ":" + check.port() + check.path()
                : "tcp://" + host + ":" + check.port();
    }
}
