package io.lvsdirector.api.cli;

import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.config.StateFactory;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.api.state.StateFileException;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.k8s.DirectorReport;
import io.lvsdirector.k8s.K8sSyncConfig;
import io.lvsdirector.k8s.LvsServiceSnapshot;
import io.lvsdirector.k8s.LvsServiceStore;
import io.lvsdirector.k8s.LvsStatus;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What the one-shot commands share: the desired state as the server would load it at a start,
 * from the state file ({@code state.store: file}, never created here) or from one read of the
 * cluster's {@code LvsService} objects ({@code state.store: kubernetes}, with the config's
 * credentials; no informer is left running).
 */
final class LocalView {

    private LocalView() {
    }

    /**
     * The desired state and where it came from.
     *
     * @param source one line saying where the services were read ({@code state version 3},
     *     {@code 4 LvsService objects from https://...})
     * @param services the served specs
     * @param drains the manual drains in force
     * @param nodes the Kubernetes nodes the services' selectors pick (empty in file mode, as the
     *     commands have always planned static real servers only there)
     * @param notes lines about single objects: invalid specs and what is served instead, this
     *     director's report on each object
     * @param endpoints the views of the Kubernetes Services that specs name, by {@code namespace/name}
     *     (empty in file mode)
     */
    record Desired(String source, Collection<ServiceSpec> services, Collection<ManualDrain> drains,
            Collection<NodeView> nodes, List<String> notes, Map<String, ServiceEndpointsView> endpoints) {
        Desired {
            services = List.copyOf(services);
            drains = List.copyOf(drains);
            nodes = List.copyOf(nodes);
            notes = List.copyOf(notes);
            endpoints = Map.copyOf(endpoints);
        }

        static Desired of(FileServiceStore store) {
            return new Desired("state version " + store.version(), store.services(), store.drains(), List.of(),
                    List.of(), Map.of());
        }
    }

    /**
     * @throws StateFileException if the file is missing, corrupt or invalid
     * @throws IllegalStateException if the store is kubernetes and Kubernetes is off, or its
     *     credentials cannot be read
     * @throws LvsServiceSnapshot.ReadException if the API server cannot be reached or refuses
     */
    static Desired desired(LvsDirectorConfiguration config) throws StateFileException {
        if (config.getState().getStore() == StateFactory.Store.kubernetes) {
            return cluster(config);
        }
        return Desired.of(store(config));
    }

    /**
     * @throws StateFileException if the file is missing, corrupt or invalid
     * @throws IllegalStateException if the desired state is not in a local file
     */
    static FileServiceStore store(LvsDirectorConfiguration config) throws StateFileException {
        StateFactory state = config.getState();
        if (state.getStore() != StateFactory.Store.file) {
            throw new IllegalStateException("the desired state is not in a local file (state.store: "
                    + state.getStore() + ")");
        }
        if (!Files.exists(state.getFile())) {
            throw new StateFileException(state.getFile(), "state file does not exist"
                    + (state.isCreateIfMissing() ? " yet (the server creates it empty at its first start)" : ""));
        }
        return FileServiceStore.load(state.getFile(), DirectorBuilder.mapper(config), false);
    }

    private static Desired cluster(LvsDirectorConfiguration config) {
        K8sSyncConfig k8s = config.getKubernetes().buildSyncConfig();
        if (!k8s.enabled()) {
            throw new IllegalStateException("state.store: kubernetes needs kubernetes.mode in-cluster or kubeconfig");
        }
        String director = config.getKubernetes().buildDirectorName();
        LvsServiceSnapshot snap = LvsServiceSnapshot.read(k8s, DirectorBuilder.mapper(config),
                config.getKubernetes().buildLbConfig().orElse(null), DirectorBuilder.specRule(config));
        List<String> notes = new ArrayList<>();
        for (LvsServiceStore.ObjectState o : snap.objects()) {
            if (o.error() != null) {
                // As the server at a start: the last valid spec a director recorded is served.
                notes.add("invalid LvsService " + o.name() + " (generation " + o.generation() + "): "
                        + o.error().getMessage() + (o.served() != null
                                ? "; serving generation " + o.servedGeneration() + " from status.lastValidSpec"
                                : "; not served (no valid generation recorded)"));
            }
            DirectorReport r = LvsStatus.reportOf(o.status(), director);
            if (r != null) {
                notes.add("LvsService " + o.name() + " generation " + o.generation() + ": " + director
                        + " reported generation " + r.observedGeneration() + " " + r.reason()
                        + (r.message().isEmpty() ? "" : " (" + r.message() + ")"));
            }
        }
        long lb = snap.services().stream().filter(s -> s.name().startsWith("lb..")).count();
        String source = snap.objects().size() + " LvsService objects from " + snap.apiServer() + " ("
                + (snap.services().size() - lb) + " served, " + snap.invalid().size() + " invalid)"
                + (config.getKubernetes().buildLbConfig().isPresent() ? " and " + lb + " LoadBalancer services" : "")
                + ", director " + director;
        return new Desired(source, snap.services(), snap.drains(), snap.nodes(), notes, snap.endpoints());
    }
}
