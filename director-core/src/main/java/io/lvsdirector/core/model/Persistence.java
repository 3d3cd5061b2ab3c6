package io.lvsdirector.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Client affinity of a virtual service ({@code ipvsadm -p TIMEOUT -M NETMASK}).
 *
 * @param timeout how long a client stays on its real server after its last connection; zero means
 *     no persistence
 * @param netmaskPrefix clients are grouped by this prefix length (32 for IPv4 / 128 for IPv6 means
 *     one client per address)
 */
public record Persistence(Duration timeout, int netmaskPrefix) {

    /** No persistence: every connection is scheduled on its own. */
    public static final Persistence NONE = new Persistence(Duration.ZERO, 32);

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
    }

    /** Persistence for {@code timeout} with one client per address. */
    public static Persistence of(Duration timeout) {
        return new Persistence(timeout, 32);
    }

    public boolean enabled() {
        return !timeout.isZero();
    }
}
