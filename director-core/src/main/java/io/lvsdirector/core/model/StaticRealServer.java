package io.lvsdirector.core.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A real server named by address in a service's static list.
 *
 * @param address the real server's address
 * @param weight its scheduling weight, 1..65535 (0 is what draining sets, so it is not a config
 *     value)
 */
public record StaticRealServer(InetAddress address, int weight) {

    public StaticRealServer {
        Objects.requireNonNull(address, "address");
        RealServerSource.checkWeight(weight);
    }
}
