package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.IpvsConstants.*;

/**
 * The attributes nested in {@code IPVS_*_ATTR_STATS} and {@code IPVS_*_ATTR_STATS64}. In STATS
 * the packet and connection counters and the rates are u32 and the byte counters u64; in STATS64
 * all are u64. The reader accepts either width for every counter (older kernels differ), and
 * skips {@code IPVS_STATS_ATTR_PAD}, which the kernel inserts before a u64 on architectures that
 * need 8-byte alignment.
 */
public record StatsAttrs(
        long conns, long inpkts, long outpkts, long inbytes, long outbytes,
        long cps, long inpps, long outpps, long inbps, long outbps) {

    /** Writes STATS64-style attributes (all u64) nested under {@code type}; for tests and fakes. */
    public void writeTo(AttrWriter w, int type) {
        int nest = w.beginNested(type);
        w.u64(IPVS_STATS_ATTR_CONNS, conns);
        w.u64(IPVS_STATS_ATTR_INPKTS, inpkts);
        w.u64(IPVS_STATS_ATTR_OUTPKTS, outpkts);
        w.u64(IPVS_STATS_ATTR_INBYTES, inbytes);
        w.u64(IPVS_STATS_ATTR_OUTBYTES, outbytes);
        w.u64(IPVS_STATS_ATTR_CPS, cps);
        w.u64(IPVS_STATS_ATTR_INPPS, inpps);
        w.u64(IPVS_STATS_ATTR_OUTPPS, outpps);
        w.u64(IPVS_STATS_ATTR_INBPS, inbps);
        w.u64(IPVS_STATS_ATTR_OUTBPS, outbps);
        w.endNested(nest);
    }

    /** Reads the stats nested under {@code type}, or {@code null} if absent. */
    static StatsAttrs readIfPresent(Attributes parent, int type, String context) {
        if (!parent.has(type)) {
            return null;
        }
        Attributes a = parent.nested(type, IPVS_STATS_ATTR_PAD, context);
        return new StatsAttrs(
                counter(a, IPVS_STATS_ATTR_CONNS), counter(a, IPVS_STATS_ATTR_INPKTS),
                counter(a, IPVS_STATS_ATTR_OUTPKTS), counter(a, IPVS_STATS_ATTR_INBYTES),
                counter(a, IPVS_STATS_ATTR_OUTBYTES), counter(a, IPVS_STATS_ATTR_CPS),
                counter(a, IPVS_STATS_ATTR_INPPS), counter(a, IPVS_STATS_ATTR_OUTPPS),
                counter(a, IPVS_STATS_ATTR_INBPS), counter(a, IPVS_STATS_ATTR_OUTBPS));
    }

    private static long counter(Attributes a, int type) {
        if (!a.has(type)) {
            return 0;
        }
        return a.length(type) == 4 ? Integer.toUnsignedLong(a.u32(type)) : a.u64(type);
    }
}
