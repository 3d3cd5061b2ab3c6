package io.lvsdirector.api.runtime;

import io.lvsdirector.api.state.DesiredStateStore;
import io.lvsdirector.core.ecmp.EcmpAnnouncer;
import io.lvsdirector.core.ecmp.ServiceInput;
import io.lvsdirector.core.ecmp.VipRange;
import io.lvsdirector.core.ha.DaemonView;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.SyncDaemonReader;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.HealthSource;
import io.lvsdirector.core.kernel.SchedulerCatalog;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.loop.OwnershipStore;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.core.model.EndpointSource;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.plan.Disposition;
import io.lvsdirector.core.plan.VipPaths;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.spec.ServiceSpecJson;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running director: the kernel table, the desired state, the node source, the health board
 * and the one reconcile loop, put together once and shared by the REST resources, the metrics, the
 * health check and the commands. Nothing here knows Dropwizard; {@link DirectorBuilder} builds it
 * from the configuration.
 *
 * <p>Thread-safe: every part is. {@link #start()} and {@link #close()} are called once each, by the
 * lifecycle.
 */
public final class Director implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Director.class);

    private final Ipvs ipvs;
    private final DesiredStateStore store;
    private final NodeSource nodes;
    private final HealthSource health;
    private final ServiceSpecJson mapper;
    private final LoopSettings settings;
    private final ReconcileLoop loop;
    private final SchedulerCatalog schedulers;
    private final Clock clock;
    private final List<AutoCloseable> closeables;
    private final SyncDaemonReader daemons;
    private volatile EcmpAnnouncer ecmp;
    private volatile List<VipRange> ecmpRanges = List.of();

    /**
     * @param ipvs the kernel table (closed with the director)
     * @param store the desired services and drains
     * @param nodes the Kubernetes nodes (an empty synced source without Kubernetes)
     * @param health the probe results the loop reads
     * @param mapper the service JSON mapping
     * @param measurements where the loop counts passes and ops
     * @param clock wall clock
     * @param settings loop timing
     * @param closeables what else to close on {@link #close()} (probes, informers), closed in order
     *     before the kernel connection
     */
    public Director(Ipvs ipvs, DesiredStateStore store, NodeSource nodes, HealthSource health, ServiceSpecJson mapper,
            Measurements measurements, Clock clock, LoopSettings settings, List<AutoCloseable> closeables) {
        this(ipvs, store, nodes, health, mapper, measurements, clock, settings, closeables, OwnershipStore.inMemory());
    }

    /**
     * @param ownership where the loop keeps which kernel services the director owns
     */
    public Director(Ipvs ipvs, DesiredStateStore store, NodeSource nodes, HealthSource health, ServiceSpecJson mapper,
            Measurements measurements, Clock clock, LoopSettings settings, List<AutoCloseable> closeables,
            OwnershipStore ownership) {
        this(ipvs, store, nodes, EndpointSource.NONE, health, mapper, measurements, clock, settings, closeables,
                ownership, VipPaths.Marks.DEFAULT);
    }

    /**
     * @param endpoints the Kubernetes Services that {@code realServers.kubernetes.service} specs name
     */
    public Director(Ipvs ipvs, DesiredStateStore store, NodeSource nodes, EndpointSource endpoints, HealthSource health,
            ServiceSpecJson mapper, Measurements measurements, Clock clock, LoopSettings settings,
            List<AutoCloseable> closeables, OwnershipStore ownership) {
        this(ipvs, store, nodes, endpoints, health, mapper, measurements, clock, settings, closeables, ownership,
                VipPaths.Marks.DEFAULT);
    }

    /**
     * @param probeMarks the firewall marks reserved for probes via a VIP
     */
    public Director(Ipvs ipvs, DesiredStateStore store, NodeSource nodes, HealthSource health, ServiceSpecJson mapper,
            Measurements measurements, Clock clock, LoopSettings settings, List<AutoCloseable> closeables,
            OwnershipStore ownership, VipPaths.Marks probeMarks) {
        this(ipvs, store, nodes, EndpointSource.NONE, health, mapper, measurements, clock, settings, closeables,
                ownership, probeMarks);
    }

    /**
     * @param endpoints the Kubernetes Services that {@code realServers.kubernetes.service} specs name
     * @param probeMarks the firewall marks reserved for probes via a VIP
     */
    public Director(Ipvs ipvs, DesiredStateStore store, NodeSource nodes, EndpointSource endpoints, HealthSource health,
            ServiceSpecJson mapper, Measurements measurements, Clock clock, LoopSettings settings,
            List<AutoCloseable> closeables, OwnershipStore ownership, VipPaths.Marks probeMarks) {
        this.ipvs = Objects.requireNonNull(ipvs, "ipvs");
        this.store = Objects.requireNonNull(store, "store");
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.health = Objects.requireNonNull(health, "health");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.closeables = new ArrayList<>(closeables);
        this.loop = new ReconcileLoop(ipvs, store, nodes, endpoints, health, store, measurements, clock, settings,
                ownership, probeMarks);
        // Every director knows which schedulers its kernel has; the loop asks the kernel for it, as it
        // is the kernel's only reader.
        this.schedulers = new SchedulerCatalog(ServiceSpecJson.KERNEL_SCHEDULERS, clock,
                SchedulerCatalog.DEFAULT_INTERVAL);
        loop.addTask(schedulers);
        // The sync daemons are read on the loop's thread too, for /v1/ha and /metrics without HA (with
        // HA on, keepSyncDaemons hands them to the controller, which publishes what it reads). A tiny
        // dump: on every pass.
        this.daemons = new SyncDaemonReader(clock, Duration.ZERO);
        loop.addTask(daemons);
    }

    /** A director with a health board that reports by hand: for tests and one-shot commands. */
    public static Director withManualHealth(Ipvs ipvs, DesiredStateStore store, NodeSource nodes,
            ServiceSpecJson mapper, Measurements measurements, LoopSettings settings) {
        return new Director(ipvs, store, nodes, HealthBoard.manual(), mapper, measurements, Clock.systemUTC(),
                settings, List.of());
    }

    /** Starts the reconcile loop, which makes its first pass at once. */
    public void start() {
        LOG.info("event=director_start services={} resync_ms={}", store.services().size(),
                settings.resyncInterval().toMillis());
        loop.start();
    }

    /**
     * Runs the ecmp mode's announcer: after every pass, it decides from the status the pass published.
     * Call before {@link #start()}; the caller starts and closes it (before the loop stops, so a clean
     * stop withdraws every VIP first).
     */
    public void announceVips(EcmpAnnouncer announcer, List<VipRange> ranges) {
        this.ecmp = Objects.requireNonNull(announcer, "announcer");
        this.ecmpRanges = List.copyOf(ranges);
        loop.addPassListener(announcer::request);
    }

    /** The ecmp announcer, empty when the mode is off. */
    public Optional<EcmpAnnouncer> ecmp() {
        return Optional.ofNullable(ecmp);
    }

    /** The ecmp mode's VIP ranges, empty when the mode is off. */
    public List<VipRange> ecmpRanges() {
        return ecmpRanges;
    }

    /**
     * What the announcer decides from: the loop's health (as {@code /healthcheck} judges it) and each
     * service's state in the last pass's status, with its scheduler from the spec. A service is below
     * quorum here when fewer than {@code max(1, minHealthy)} of its real servers are in the kernel with a
     * weight, healthy or (after a restart) not probed yet. Any thread.
     */
    public EcmpAnnouncer.Inputs ecmpInputs() {
        var health = new DataPlaneHealthCheck(this).execute();
        String problem = health.isHealthy() ? null : health.getMessage();
        java.util.Map<String, String> schedulers = new java.util.HashMap<>();
        for (var spec : store.services()) {
            schedulers.put(spec.name(), spec.service().scheduler());
        }
        List<ServiceInput> inputs = new ArrayList<>();
        for (ServiceStatus s : loop.status().services()) {
            String scheduler = schedulers.get(s.name());
            if (scheduler == null) {
                continue; // deleted since the pass: the next pass's status drops it
            }
            // Serving means in the kernel with weight: a server not probed yet, or kept in by fail-open or
            // as the sorry server, takes no flow a router should send here.
            long serving = s.realServers().stream().filter(r -> r.kernelWeight() != null && r.kernelWeight() > 0
                    && (r.disposition() == Disposition.ACTIVE || r.disposition() == Disposition.UNKNOWN)).count();
            boolean below = s.allDown() || serving < Math.max(1, s.minHealthy());
            inputs.add(new ServiceInput(s.name(), s.key().address(), scheduler, s.inKernel(), s.applyError() != null,
                    below));
        }
        return new EcmpAnnouncer.Inputs(problem, inputs);
    }

    /**
     * The kernel connection. Only the loop's thread and one-shot commands use it: request threads
     * read the views the loop publishes ({@link ReconcileLoop#kernelView()}, {@link #daemons()}).
     */
    public Ipvs ipvs() {
        return ipvs;
    }

    /**
     * Hands the sync daemons to the HA controller: it runs on the loop's thread at every pass, reads
     * the daemons and publishes them ({@link HaController#daemonView()}), so the director's own reader
     * stops and {@link #daemons()} is empty from then on. Call before {@link #start()}.
     */
    public void keepSyncDaemons(HaController ha) {
        loop.addTask(Objects.requireNonNull(ha, "ha"));
        daemons.stop();
    }

    /**
     * The kernel's sync daemons as the loop's thread last read them, without HA; empty before its first
     * pass and with HA on (see {@link #keepSyncDaemons}).
     */
    public Optional<DaemonView> daemons() {
        return daemons.view();
    }

    public DesiredStateStore store() {
        return store;
    }

    public NodeSource nodes() {
        return nodes;
    }

    public HealthSource health() {
        return health;
    }

    public ServiceSpecJson mapper() {
        return mapper;
    }

    public ReconcileLoop loop() {
        return loop;
    }

    /** Which schedulers the running kernel has, as the loop last probed. */
    public SchedulerCatalog schedulers() {
        return schedulers;
    }

    public LoopSettings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    /** Stops the loop (leaving the kernel table as it is), then the probes and informers, then the socket. */
    @Override
    public void close() {
        loop.close();
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("event=close_failed what={} error=\"{}\"", c.getClass().getSimpleName(), e.toString());
            }
        }
        try {
            ipvs.close();
        } catch (Exception e) {
            LOG.warn("event=close_failed what=ipvs error=\"{}\"", e.toString());
        }
        LOG.info("event=director_stopped");
    }
}
