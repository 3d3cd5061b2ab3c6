package io.lvsdirector.core.plan;

import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.Objects;

/** A real server of one service, as the drain ledger remembers when it began draining. */
public record DrainKey(VirtualServerKey service, RealServerKey realServer) {

    public DrainKey {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(realServer, "realServer");
    }
}
