package io.lvsdirector.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Client affinity of a virtual service ({@code ipvsadm -p TIMEOUT -M NETMASK}).
 *
 * @param timeout how long a client stays on its real server after its last connection; zero means
 *     no persistence
 * @param netmaskPrefix clients sharing this many leading address bits count as one client
 *     ({@code -M}); 0, the default, means the whole address: one client per address, as ipvsadm
 *     does without {@code -M}. A prefix as long as the address means the same and is stored as 0,
 *     so that equal behaviour gives equal records.
 */
public record Persistence(Duration timeout, int netmaskPrefix) {

    /** No persistence: every connection is scheduled on its own. */
    public static final Persistence NONE = new Persistence(Duration.ZERO, 0);

    public Persistence {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("persistence timeout must not be negative: " + timeout);
        }
        // The kernel keeps the timeout in whole seconds.
        if (timeout.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException("persistence timeout must be whole seconds: " + timeout);
        }
        if (netmaskPrefix < 0 || netmaskPrefix > 128) {
            throw new IllegalArgumentException("netmask prefix must be 0..128: " + netmaskPrefix);
        }
        if (timeout.isZero()) {
            // Without persistence the netmask means nothing; one spelling keeps records comparable.
            netmaskPrefix = 0;
        }
    }

    /** Persistence for {@code timeout} with one client per address. */
    public static Persistence of(Duration timeout) {
        return new Persistence(timeout, 0);
    }

    /** This persistence with a prefix as long as the address ({@code addressBits}) written as 0. */
    public Persistence canonical(int addressBits) {
        return netmaskPrefix == addressBits ? new Persistence(timeout, 0) : this;
    }

    public boolean enabled() {
        return !timeout.isZero();
    }
}
