package io.lvsdirector.core.model;

/**
 * How the director hands packets to a real server ({@code ipvsadm -g | -m | -i}).
 *
 * <p>Direct routing is the default: the real servers carry the VIP on {@code lo} and answer the
 * client themselves, so the director only sees the inbound half of each connection.
 */
public enum Forwarding {
    /** {@code -g}, gatewaying: rewrite the MAC address only. */
    DIRECT_ROUTE,
    /** {@code -m}, masquerading: NAT, replies must come back through the director. */
    MASQUERADE,
    /** {@code -i}, IP-in-IP tunnelling. */
    TUNNEL
}
