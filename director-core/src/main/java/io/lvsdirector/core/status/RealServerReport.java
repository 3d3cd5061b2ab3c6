package io.lvsdirector.core.status;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.plan.Disposition;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * What the api shows for one real server of one service.
 *
 * @param address its address
 * @param port its port
 * @param node the Kubernetes node, or {@code null} for a static real server
 * @param desiredWeight the weight the director wants in the kernel, or {@code null} for "absent"
 * @param kernelWeight the weight the kernel has after the last pass, or {@code null} if absent
 * @param health what the probe says
 * @param disposition what the director does with it
 * @param reason why, in words: "ok", "connect refused", "timeout", "HTTP 500", "draining: 503",
 *     "cordoned", "manual", "fail-open: all down (timeout)"
 * @param since when that reason began
 * @param activeConnections the kernel's ActiveConn at the last read, 0 if absent
 * @param inactiveConnections the kernel's InActConn at the last read, 0 if absent
 */
public record RealServerReport(
        InetAddress address,
        int port,
        String node,
        Integer desiredWeight,
        Integer kernelWeight,
        HealthState health,
        Disposition disposition,
        String reason,
        Instant since,
        long activeConnections,
        long inactiveConnections) {

    public RealServerReport {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
    }

    /** Whether the kernel holds what the director wants for this server. */
    public boolean converged() {
        return Objects.equals(desiredWeight, kernelWeight)
                // A draining server with connections is at weight 0 and stays until they end.
                || (disposition == Disposition.DRAINING && kernelWeight != null && kernelWeight == 0);
    }
}
