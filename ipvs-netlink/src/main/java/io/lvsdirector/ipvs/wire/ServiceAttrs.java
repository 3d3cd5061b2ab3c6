package io.lvsdirector.ipvs.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The attributes nested in {@code IPVS_CMD_ATTR_SERVICE}, as the kernel sees them. A wire struct:
 * kernel numbers, nothing validated beyond sizes; {@code null} means "attribute absent".
 * {@link WireMapping} converts to and from the public records.
 *
 * @param af {@code IPVS_SVC_ATTR_AF}, u16
 * @param protocol {@code IPVS_SVC_ATTR_PROTOCOL}, u16
 * @param addr {@code IPVS_SVC_ATTR_ADDR}: raw {@code union nf_inet_addr}, 16 bytes, an IPv4
 *     address in the first 4 (network order, as addresses always are)
 * @param port {@code IPVS_SVC_ATTR_PORT}: {@code __be16}, network order on the wire
 * @param fwmark {@code IPVS_SVC_ATTR_FWMARK}, u32 host order
 * @param schedName {@code IPVS_SVC_ATTR_SCHED_NAME}, NUL-terminated
 * @param peName {@code IPVS_SVC_ATTR_PE_NAME}, NUL-terminated
 * @param flags {@code IPVS_SVC_ATTR_FLAGS}: {@code struct ip_vs_flags}'s {@code flags}, u32 host order
 * @param flagsMask ... and its {@code mask}: which bits of {@code flags} the kernel should take
 * @param timeout {@code IPVS_SVC_ATTR_TIMEOUT}: persistence timeout in seconds, u32
 * @param netmask {@code IPVS_SVC_ATTR_NETMASK}, declared {@code __be32}. For AF_INET it is a mask,
 *     held here as a number (0xFFFFFF00 for /24) and written in network order. For AF_INET6 the
 *     kernel compares the field numerically with 1..128 without {@code ntohl}, so it is a prefix
 *     length written in <em>host</em> order despite its declared type.
 * @param stats {@code IPVS_SVC_ATTR_STATS} (replies only)
 * @param stats64 {@code IPVS_SVC_ATTR_STATS64} (replies only)
 */
