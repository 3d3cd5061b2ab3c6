package io.lvsdirector.ipvs.socket;

import java.util.Map;
import java.util.Objects;

/**
 * A generic-netlink family as the controller ({@code nlctrl}) describes it.
 *
 * @param id               the dynamic {@code nlmsg_type} to address this family with
 * @param name             e.g. {@code "IPVS"}
 * @param version          the family's interface version ({@code genlmsghdr.version} to send)
 * @param headerSize       bytes of family header after {@code genlmsghdr} (0 for IPVS)
 * @param maxAttribute     highest top-level attribute the kernel knows
 * @param multicastGroups  group name → group id
 */
public record GenlFamily(int id, String name, int version, int headerSize, int maxAttribute,
                         Map<String, Integer> multicastGroups) {

    public GenlFamily {
        if (id < Netlink.NLMSG_MIN_TYPE || id > 0xffff) {
            throw new IllegalArgumentException("family id out of range: " + id);
        }
        Objects.requireNonNull(name, "name");
        multicastGroups = Map.copyOf(multicastGroups);
    }
}
