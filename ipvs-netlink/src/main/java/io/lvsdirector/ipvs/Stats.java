package io.lvsdirector.ipvs;

/**
 * Counters and rates of a service or real server, as {@code ipvsadm -L --stats} and {@code --rate}
 * show them. Read from {@code IPVS_*_ATTR_STATS64} when the kernel sends it (Linux 4.1+), else from
 * the 32-bit {@code IPVS_*_ATTR_STATS}. Every value is unsigned 64-bit held in a {@code long}.
 *
 * @param conns connections scheduled
 * @param inPkts packets in
 * @param outPkts packets out (0 under direct routing: replies bypass the director)
 * @param inBytes bytes in
 * @param outBytes bytes out
 * @param cps connections per second (kernel's rate estimator, 2 s period)
 * @param inPps packets in per second
 * @param outPps packets out per second
 * @param inBps bytes in per second
 * @param outBps bytes out per second
 */
public record Stats(
        long conns, long inPkts, long outPkts, long inBytes, long outBytes,
        long cps, long inPps, long outPps, long inBps, long outBps) {

    /** All zero. */
    public static final Stats ZERO = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
