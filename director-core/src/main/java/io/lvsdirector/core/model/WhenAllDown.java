package io.lvsdirector.core.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What a service does when none of its real servers is healthy, or more generally when it is below
 * its {@link Quorum} (fewer than {@code minHealthy} healthy; by default one). Chosen per service; the
 * choice in force is visible in status and metrics.
 */
public sealed interface WhenAllDown {

    /**
     * The default: keep every real server in at its configured weight rather than blackhole the VIP
     * (below a quorum above one: the healthy ones and every down one alike).
     */
    record FailOpen() implements WhenAllDown {}

    /**
     * Send every client to one sorry server (a maintenance page), which is in the table only while
     * the service is below quorum (by default: every real server is down); real servers still
     * healthy then drain.
     *
     * @param address the sorry server's address
     * @param weight its weight, 1..65535
     */
    record SorryServer(InetAddress address, int weight) implements WhenAllDown {
        public SorryServer {
            Objects.requireNonNull(address, "address");
            RealServerSource.checkWeight(weight);
        }
    }

    /**
     * Leave the service with no real servers: clients get refused, which some operators prefer
     * (below a quorum above one, real servers still healthy drain).
     */
    record Empty() implements WhenAllDown {}

    /**
     * Keep serving the real servers that were in rotation when the service fell below quorum, failed
     * or draining since or not, as long as they are still candidates (keepalived keeps what it has
     * when quorum is lost); servers healthy again or newly healthy are in too. With the default
     * quorum of one this keeps the last healthy set when the last one fails: one server, or those
     * that failed in the same pass.
     */
    record KeepLastHealthy() implements WhenAllDown {}

    WhenAllDown FAIL_OPEN = new FailOpen();
    WhenAllDown EMPTY = new Empty();
    WhenAllDown KEEP_LAST_HEALTHY = new KeepLastHealthy();

    /**
     * A short name for status and metric labels: {@code fail-open}, {@code sorry-server}, {@code empty},
     * {@code keep-last-healthy}.
     */
    default String label() {
        if (this instanceof FailOpen) {
            return "fail-open";
        }
        if (this instanceof SorryServer) {
            return "sorry-server";
        }
        if (this instanceof KeepLastHealthy) {
            return "keep-last-healthy";
        }
        return "empty";
    }
}
