package io.lvsdirector.ipvs;

import java.util.Objects;

/**
 * A virtual service as the director wants it: identity and desired configuration.
 *
 * <p>The persistence netmask is made canonical here, where the family is known: a prefix as long
 * as the address (/32, /128) means the whole address and is stored as 0, so that a spec read back
 * from the kernel equals the spec that was written.
 */
public record VirtualServer(VirtualServerKey key, VirtualServerSpec spec) {

    public VirtualServer {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        int max = key.family().maxPrefixLength();
        if (spec.persistenceNetmaskBits() > max) {
            throw new IllegalArgumentException("persistence netmask /" + spec.persistenceNetmaskBits()
                    + " is longer than a " + key.family() + " address");
        }
        if (spec.persistenceNetmaskBits() == max) {
            spec = spec.withPersistenceNetmask(0);
        }
    }

    /** {@code -s SCHEDULER} on the given key. */
    public static VirtualServer of(VirtualServerKey key, String scheduler) {
        return new VirtualServer(key, VirtualServerSpec.of(scheduler));
    }
}
