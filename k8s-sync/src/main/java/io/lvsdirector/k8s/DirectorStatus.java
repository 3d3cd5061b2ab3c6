package io.lvsdirector.k8s;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one director reports it applied for one {@code LvsService}, written under
 * {@code status.directors.<director name>} so the two directors of a pair never overwrite each
 * other.
 *
 * @param observedGeneration the {@code metadata.generation} of the spec this status is about
 * @param state {@code Applied}, {@code Failed} (the kernel refused part of it) or {@code Invalid}
 *     (the spec did not pass validation)
 * @param message a short human explanation, empty when there is nothing to say
 * @param realServers the real servers in the kernel table for this service after the pass
 * @param updated when the director wrote this
 */
public record DirectorStatus(
        long observedGeneration,
        State state,
        String message,
        List<AppliedRealServer> realServers,
        Instant updated) {

    /** The outcome of the last pass for this service. */
    public enum State {
        Applied,
        Failed,
        Invalid
    }

    /**
     * One real server as the director put it in the kernel.
     *
     * @param address its address, as text
     * @param port its port
     * @param weight the weight in the kernel (0 while draining)
     * @param health the probe's verdict ({@code healthy}, {@code failed}, {@code draining}, ...)
     */
    public record AppliedRealServer(String address, int port, int weight, String health) {
        public AppliedRealServer {
            Objects.requireNonNull(address, "address");
            health = health == null ? "" : health;
            if (port < 1 || port > 65535 || weight < 0 || weight > 65535) {
                throw new IllegalArgumentException("port 1..65535 and weight 0..65535: " + port + ", " + weight);
            }
        }
    }

    public DirectorStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updated, "updated");
        message = message == null ? "" : message;
        realServers = List.copyOf(realServers == null ? List.of() : realServers);
        if (observedGeneration < 0) {
            throw new IllegalArgumentException("observedGeneration must not be negative: " + observedGeneration);
        }
    }
}
