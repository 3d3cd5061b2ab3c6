package io.lvsdirector.ipvs;

import java.util.Objects;

/**
 * A real server as the kernel reports it: its configuration, its connection counts
 * ({@code ActiveConn}, {@code InActConn} in {@code ipvsadm -Ln}) and its counters.
 *
 * @param activeConns established connections ({@code IPVS_DEST_ATTR_ACTIVE_CONNS})
 * @param inactiveConns other connections ({@code IPVS_DEST_ATTR_INACT_CONNS})
 * @param persistentConns persistence templates ({@code IPVS_DEST_ATTR_PERSIST_CONNS})
 */
public record RealServerStatus(
        RealServerKey key, RealServerSpec spec,
        long activeConns, long inactiveConns, long persistentConns, Stats stats) {

    public RealServerStatus {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(stats, "stats");
    }

    /** Key and spec, without the observations. */
    public RealServer realServer() {
        return new RealServer(key, spec);
    }
}
