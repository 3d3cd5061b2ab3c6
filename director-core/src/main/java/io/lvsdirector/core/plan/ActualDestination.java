package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import java.util.Objects;

/**
 * A real server as the kernel has it.
 *
 * @param key address and port
 * @param config weight and forwarding
 * @param activeConnections established connections ({@code ActiveConn})
 * @param inactiveConnections other connections still in the table ({@code InActConn})
 */
public record ActualDestination(
        RealServerKey key, DestinationConfig config, long activeConnections, long inactiveConnections) {

    public ActualDestination {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(config, "config");
        if (activeConnections < 0 || inactiveConnections < 0) {
            throw new IllegalArgumentException("connection counts must not be negative");
        }
    }

    public long connections() {
        return activeConnections + inactiveConnections;
    }
}
