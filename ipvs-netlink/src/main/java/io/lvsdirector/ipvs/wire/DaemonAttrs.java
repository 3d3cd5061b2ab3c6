package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.IpvsConstants.*;

/**
 * The attributes nested in {@code IPVS_CMD_ATTR_DAEMON}. A wire struct; {@code null} means absent.
 *
 * @param state {@code IPVS_DAEMON_ATTR_STATE}: u32, {@code IP_VS_STATE_MASTER}/{@code _BACKUP}
 * @param mcastIfn {@code IPVS_DAEMON_ATTR_MCAST_IFN}: NUL-terminated interface name
 * @param syncId {@code IPVS_DAEMON_ATTR_SYNC_ID}: u32 (the kernel keeps a u8)
 * @param syncMaxlen {@code IPVS_DAEMON_ATTR_SYNC_MAXLEN}: u16
 * @param mcastGroup {@code IPVS_DAEMON_ATTR_MCAST_GROUP}: 4-byte {@code in_addr}, network order
 * @param mcastGroup6 {@code IPVS_DAEMON_ATTR_MCAST_GROUP6}: 16-byte {@code in6_addr}
 * @param mcastPort {@code IPVS_DAEMON_ATTR_MCAST_PORT}: u16 in <em>host</em> order (the kernel
 *     reads it with {@code nla_get_u16} and converts later), unlike service ports
 * @param mcastTtl {@code IPVS_DAEMON_ATTR_MCAST_TTL}: u8
 */
public record DaemonAttrs(
        Integer state, String mcastIfn, Integer syncId, Integer syncMaxlen,
        byte[] mcastGroup, byte[] mcastGroup6, Integer mcastPort, Integer mcastTtl) {

    /** Writes these attributes (those present) inside a nested {@code IPVS_CMD_ATTR_DAEMON}. */
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
        int nest = w.beginNested(IPVS_CMD_ATTR_DAEMON, nestedFlag);
        // The order of ip_vs_genl_fill_daemon(), which libipvs's requests follow too.
        if (state != null) {
            w.u32(IPVS_DAEMON_ATTR_STATE, state);
        }
        if (mcastIfn != null) {
            w.string(IPVS_DAEMON_ATTR_MCAST_IFN, mcastIfn);
        }
        if (syncId != null) {
            w.u32(IPVS_DAEMON_ATTR_SYNC_ID, syncId);
        }
        if (syncMaxlen != null) {
            w.u16(IPVS_DAEMON_ATTR_SYNC_MAXLEN, syncMaxlen);
        }
        if (mcastPort != null) {
            w.u16(IPVS_DAEMON_ATTR_MCAST_PORT, mcastPort); // host order, unlike service ports
        }
        if (mcastTtl != null) {
            w.u8(IPVS_DAEMON_ATTR_MCAST_TTL, mcastTtl);
        }
        if (mcastGroup6 != null) {
            w.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP6, mcastGroup6);
        }
        if (mcastGroup != null) {
            w.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP, mcastGroup);
        }
        w.endNested(nest);
    }

    /** Reads the attributes of a nested {@code IPVS_CMD_ATTR_DAEMON} value. */
    public static DaemonAttrs read(Attributes a) {
        return new DaemonAttrs(
                a.has(IPVS_DAEMON_ATTR_STATE) ? a.u32(IPVS_DAEMON_ATTR_STATE) : null,
                a.has(IPVS_DAEMON_ATTR_MCAST_IFN) ? a.string(IPVS_DAEMON_ATTR_MCAST_IFN) : null,
                a.has(IPVS_DAEMON_ATTR_SYNC_ID) ? a.u32(IPVS_DAEMON_ATTR_SYNC_ID) : null,
                a.has(IPVS_DAEMON_ATTR_SYNC_MAXLEN) ? a.u16(IPVS_DAEMON_ATTR_SYNC_MAXLEN) : null,
                a.has(IPVS_DAEMON_ATTR_MCAST_GROUP) ? a.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP, 4) : null,
                a.has(IPVS_DAEMON_ATTR_MCAST_GROUP6) ? a.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP6, 16) : null,
                a.has(IPVS_DAEMON_ATTR_MCAST_PORT) ? a.u16(IPVS_DAEMON_ATTR_MCAST_PORT) : null,
                a.has(IPVS_DAEMON_ATTR_MCAST_TTL) ? a.u8(IPVS_DAEMON_ATTR_MCAST_TTL) : null);
    }
}
