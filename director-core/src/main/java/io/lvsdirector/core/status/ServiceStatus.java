package io.lvsdirector.core.status;

import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the api shows for one service.
 *
 * @param name its name
 * @param key its kernel identity
 * @param inKernel whether the kernel had it after the last pass
 * @param whenAllDown the all-down policy's label ({@code fail-open}, {@code sorry-server}, {@code empty})
 * @param allDown whether that policy is in force now: the service is below its quorum (by default: no
 *     real server is healthy)
 * @param realServers every candidate real server, plus a sorry server while one is in
 * @param applyError why the kernel refused this service's last change, {@code null} while it is in step
 * @param minHealthy the service's quorum: the fewest healthy real servers it runs on
 * @param belowQuorumSince since when it is below quorum ({@code allDown}), {@code null} while it is not
 */
public record ServiceStatus(
        String name,
        VirtualServerKey key,
        boolean inKernel,
        String whenAllDown,
        boolean allDown,
        List<RealServerReport> realServers,
        ApplyError applyError,
        int minHealthy,
        Instant belowQuorumSince) {

    public ServiceStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(whenAllDown, "whenAllDown");
        realServers = List.copyOf(realServers);
    }

    /** A service with the default quorum of one; {@code belowQuorumSince} unknown. */
    public ServiceStatus(String name, VirtualServerKey key, boolean inKernel, String whenAllDown, boolean allDown,
            List<RealServerReport> realServers, ApplyError applyError) {
        this(name, key, inKernel, whenAllDown, allDown, realServers, applyError, 1, null);
    }

    /** A service with no apply error. */
    public ServiceStatus(String name, VirtualServerKey key, boolean inKernel, String whenAllDown, boolean allDown,
            List<RealServerReport> realServers) {
        this(name, key, inKernel, whenAllDown, allDown, realServers, null);
    }
}
