package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.IpvsConstants.*;

/**
 * The attributes nested in {@code IPVS_CMD_ATTR_DEST}, as the kernel sees them. A wire struct;
 * {@code null} means "attribute absent". {@link WireMapping} converts.
 *
 * @param addrFamily {@code IPVS_DEST_ATTR_ADDR_FAMILY}, u16 (absent: the service's family)
 * @param addr {@code IPVS_DEST_ATTR_ADDR}: raw 16-byte {@code union nf_inet_addr}
 * @param port {@code IPVS_DEST_ATTR_PORT}: {@code __be16}, network order
 * @param fwdMethod {@code IPVS_DEST_ATTR_FWD_METHOD}: u32, {@code IP_VS_CONN_F_*} under the FWD mask
 * @param weight {@code IPVS_DEST_ATTR_WEIGHT}: u32 (the kernel keeps an int)
 * @param uThresh {@code IPVS_DEST_ATTR_U_THRESH}: u32
 * @param lThresh {@code IPVS_DEST_ATTR_L_THRESH}: u32
 * @param tunType {@code IPVS_DEST_ATTR_TUN_TYPE}: u8
 * @param tunPort {@code IPVS_DEST_ATTR_TUN_PORT}: {@code __be16}, network order, like the port
 * @param tunFlags {@code IPVS_DEST_ATTR_TUN_FLAGS}: u16 host order
 * @param activeConns {@code IPVS_DEST_ATTR_ACTIVE_CONNS}: u32 (replies only)
 * @param inactConns {@code IPVS_DEST_ATTR_INACT_CONNS}: u32 (replies only)
 * @param persistConns {@code IPVS_DEST_ATTR_PERSIST_CONNS}: u32 (replies only)
 * @param stats {@code IPVS_DEST_ATTR_STATS} (replies only)
 * @param stats64 {@code IPVS_DEST_ATTR_STATS64} (replies only)
 */
