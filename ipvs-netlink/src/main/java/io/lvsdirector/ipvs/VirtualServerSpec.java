package io.lvsdirector.ipvs;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Desired configuration of a virtual service: what {@code ipvsadm -A/-E} sets beyond the key.
 *
 * @param scheduler scheduler name ({@code -s}), 1..15 characters: the kernel's
 *     {@code IP_VS_SCHEDNAME_MAXLEN} is 16 including the NUL. {@code "none"} asks for no scheduler.
 *     Whether the kernel has it is only known when the request arrives ({@code ENOENT}).
 * @param flags scheduler flags ({@code -b}, {@code -o}), canonical for the scheduler: see
 *     {@link SchedulerFlag}
 * @param persistenceTimeout persistence timeout in seconds ({@code -p}); 0 means not persistent.
 *     A non-zero value sets {@code IP_VS_SVC_F_PERSISTENT}.
 * @param persistenceNetmaskBits persistence granularity ({@code -M}) as a prefix length; 0 means the
 *     whole client address (/32 or /128), which is also what ipvsadm sends when {@code -M} is
 *     absent. {@link VirtualServer} checks the upper bound against the family.
 * @param persistenceEngine persistence engine ({@code --pe}, e.g. {@code sip}), {@code ""} for
 *     none; at most 15 characters like the scheduler
 */
public record VirtualServerSpec(
        String scheduler,
        Set<SchedulerFlag> flags,
        int persistenceTimeout,
        int persistenceNetmaskBits,
        String persistenceEngine) {

    /** {@code IP_VS_SCHEDNAME_MAXLEN - 1}: the longest scheduler name the kernel stores. */
    public static final int MAX_SCHEDULER_NAME = 15;

    public VirtualServerSpec {
        scheduler = checkName("scheduler", scheduler, false);
        persistenceEngine = checkName("persistence engine", persistenceEngine, true);
        Objects.requireNonNull(flags, "flags");
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        for (SchedulerFlag f : flags) {
            if (!f.appliesTo(scheduler)) {
                throw new IllegalArgumentException("scheduler flag " + f + " does not apply to scheduler '"
                        + scheduler + "' (sh-* flags need sh, mh-* need mh; a generic flag is refused"
                        + " where the scheduler names that bit)");
            }
        }
        if (persistenceTimeout < 0) {
            throw new IllegalArgumentException("persistence timeout " + persistenceTimeout + " < 0");
        }
        if (persistenceNetmaskBits < 0 || persistenceNetmaskBits > 128) {
            throw new IllegalArgumentException(
                    "persistence netmask /" + persistenceNetmaskBits + " out of range 0..128");
        }
    }

    /** {@code -s SCHEDULER}, no flags, not persistent. */
    public static VirtualServerSpec of(String scheduler) {
        return new VirtualServerSpec(scheduler, Set.of(), 0, 0, "");
    }

    /** A copy with these flags. */
    public VirtualServerSpec withFlags(Set<SchedulerFlag> newFlags) {
        return new VirtualServerSpec(scheduler, newFlags, persistenceTimeout, persistenceNetmaskBits,
                persistenceEngine);
    }

    /** A copy with this persistence timeout ({@code -p SECONDS}; 0 turns persistence off). */
    public VirtualServerSpec withPersistence(int timeoutSeconds) {
        return new VirtualServerSpec(scheduler, flags, timeoutSeconds, persistenceNetmaskBits,
                persistenceEngine);
    }

    /** A copy with this persistence netmask as a prefix length ({@code -M}); 0 for the whole address. */
    public VirtualServerSpec withPersistenceNetmask(int bits) {
        return new VirtualServerSpec(scheduler, flags, persistenceTimeout, bits, persistenceEngine);
    }

    /** A copy with this persistence engine ({@code --pe NAME}; {@code ""} for none). */
    public VirtualServerSpec withPersistenceEngine(String engine) {
        return new VirtualServerSpec(scheduler, flags, persistenceTimeout, persistenceNetmaskBits, engine);
    }

    /** Whether the service is persistent ({@code IP_VS_SVC_F_PERSISTENT}). */
    public boolean persistent() {
        return persistenceTimeout > 0;
    }

    private static String checkName(String what, String name, boolean emptyOk) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() && !emptyOk) {
            throw new IllegalArgumentException(what + " name is empty");
        }
        if (name.length() > MAX_SCHEDULER_NAME) {
            throw new IllegalArgumentException(what + " name '" + name + "' is " + name.length()
                    + " characters; the kernel takes at most " + MAX_SCHEDULER_NAME);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException(
                        what + " name '" + name + "' must be printable ASCII without spaces");
            }
        }
        return name;
    }
}
