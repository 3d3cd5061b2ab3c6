package io.lvsdirector.core.plan;

import java.util.Objects;

/** A real server of one service, as the drain ledger remembers when it began draining. */
public record DrainKey(ServiceKey service, DestinationKey destination) {

    public DrainKey {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(destination, "destination");
    }
}
