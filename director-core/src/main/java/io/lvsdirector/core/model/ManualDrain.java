package io.lvsdirector.core.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An operator's request to drain a real server by hand.
 *
 * @param service the service's name, or {@code null} for every service that has this real server
 * @param address the real server's address
 */
public record ManualDrain(String service, InetAddress address) {

    public ManualDrain {
        Objects.requireNonNull(address, "address");
    }

    /** Drains {@code address} in every service. */
    public static ManualDrain everywhere(InetAddress address) {
        return new ManualDrain(null, address);
    }

    public boolean appliesTo(String serviceName, InetAddress rs) {
        return address.equals(rs) && (service == null || service.equals(serviceName));
    }
}
