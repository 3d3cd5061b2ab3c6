package io.lvsdirector.api.state;

import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.SourceListener;
import io.lvsdirector.k8s.LvsServiceStore;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The desired services from the cluster's {@code LvsService} custom resources ({@code state.store:
 * kubernetes}). The resources are the source of truth shared by both directors of a pair, so the REST
 * API cannot edit them here: PUT and DELETE answer 409 and say to use {@code kubectl}. Drains by hand
 * are this director's own and kept in memory: they end when the process does.
 *
 * <p>Thread-safe.
 */
public final class KubernetesStateStore implements DesiredStateStore {

    private final LvsServiceStore crds;
    private final ManualDrains drains = new ManualDrains();
    private final AtomicLong version = new AtomicLong(1);

    public KubernetesStateStore(LvsServiceStore crds) {
        this.crds = Objects.requireNonNull(crds, "crds");
        crds.addListener(version::incrementAndGet);
        drains.addListener(version::incrementAndGet);
    }

    @Override
    public Collection<ServiceSpec> services() {
        return crds.services();
    }

    @Override
    public boolean hasSynced() {
        return crds.hasSynced();
    }

    @Override
    public void addListener(SourceListener listener) {
        crds.addListener(listener);
        drains.addListener(listener);
    }

    @Override
    public Collection<ManualDrain> drains() {
        return drains.drains();
    }

    @Override
    public Optional<ServiceSpec> get(String name) {
        return crds.services().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    @Override
    public long version() {
        return version.get();
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public boolean put(ServiceSpec spec) {
        throw readOnly();
    }

    @Override
    public boolean delete(String name) {
        throw readOnly();
    }

    @Override
    public boolean drain(ManualDrain drain) {
        return drains.drain(drain);
    }

    @Override
    public boolean undrain(ManualDrain drain) {
        return drains.undrain(drain);
    }

    private static ReadOnlyStateException readOnly() {
        return new ReadOnlyStateException("services are LvsService resources in Kubernetes on this director"
                + " (state.store: kubernetes); change them with kubectl");
    }
}
