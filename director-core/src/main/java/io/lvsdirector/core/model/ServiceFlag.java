package io.lvsdirector.core.model;

/**
 * A virtual-service flag ({@code ipvsadm -b} / {@code -o}).
 *
 * <p>The three scheduler flags mean different things per scheduler ({@code sh-fallback} and
 * {@code mh-fallback} are both {@code flag-1}), so the enum keeps the kernel's neutral names; the
 * ipvsadm aliases are the JSON edge's words ({@code ServiceSpecJson.parseFlag}).
 */
public enum ServiceFlag {
    /** {@code -o}, one-packet scheduling (IP_VS_SVC_F_ONEPACKET), UDP only. */
    ONE_PACKET,
    /** IP_VS_SVC_F_SCHED1: {@code sh-fallback}, {@code mh-fallback}, {@code flag-1}. */
    SCHED_FLAG_1,
    /** IP_VS_SVC_F_SCHED2: {@code sh-port}, {@code mh-port}, {@code flag-2}. */
    SCHED_FLAG_2,
    /** IP_VS_SVC_F_SCHED3: {@code flag-3}. */
    SCHED_FLAG_3
}
