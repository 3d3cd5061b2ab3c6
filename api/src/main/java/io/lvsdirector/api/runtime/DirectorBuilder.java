package io.lvsdirector.api.runtime;

import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.ecmp.EcmpSchedulerRule;
import io.lvsdirector.api.config.StateFactory;
import io.lvsdirector.api.state.DesiredStateStore;
import io.lvsdirector.api.state.FileOwnershipStore;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.api.state.KubernetesStateStore;
import io.lvsdirector.k8s.lb.LbConfig;
import io.lvsdirector.api.state.StateFileException;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.model.EndpointSource;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.probe.HealthProber;
import io.lvsdirector.core.probe.NettyChecker;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.socket.NetlinkIpvs;
import io.lvsdirector.k8s.K8sSyncConfig;
import io.lvsdirector.k8s.KubernetesSync;
import io.lvsdirector.k8s.LvsServiceStore;
import io.lvsdirector.spec.ServiceSpecJson;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Builds a {@link Director} from the configuration: the order matters. The desired state is loaded
 * first, so a missing or corrupt state file stops the start before the kernel is even opened; then
 * the kernel connection; then Kubernetes (if configured) and the probes.
 */
public final class DirectorBuilder {

    private DirectorBuilder() {
    }

    /** The service JSON mapping for this configuration's address preference. */
    public static ServiceSpecJson mapper(LvsDirectorConfiguration config) {
        return new ServiceSpecJson(config.getKubernetes().buildSyncConfig().addressType());
    }

    /**
     * What an {@code LvsService} spec must pass besides the mapper's checks: the rules of this director's
     * configuration that the REST API applies to a PUT too (the ecmp mode's {@code mh} on announced ranges).
     */
    public static LvsServiceStore.SpecRule specRule(LvsDirectorConfiguration config) {
        return config.getEcmp().isEnabled() ? new EcmpSchedulerRule(config.getEcmp().buildRanges()).asSpecRule()
                : LvsServiceStore.SpecRule.NONE;
    }

    /**
     * Loads the file store.
     *
     * @throws StateFileException as {@link FileServiceStore#load}
     */
    public static FileServiceStore loadFileStore(LvsDirectorConfiguration config) throws StateFileException {
        StateFactory state = config.getState();
        return FileServiceStore.load(state.getFile(), mapper(config), state.isCreateIfMissing());
    }

    /** Opens the IPVS generic-netlink connection in the configured namespace. */
    public static Ipvs openKernel(LvsDirectorConfiguration config) {
        String netns = config.getKernel().getNetns();
        return netns == null ? NetlinkIpvs.open() : NetlinkIpvs.open(netns);
    }

    /**
     * Builds the whole director, probes running, loop not started yet.
     *
     * @param measurements where the loop and the probes report
     * @throws StateFileException if the state file or the owned-services file cannot be loaded (nothing
     *     else was opened then)
     */
    public static Director build(LvsDirectorConfiguration config, Measurements measurements) throws StateFileException {
        ServiceSpecJson mapper = mapper(config);
        K8sSyncConfig k8s = config.getKubernetes().buildSyncConfig();
        List<AutoCloseable> closeables = new ArrayList<>();

        boolean crdStore = config.getState().getStore() == StateFactory.Store.kubernetes;
        if (crdStore && !k8s.enabled()) {
            throw new IllegalStateException("state.store: kubernetes needs kubernetes.mode in-cluster or"
                    + " kubeconfig");
        }
        // The file store loads before any client exists, so a bad state file leaves nothing open.
        FileServiceStore fileStore = crdStore ? null : loadFileStore(config);
        // Ownership is this host's, in either mode; a corrupt owned file stops the start here too.
        FileOwnershipStore ownership = FileOwnershipStore.open(config.getState().getOwnedFile());
        // This process is the files' only writer from here on: what a killed predecessor left goes.
        if (fileStore != null) {
            FileServiceStore.removeLeftoverTemporaryFiles(fileStore.file());
        }
        FileServiceStore.removeLeftoverTemporaryFiles(ownership.file());
        Optional<LbConfig> lb = config.getKubernetes().buildLbConfig();
        if (lb.isPresent() && !crdStore) {
            throw new IllegalStateException("kubernetes.loadBalancer needs state.store: kubernetes (the pair shares"
                    + " its desired state through the cluster)");
        }
        KubernetesSync sync = KubernetesSync.open(k8s);
        // LoadBalancer Services join the LvsService objects as desired services (their own thread
        // allocates and writes statuses; the loop only reads what they publish).
        DesiredStateStore store = crdStore ? new KubernetesStateStore(sync.lvsServiceStore(mapper, specRule(config)),
                lb.map(c -> sync.loadBalancerController(c, config.getKubernetes().buildDirectorName())).orElse(null))
                : fileStore;
        NodeSource nodes = sync.nodeSourceFor(store);
        EndpointSource endpoints = sync.endpointSource();
        closeables.add(sync);

        Ipvs ipvs = openKernel(config);

        Clock clock = Clock.systemUTC();
        NettyChecker checker = NettyChecker.create(config.getProbes().getThreads());
        AtomicReference<HealthProber> prober = new AtomicReference<>();
        HealthBoard board = new HealthBoard(targets -> {
            HealthProber p = prober.get();
            if (p != null) {
                p.setTargets(targets);
            }
        });
        prober.set(HealthProber.create(checker, board, measurements, clock, config.getProbes().renotifyInterval()));
        // Probes stop before their event loops do.
        closeables.add(0, checker);
        closeables.add(0, prober.get());

        Director director = new Director(ipvs, store, nodes, endpoints, board, mapper, measurements, clock,
                config.getKernel().buildLoopSettings(), closeables, ownership, config.getProbes().buildVipMarks());
        // Probes via a VIP take the paths the loop keeps in the kernel.
        checker.useRoutes(director.loop().probeRoutes());
        if (crdStore) {
            // Each director writes its part of every LvsService status from the loop's published
            // status, on its own thread; it stops when the sync (a closeable above) closes.
            sync.startStatusReporter(config.getKubernetes().buildDirectorName(), director.loop()::status);
        }
        return director;
    }
}