public record ServiceAttrs(
        Integer af, Integer protocol, byte[] addr, Integer port, Integer fwmark,
        String schedName, String peName, Integer flags, Integer flagsMask, Integer timeout,
        Integer netmask, StatsAttrs stats, StatsAttrs stats64) {

    /** Writes these attributes (those present) inside a nested {@code IPVS_CMD_ATTR_SERVICE}. */
    public void writeTo(AttrWriter w) {
        write(w, true);
    }

    /**
     * Writes these attributes as the kernel's reply does: the same order, without
     * {@code NLA_F_NESTED} ({@code nla_nest_start_noflag}). For fakes and tests.
     */
    public void writeReplyTo(AttrWriter w) {
        write(w, false);
    }

    private void write(AttrWriter w, boolean nestedFlag) {
        int nest = w.beginNested(IpvsConstants.IPVS_CMD_ATTR_SERVICE, nestedFlag);
        // The order of ip_vs_genl_fill_service(), which libipvs's requests follow too.
        if (af != null) {
            w.u16(IpvsConstants.IPVS_SVC_ATTR_AF, af);
        }
        if (fwmark != null) {
            w.u32(IpvsConstants.IPVS_SVC_ATTR_FWMARK, fwmark);
        }
        if (protocol != null) {
            w.u16(IpvsConstants.IPVS_SVC_ATTR_PROTOCOL, protocol);
        }
        if (addr != null) {
            w.bytes(IpvsConstants.IPVS_SVC_ATTR_ADDR, addr);
        }
        if (port != null) {
            // The port is __be16: network byte order.
            w.be16(IpvsConstants.IPVS_SVC_ATTR_PORT, port);
        }
        if (schedName != null) {
            w.string(IpvsConstants.IPVS_SVC_ATTR_SCHED_NAME, schedName);
        }
        if (peName != null) {
            w.string(IpvsConstants.IPVS_SVC_ATTR_PE_NAME, peName);
        }
        if (flags != null) {
            // struct ip_vs_flags { __u32 flags; __u32 mask; }: two host-order u32 in one attribute.
            byte[] raw = new byte[8];
            ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder())
                    .putInt(flags).putInt(flagsMask == null ? 0 : flagsMask);
            w.bytes(IpvsConstants.IPVS_SVC_ATTR_FLAGS, raw);
        }
        if (timeout != null) {
            w.u32(IpvsConstants.IPVS_SVC_ATTR_TIMEOUT, timeout);
        }
        if (netmask != null) {
            if (af != null && af == NetlinkConstants.AF_INET6) {
                w.u32(IpvsConstants.IPVS_SVC_ATTR_NETMASK, netmask);
            } else {
                w.be32(IpvsConstants.IPVS_SVC_ATTR_NETMASK, netmask);
            }
        }
        if (stats != null) {
            stats.writeTo(w, IpvsConstants.IPVS_SVC_ATTR_STATS);
        }
        if (stats64 != null) {
            stats64.writeTo(w, IpvsConstants.IPVS_SVC_ATTR_STATS64);
        }
        w.endNested(nest);
    }

    /**
     * Reads the attributes of a nested {@code IPVS_CMD_ATTR_SERVICE} value.
     *
     * @throws WireFormatException if an attribute has the wrong size
     */
    public static ServiceAttrs read(Attributes a) {
        Integer af = a.has(IpvsConstants.IPVS_SVC_ATTR_AF) ? a.u16(IpvsConstants.IPVS_SVC_ATTR_AF) : null;
        Integer flags = null;
        Integer mask = null;
        if (a.has(IpvsConstants.IPVS_SVC_ATTR_FLAGS)) {
            ByteBuffer f = ByteBuffer.wrap(a.bytes(IpvsConstants.IPVS_SVC_ATTR_FLAGS, 8))
                    .order(ByteOrder.nativeOrder());
            flags = f.getInt();
            mask = f.getInt();
        }
        Integer netmask = null;
        if (a.has(IpvsConstants.IPVS_SVC_ATTR_NETMASK)) {
            netmask = af != null && af == NetlinkConstants.AF_INET6
                    ? a.u32(IpvsConstants.IPVS_SVC_ATTR_NETMASK)
                    : a.be32(IpvsConstants.IPVS_SVC_ATTR_NETMASK);
        }
        return new ServiceAttrs(
                af,
                a.has(IpvsConstants.IPVS_SVC_ATTR_PROTOCOL) ? a.u16(IpvsConstants.IPVS_SVC_ATTR_PROTOCOL) : null,
                a.has(IpvsConstants.IPVS_SVC_ATTR_ADDR) ? a.bytes(IpvsConstants.IPVS_SVC_ATTR_ADDR) : null,
                a.has(IpvsConstants.IPVS_SVC_ATTR_PORT) ? a.be16(IpvsConstants.IPVS_SVC_ATTR_PORT) : null,
                a.has(IpvsConstants.IPVS_SVC_ATTR_FWMARK) ? a.u32(IpvsConstants.IPVS_SVC_ATTR_FWMARK) : null,
                a.has(IpvsConstants.IPVS_SVC_ATTR_SCHED_NAME) ? a.string(IpvsConstants.IPVS_SVC_ATTR_SCHED_NAME) : null,
                a.has(IpvsConstants.IPVS_SVC_ATTR_PE_NAME) ? a.string(IpvsConstants.IPVS_SVC_ATTR_PE_NAME) : null,
                flags, mask,
                a.has(IpvsConstants.IPVS_SVC_ATTR_TIMEOUT) ? a.u32(IpvsConstants.IPVS_SVC_ATTR_TIMEOUT) : null,
                netmask,
                StatsAttrs.readIfPresent(a, IpvsConstants.IPVS_SVC_ATTR_STATS, "IPVS_SVC_ATTR_STATS"),
                StatsAttrs.readIfPresent(a, IpvsConstants.IPVS_SVC_ATTR_STATS64, "IPVS_SVC_ATTR_STATS64"));
    }
}
