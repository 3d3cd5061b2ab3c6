package io.lvsdirector.ipvs;

import java.util.Objects;

/** A real server as the director wants it: identity within its service and desired configuration. */
public record RealServer(RealServerKey key, RealServerSpec spec) {

    public RealServer {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
    }

    /** A copy with another weight. */
    public RealServer withWeight(int weight) {
        return new RealServer(key, spec.withWeight(weight));
    }

    /** {@code -r ADDRESS:PORT -g -w WEIGHT}. */
    public static RealServer directRoute(String address, int port, int weight) {
        return new RealServer(RealServerKey.of(address, port), RealServerSpec.directRoute(weight));
    }
}
