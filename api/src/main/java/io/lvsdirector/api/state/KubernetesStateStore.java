package io.lvsdirector.api.state;

import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import io.lvsdirector.core.model.SourceListener;
import io.lvsdirector.k8s.ClusterWriteException;
import io.lvsdirector.k8s.LvsServiceStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The desired services from the cluster's {@code LvsService} custom resources ({@code state.store:
 * kubernetes}). The resources are the source of truth shared by both directors of a pair, so the REST
 * API cannot edit them here: PUT and DELETE answer 409 and say to use {@code kubectl}.
 *
 * <p>Drains by hand are shared by the pair too: they are written to {@code status.drains} of the
 * service's object (k8s-sync's {@link LvsServiceStore#drain}), so both directors apply them and
 * they survive a restart of either. A drain whose write the cluster refuses or cannot take is a
 * {@link StateWriteException} (503) and changes nothing.
 *
 * <p>Thread-safe.
 */
public final class KubernetesStateStore implements DesiredStateStore {

    private final LvsServiceStore crds;
    private final ServiceStore loadBalancers;
    private final AtomicLong version = new AtomicLong(1);

    public KubernetesStateStore(LvsServiceStore crds) {
        this(crds, null);
    }

    /**
     * @param loadBalancers the IPVS services of LoadBalancer Services (k8s-sync's
     *     {@code LoadBalancerController}), served beside the {@code LvsService} objects; null for none.
     *     Their names ({@code lb..namespace.name.tcp-80}) can never be an {@code LvsService}'s.
     */
    public KubernetesStateStore(LvsServiceStore crds, ServiceStore loadBalancers) {
        this.crds = Objects.requireNonNull(crds, "crds");
        this.loadBalancers = loadBalancers;
        crds.addListener(version::incrementAndGet);
        if (loadBalancers != null) {
            loadBalancers.addListener(version::incrementAndGet);
        }
    }

    @Override
    public Collection<ServiceSpec> services() {
        if (loadBalancers == null) {
            return crds.services();
        }
        List<ServiceSpec> all = new ArrayList<>(crds.services());
        all.addAll(loadBalancers.services());
        all.sort(Comparator.comparing(ServiceSpec::name));
        return all;
    }

    @Override
    public boolean hasSynced() {
        return crds.hasSynced() && (loadBalancers == null || loadBalancers.hasSynced());
    }

    /** Called after every change of the services or the drains (the stores fire for both). */
    @Override
    public void addListener(SourceListener listener) {
        crds.addListener(listener);
        if (loadBalancers != null) {
            loadBalancers.addListener(listener);
        }
    }

    @Override
    public Collection<ManualDrain> drains() {
        return crds.drains();
    }

    @Override
    public Optional<ServiceSpec> get(String name) {
        return services().stream().filter(s -> s.name().equals(name)).findFirst();
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

    /** @throws StateWriteException if the drain could not be written to the cluster (nothing changed) */
    @Override
    public boolean drain(ManualDrain drain) {
        try {
            return crds.drain(serviceOf(drain), drain.address());
        } catch (ClusterWriteException e) {
            throw new StateWriteException(e.getMessage(), new IOException(e.getMessage(), e));
        }
    }

    /** @throws StateWriteException if the end of the drain could not be written to the cluster */
    @Override
    public boolean undrain(ManualDrain drain) {
        try {
            return crds.undrain(serviceOf(drain), drain.address());
        } catch (ClusterWriteException e) {
            throw new StateWriteException(e.getMessage(), new IOException(e.getMessage(), e));
        }
    }

    /** Drains live on one service's object; the REST API only makes drains for one service. */
    private static String serviceOf(ManualDrain drain) {
        if (drain.service() != null && drain.service().startsWith("lb..")) {
            throw new ReadOnlyStateException("'" + drain.service() + "' is a LoadBalancer Service's; its nodes"
                    + " drain through the Service's endpoints (cordon the node or end the pod), not by hand");
        }
        if (drain.service() == null) {
            throw new IllegalArgumentException("a drain in every service cannot be stored in Kubernetes mode;"
                    + " drain it per service");
        }
        return drain.service();
    }

    private static ReadOnlyStateException readOnly() {
        return new ReadOnlyStateException("services are LvsService resources in Kubernetes on this director"
                + " (state.store: kubernetes); change them with kubectl");
    }
}
