package io.lvsdirector.core.status;

import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.List;
import java.util.Objects;

/**
 * What the api shows for one service.
 *
 * @param name its name
 * @param key its kernel identity
 * @param inKernel whether the kernel had it after the last pass
 * @param whenAllDown the all-down policy's label ({@code fail-open}, {@code sorry-server}, {@code empty})
 * @param allDown whether that policy is in force now
 * @param realServers every candidate real server, plus a sorry server while one is in
 * @param applyError why the kernel refused this service's last change, {@code null} while it is in step
 */
public record ServiceStatus(
        String name,
        VirtualServerKey key,
        boolean inKernel,
        String whenAllDown,
        boolean allDown,
        List<RealServerReport> realServers,
        ApplyError applyError) {

    public ServiceStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(whenAllDown, "whenAllDown");
        realServers = List.copyOf(realServers);
    }

    /** A service with no apply error. */
    public ServiceStatus(String name, VirtualServerKey key, boolean inKernel, String whenAllDown, boolean allDown,
            List<RealServerReport> realServers) {
        this(name, key, inKernel, whenAllDown, allDown, realServers, null);
    }
}
