package io.lvsdirector.core.plan;

import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.ipvs.Protocol;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * The identity of a virtual service in the kernel table: protocol, address, port. Two services with
 * the same key are the same kernel object, whatever their names.
 */
public record ServiceKey(Protocol protocol, InetAddress vip, int port) implements Comparable<ServiceKey> {

    public ServiceKey {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(vip, "vip");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
    }

    public static ServiceKey of(VirtualService service) {
        return new ServiceKey(service.protocol(), service.vip(), service.port());
    }

    @Override
    public int compareTo(ServiceKey o) {
        int c = Addresses.compare(vip, o.vip);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(port, o.port);
        return c != 0 ? c : protocol.compareTo(o.protocol);
    }

    @Override
    public String toString() {
        return protocol.name().toLowerCase(Locale.ROOT) + " " + Addresses.hostPort(vip, port);
    }
}
