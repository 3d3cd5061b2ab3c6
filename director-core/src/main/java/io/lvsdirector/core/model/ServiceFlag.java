package io.lvsdirector.core.model;

import java.util.Locale;

/**
 * A virtual-service flag ({@code ipvsadm -b} / {@code -o}).
 *
 * <p>The three scheduler flags mean different things per scheduler ({@code sh-fallback} and
 * {@code mh-fallback} are both {@code flag-1}), so the enum keeps the kernel's neutral names and
 * {@link #parse(String)} accepts the ipvsadm aliases.
 */
public enum ServiceFlag {
    /** {@code -o}, one-packet scheduling (IP_VS_SVC_F_ONEPACKET), UDP only. */
    ONE_PACKET,
    /** IP_VS_SVC_F_SCHED1: {@code sh-fallback}, {@code mh-fallback}, {@code flag-1}. */
    SCHED_FLAG_1,
    /** IP_VS_SVC_F_SCHED2: {@code sh-port}, {@code mh-port}, {@code flag-2}. */
    SCHED_FLAG_2,
    /** IP_VS_SVC_F_SCHED3: {@code flag-3}. */
    SCHED_FLAG_3;

    /**
     * Parses an ipvsadm flag name or an enum name, case-insensitively.
     *
     * @throws IllegalArgumentException when the name is unknown
     */
    public static ServiceFlag parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "ops", "one-packet", "one_packet":
                return ONE_PACKET;
            case "flag-1", "sh-fallback", "mh-fallback", "sched_flag_1":
                return SCHED_FLAG_1;
            case "flag-2", "sh-port", "mh-port", "sched_flag_2":
                return SCHED_FLAG_2;
            case "flag-3", "sched_flag_3":
                return SCHED_FLAG_3;
            default:
                throw new IllegalArgumentException("unknown service flag: " + name);
        }
    }
}
