package io.lvsdirector.core.ecmp;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * The announce interface: a dummy link (default {@code lvs-vips}) whose addresses are the VIPs this
 * director announces. BIRD exports them with {@code protocol direct} and an export filter limited to the
 * configured ranges; the director never speaks BGP. This is the whole contract between the two: an
 * address present is a route announced, an address absent a route withdrawn.
 *
 * <p>Not thread-safe: the {@link EcmpAnnouncer}'s thread is the only caller.
 */
public interface VipInterface {

    /** Creates the dummy link if missing and sets it up. Equals {@code ip link add NAME type dummy; ip link set NAME up}. */
    void ensure() throws IOException;

    /** Its addresses (scope global). Equals {@code ip -o addr show dev NAME}. */
    List<InetAddress> addresses() throws IOException;

    /** Equals {@code ip addr add VIP/32 dev NAME} ({@code /128} for IPv6); an address already there is success. */
    void add(InetAddress vip) throws IOException;

    /** Equals {@code ip addr del VIP/32 dev NAME}; an address already gone is success. */
    void remove(InetAddress vip) throws IOException;

    /** The link's name, for logs and status. */
    String name();
}
