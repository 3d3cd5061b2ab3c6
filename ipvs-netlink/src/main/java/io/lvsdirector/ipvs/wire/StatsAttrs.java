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

    /**
     * Writes the counters nested under {@code type} as the kernel does ({@code ip_vs_genl_fill_stats}
     * and {@code _stats64}): for {@code IPVS_*_ATTR_STATS64} all u64; for {@code IPVS_*_ATTR_STATS}
     * u32 but for the two byte counters (truncated, as the kernel truncates them). For fakes and tests.
     */
    public void writeTo(AttrWriter w, int type) {
        boolean wide = type == IPVS_SVC_ATTR_STATS64; // == IPVS_DEST_ATTR_STATS64, both 12
        int nest = w.beginNested(type, false);
        counter(w, IPVS_STATS_ATTR_CONNS, conns, wide);
        counter(w, IPVS_STATS_ATTR_INPKTS, inpkts, wide);
        counter(w, IPVS_STATS_ATTR_OUTPKTS, outpkts, wide);
        w.u64(IPVS_STATS_ATTR_INBYTES, inbytes);
        w.u64(IPVS_STATS_ATTR_OUTBYTES, outbytes);
        counter(w, IPVS_STATS_ATTR_CPS, cps, wide);
        counter(w, IPVS_STATS_ATTR_INPPS, inpps, wide);
        counter(w, IPVS_STATS_ATTR_OUTPPS, outpps, wide);
        counter(w, IPVS_STATS_ATTR_INBPS, inbps, wide);
        counter(w, IPVS_STATS_ATTR_OUTBPS, outbps, wide);
        w.endNested(nest);
    }

    private static void counter(AttrWriter w, int type, long v, boolean wide) {
        if (wide) {
            w.u64(type, v);
        } else {
            w.u32(type, (int) v);
        }
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
