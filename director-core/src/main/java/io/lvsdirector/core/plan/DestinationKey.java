package io.lvsdirector.core.plan;

import java.net.InetAddress;
import java.util.Objects;

/** The identity of a real server inside one virtual service: its address and port. */
public record DestinationKey(InetAddress address, int port) implements Comparable<DestinationKey> {

    public DestinationKey {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
    }

    @Override
    public int compareTo(DestinationKey o) {
        int c = Addresses.compare(address, o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return Addresses.hostPort(address, port);
    }
}