public record DestAttrs(
        Integer addrFamily, byte[] addr, Integer port, Integer fwdMethod, Integer weight,
        Integer uThresh, Integer lThresh, Integer tunType, Integer tunPort, Integer tunFlags,
        Integer activeConns, Integer inactConns, Integer persistConns,
        StatsAttrs stats, StatsAttrs stats64) {

    /**
     * Writes these attributes (those present) as a request: nested {@code IPVS_CMD_ATTR_DEST} with
     * {@code NLA_F_NESTED}, in libipvs's order (address family first), so that a request is byte
     * for byte what ipvsadm sends, bar the tunnel attributes, which ipvsadm always sends and this
     * library sends for TUNNEL only (kernels before 5.3 do not know them).
     */
    public void writeTo(AttrWriter w) {
        int nest = w.beginNested(IPVS_CMD_ATTR_DEST, true);
        if (addrFamily != null) {
            w.u16(IPVS_DEST_ATTR_ADDR_FAMILY, addrFamily);
        }
        writeBody(w);
        w.endNested(nest);
    }

    /**
     * Writes these attributes as the kernel's reply does ({@code ip_vs_genl_fill_dest}): no
     * {@code NLA_F_NESTED}, address family after the connection counts. For fakes and tests.
     */
    public void writeReplyTo(AttrWriter w) {
        int nest = w.beginNested(IPVS_CMD_ATTR_DEST, false);
        writeBody(w);
        if (addrFamily != null) {
            w.u16(IPVS_DEST_ATTR_ADDR_FAMILY, addrFamily);
        }
        if (stats != null) {
            stats.writeTo(w, IPVS_DEST_ATTR_STATS);
        }
        if (stats64 != null) {
            stats64.writeTo(w, IPVS_DEST_ATTR_STATS64);
        }
        w.endNested(nest);
    }

    private void writeBody(AttrWriter w) {
        if (addr != null) {
            w.bytes(IPVS_DEST_ATTR_ADDR, addr);
        }
        if (port != null) {
            w.be16(IPVS_DEST_ATTR_PORT, port); // __be16
        }
        if (fwdMethod != null) {
            w.u32(IPVS_DEST_ATTR_FWD_METHOD, fwdMethod);
        }
        if (weight != null) {
            w.u32(IPVS_DEST_ATTR_WEIGHT, weight);
        }
        if (tunType != null) {
            w.u8(IPVS_DEST_ATTR_TUN_TYPE, tunType);
        }
        if (tunPort != null) {
            w.be16(IPVS_DEST_ATTR_TUN_PORT, tunPort); // __be16, like the port
        }
        if (tunFlags != null) {
            w.u16(IPVS_DEST_ATTR_TUN_FLAGS, tunFlags); // host order, unlike the tunnel port
        }
        if (uThresh != null) {
            w.u32(IPVS_DEST_ATTR_U_THRESH, uThresh);
        }
        if (lThresh != null) {
            w.u32(IPVS_DEST_ATTR_L_THRESH, lThresh);
        }
        if (activeConns != null) {
            w.u32(IPVS_DEST_ATTR_ACTIVE_CONNS, activeConns);
        }
        if (inactConns != null) {
            w.u32(IPVS_DEST_ATTR_INACT_CONNS, inactConns);
        }
        if (persistConns != null) {
            w.u32(IPVS_DEST_ATTR_PERSIST_CONNS, persistConns);
        }
    }

    /** Reads the attributes of a nested {@code IPVS_CMD_ATTR_DEST} value. */
    public static DestAttrs read(Attributes a) {
        return new DestAttrs(
                a.has(IPVS_DEST_ATTR_ADDR_FAMILY) ? a.u16(IPVS_DEST_ATTR_ADDR_FAMILY) : null,
                a.has(IPVS_DEST_ATTR_ADDR) ? a.bytes(IPVS_DEST_ATTR_ADDR) : null,
                a.has(IPVS_DEST_ATTR_PORT) ? a.be16(IPVS_DEST_ATTR_PORT) : null,
                a.has(IPVS_DEST_ATTR_FWD_METHOD) ? a.u32(IPVS_DEST_ATTR_FWD_METHOD) : null,
                a.has(IPVS_DEST_ATTR_WEIGHT) ? a.u32(IPVS_DEST_ATTR_WEIGHT) : null,
                a.has(IPVS_DEST_ATTR_U_THRESH) ? a.u32(IPVS_DEST_ATTR_U_THRESH) : null,
                a.has(IPVS_DEST_ATTR_L_THRESH) ? a.u32(IPVS_DEST_ATTR_L_THRESH) : null,
                a.has(IPVS_DEST_ATTR_TUN_TYPE) ? a.u8(IPVS_DEST_ATTR_TUN_TYPE) : null,
                a.has(IPVS_DEST_ATTR_TUN_PORT) ? a.be16(IPVS_DEST_ATTR_TUN_PORT) : null,
                a.has(IPVS_DEST_ATTR_TUN_FLAGS) ? a.u16(IPVS_DEST_ATTR_TUN_FLAGS) : null,
                a.has(IPVS_DEST_ATTR_ACTIVE_CONNS) ? a.u32(IPVS_DEST_ATTR_ACTIVE_CONNS) : null,
                a.has(IPVS_DEST_ATTR_INACT_CONNS) ? a.u32(IPVS_DEST_ATTR_INACT_CONNS) : null,
                a.has(IPVS_DEST_ATTR_PERSIST_CONNS) ? a.u32(IPVS_DEST_ATTR_PERSIST_CONNS) : null,
                StatsAttrs.readIfPresent(a, IPVS_DEST_ATTR_STATS, "IPVS_DEST_ATTR_STATS"),
                StatsAttrs.readIfPresent(a, IPVS_DEST_ATTR_STATS64, "IPVS_DEST_ATTR_STATS64"));
    }
}
