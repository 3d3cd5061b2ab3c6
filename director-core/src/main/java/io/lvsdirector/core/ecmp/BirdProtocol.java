package io.lvsdirector.core.ecmp;

import java.util.Objects;

/**
 * One line of BIRD's {@code show protocols}.
 *
 * @param name the protocol's name in bird.conf ({@code uplink1})
 * @param proto its kind ({@code BGP}, {@code BFD}, {@code Direct}, ...)
 * @param state BIRD's state: {@code up}, {@code down}, {@code start}, {@code stop}
 * @param since when it entered the state, as BIRD prints it
 * @param info the rest ({@code Established}, {@code Active  Socket: Connection refused}, ...)
 */
public record BirdProtocol(String name, String proto, String state, String since, String info) {

    public BirdProtocol {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(proto, "proto");
        Objects.requireNonNull(state, "state");
        since = since == null ? "" : since;
        info = info == null ? "" : info;
    }

    /** A BGP session is up when BIRD says {@code up} (its info then reads {@code Established}). */
    public boolean up() {
        return "up".equals(state);
    }

    public boolean bgp() {
        return "BGP".equalsIgnoreCase(proto);
    }
}
