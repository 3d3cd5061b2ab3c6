package io.lvsdirector.ipvs;

import java.util.Objects;

/**
 * A virtual service as the kernel reports it: its configuration and its observed counters, kept
 * apart so that {@code spec()} compares with a desired {@link VirtualServerSpec} directly.
 */
public record VirtualServerStatus(VirtualServerKey key, VirtualServerSpec spec, Stats stats) {

    public VirtualServerStatus {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(stats, "stats");
    }

    /** Key and spec, without the counters. */
    public VirtualServer virtualServer() {
        return new VirtualServer(key, spec);
    }
}
