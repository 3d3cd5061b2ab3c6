package io.lvsdirector.core.health;

import java.net.InetAddress;
import java.util.Objects;

/**
 * How a probe {@linkplain io.lvsdirector.core.model.HealthCheck.Via#VIP via the VIP} reaches the one
 * real server under test: the firewall mark its socket carries (the director's internal fwmark
 * service for that real server picks it up at LOCAL_OUT and forwards it by direct routing) and the
 * local address it is sent from.
 *
 * <p>Implementations are read from the probes' I/O threads: lookups must be cheap and never block.
 */
public interface ProbeRoutes {

    /**
     * The route to {@code realServer}, or why there is none yet (its internal service is not in the
     * kernel, creating it failed, the mark range is full): a probe without a route fails with that
     * reason and sends nothing, because an unmarked probe to the VIP would be load-balanced to some
     * other real server and prove nothing.
     */
    Route route(InetAddress realServer);

    /**
     * @param mark the socket mark ({@code SO_MARK}); 0 when there is no route
     * @param source the address to send from (the director's own address towards the real server,
     *     never the VIP, whose answer the real server would keep to itself); {@code null} when there
     *     is no route
     * @param problem why there is no route, {@code null} when there is one
     */
    record Route(int mark, InetAddress source, String problem) {

        public Route {
            if ((problem == null) == (mark == 0 || source == null)) {
                throw new IllegalArgumentException("a route has a mark and a source, or else a problem");
            }
        }

        /**
         * Not yet: the path is being made (before the loop's first pass, or its internal service is
         * not created yet). A probe then is not sent and does not count, neither up nor down: a
         * restarted director must not take every node out while its first pass reads the kernel.
         */
        public static final Route NOT_YET = new Route(0, null, "no probe path to this node yet");

        public static Route none(String problem) {
            return new Route(0, null, Objects.requireNonNull(problem, "problem"));
        }

        public boolean ready() {
            return problem == null;
        }

        /** Whether this is {@link #NOT_YET}. */
        public boolean pending() {
            return this == NOT_YET;
        }
    }

    /** No routes at all: every probe via the VIP fails with this reason. */
    static ProbeRoutes none(String problem) {
        Route r = Route.none(problem);
        return a -> r;
    }
}
