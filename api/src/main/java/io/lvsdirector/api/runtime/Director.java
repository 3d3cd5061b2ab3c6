package io.lvsdirector.api.runtime;

import io.lvsdirector.api.state.DesiredStateStore;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.HealthSource;
import io.lvsdirector.core.kernel.SchedulerCatalog;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.loop.OwnershipStore;
import io.lvsdirector.core.loop.ReconcileLoop;
import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.spec.ServiceSpecJson;
import io.lvsdirector.core.ha.DaemonView;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.SyncDaemonReader;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
        this(ipvs, store, nodes, health, mapper, measurements, clock, settings, closeables, ownership,
                io.lvsdirector.core.plan.VipPaths.Marks.DEFAULT);
    }

    /**
     * @param probeMarks the firewall marks reserved for probes via a VIP
     */
    public Director(Ipvs ipvs, DesiredStateStore store, NodeSource nodes, HealthSource health, ServiceSpecJson mapper,
            Measurements measurements, Clock clock, LoopSettings settings, List<AutoCloseable> closeables,
            OwnershipStore ownership, io.lvsdirector.core.plan.VipPaths.Marks probeMarks) {
        this.ipvs = Objects.requireNonNull(ipvs, "ipvs");
        this.store = Objects.requireNonNull(store, "store");
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.health = Objects.requireNonNull(health, "health");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.closeables = new ArrayList<>(closeables);
        this.loop = new ReconcileLoop(ipvs, store, nodes, health, store, measurements, clock, settings, ownership,
                probeMarks);
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
