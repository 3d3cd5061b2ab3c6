package io.lvsdirector.ipvs;

import java.util.EnumSet;
import java.util.Set;

/**
 * Virtual service flags a user may set ({@code ipvsadm -b} and {@code -o}), with their
 * {@code IP_VS_SVC_F_*} bits.
 *
 * <p>The kernel has three scheduler-private bits, {@code IP_VS_SVC_F_SCHED1..3}; each scheduler
 * gives them its own meaning. {@code sh} reads SCHED1 as fallback and SCHED2 as port; {@code mh}
 * reads the very same bits the same way under its own names. So {@link #SH_FALLBACK} and
 * {@link #MH_FALLBACK} share a bit, and which name applies depends on the scheduler. A
 * {@link VirtualServerSpec} accepts a named flag only with its scheduler, and the generic
 * {@link #SCHED1}..{@link #SCHED3} only where the scheduler has no name for that bit, so that one
 * kernel state has exactly one spelling and record equality stays meaningful.
 *
 * <p>{@code IP_VS_SVC_F_PERSISTENT} is not here: it is implied by a persistence timeout in
 * {@link VirtualServerSpec}. {@code IP_VS_SVC_F_HASHED} is the kernel's own bookkeeping.
 */
public enum SchedulerFlag {
    /** {@code IP_VS_SVC_F_ONEPACKET}, {@code ipvsadm -o}: schedule every UDP datagram. */
    ONE_PACKET(0x0004, null),
    /** {@code sh-fallback}: skip an overloaded or zero-weight server ({@code IP_VS_SVC_F_SCHED1}). */
    SH_FALLBACK(0x0008, "sh"),
    /** {@code sh-port}: hash the source port too ({@code IP_VS_SVC_F_SCHED2}). */
    SH_PORT(0x0010, "sh"),
    /** {@code mh-fallback}: skip an unavailable server ({@code IP_VS_SVC_F_SCHED1}). */
    MH_FALLBACK(0x0008, "mh"),
    /** {@code mh-port}: hash the source port too ({@code IP_VS_SVC_F_SCHED2}). */
    MH_PORT(0x0010, "mh"),
    /** {@code flag-1}, {@code IP_VS_SVC_F_SCHED1}, for a scheduler without a name for it. */
    SCHED1(0x0008, null),
    /** {@code flag-2}, {@code IP_VS_SVC_F_SCHED2}, for a scheduler without a name for it. */
    SCHED2(0x0010, null),
    /** {@code flag-3}, {@code IP_VS_SVC_F_SCHED3}; no in-tree scheduler names it. */
    SCHED3(0x0020, null);

    /** Every bit these flags can carry. */
    public static final int USER_BITS = 0x0004 | 0x0008 | 0x0010 | 0x0020;

    private final int bit;
    private final String scheduler;

    SchedulerFlag(int bit, String scheduler) {
        this.bit = bit;
        this.scheduler = scheduler;
    }

    /** The {@code IP_VS_SVC_F_*} bit. */
    public int bit() {
        return bit;
    }

    /** Whether this spelling of the bit is the canonical one for the given scheduler. */
    public boolean appliesTo(String schedulerName) {
        if (this == ONE_PACKET) {
            return true;
        }
        if (scheduler != null) {
            return scheduler.equals(schedulerName);
        }
        // A generic SCHEDn is refused where the scheduler has its own name for that bit.
        return named(bit, schedulerName) == null;
    }

    /** The bits of a set of flags. */
    public static int toBits(Set<SchedulerFlag> flags) {
        int bits = 0;
        for (SchedulerFlag f : flags) {
            bits |= f.bit;
        }
        return bits;
    }

    /**
     * The canonical flags for the given bits under the given scheduler: named flags where the
     * scheduler names the bit, generic ones otherwise. Bits outside {@link #USER_BITS} are ignored.
     */
    public static Set<SchedulerFlag> fromBits(int bits, String schedulerName) {
        EnumSet<SchedulerFlag> flags = EnumSet.noneOf(SchedulerFlag.class);
        if ((bits & ONE_PACKET.bit) != 0) {
            flags.add(ONE_PACKET);
        }
        for (SchedulerFlag generic : new SchedulerFlag[] {SCHED1, SCHED2, SCHED3}) {
            if ((bits & generic.bit) != 0) {
                SchedulerFlag named = named(generic.bit, schedulerName);
                flags.add(named != null ? named : generic);
            }
        }
        return flags;
    }

    private static SchedulerFlag named(int bit, String schedulerName) {
        for (SchedulerFlag f : values()) {
            if (f.scheduler != null && f.bit == bit && f.scheduler.equals(schedulerName)) {
                return f;
            }
        }
        return null;
    }
}
