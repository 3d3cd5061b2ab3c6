package io.lvsdirector.core.ha;

import io.lvsdirector.ipvs.SyncDaemon;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A consistent view of the HA state for the API and the metrics. Immutable.
 *
 * @param settings the sync daemons' settings
 * @param instances the VRRP instances by name, sorted
 * @param master whether this director is MASTER of at least one instance
 * @param wanted the daemons wanted now
 * @param kernel the daemons running, as read for this view ({@code null} if the read failed)
 * @param inStep whether {@code kernel} is {@code wanted}
 * @param lastError the last refusal of the kernel (with its errno name) or of the store, {@code null}
 *     once the kernel is back in step
 * @param lastChecked when the loop last compared the kernel with what is wanted, {@code null} before
 *     its first pass
 */
public record HaStatus(HaSettings settings, Map<String, InstanceState> instances, boolean master,
        List<SyncDaemon> wanted, List<SyncDaemon> kernel, boolean inStep, String lastError, Instant lastChecked) {

    public HaStatus {
        Objects.requireNonNull(settings, "settings");
        instances = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(instances));
        wanted = List.copyOf(wanted);
        kernel = kernel == null ? null : List.copyOf(kernel);
    }
}
