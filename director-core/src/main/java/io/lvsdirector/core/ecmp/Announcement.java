package io.lvsdirector.core.ecmp;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The decision for one VIP.
 *
 * @param vip the address
 * @param reason why it is announced ({@link Reason#SERVING}) or withdrawn (any other)
 * @param service the service that decided a withdrawal, {@code null} when none did (serving, stopping,
 *     loop unhealthy, outside ranges)
 * @param services every service on the VIP, in name order
 */
public record Announcement(InetAddress vip, Reason reason, String service, List<String> services) {

    public Announcement {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(reason, "reason");
        services = List.copyOf(services);
    }

    public boolean announced() {
        return reason.announced();
    }
}
