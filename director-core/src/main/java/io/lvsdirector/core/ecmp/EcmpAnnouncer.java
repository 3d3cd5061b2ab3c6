package io.lvsdirector.core.ecmp;

import io.lvsdirector.ipvs.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of the announce interface (rule in {@link AnnouncePlanner}, contract in
 * {@link VipInterface}). Runs on its own thread: after every reconcile pass ({@link #request}, coalesced),
 * and every {@link EcmpSettings#recheckInterval} (which also asks BIRD for its sessions and puts back an
 * address removed by hand). {@link #close()} withdraws every VIP before it returns: a clean stop leaves
 * nothing announced, and the kernel's IPVS table (never flushed) keeps forwarding the flows already
 * routed here while the router converges.
 *
 * <p>Thread-safe: {@link #request}, {@link #status} and {@link #close} from any thread.
 */
public final class EcmpAnnouncer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EcmpAnnouncer.class);

    /** What the announcer reads of the director, each run. */
    public record Inputs(String loopProblem, Collection<ServiceInput> services) {}

    private final EcmpSettings settings;
    private final VipInterface vips;
    private final BirdControl bird;
    private final Supplier<Inputs> inputs;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Object runLock = new Object();
    // Guarded by runLock.
    private final Map<InetAddress, Instant> since = new HashMap<>();
    private final Map<InetAddress, Boolean> lastAnnounced = new HashMap<>();
    private boolean ensured;
    // The interface's addresses as the last successful run left them; null: read them.
    private List<InetAddress> known;
    private final Map<String, Long> transitions = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile EcmpStatus status;
    private volatile BirdView birdView;

    /**
     * @param bird BIRD's control socket, or {@code null} to not ask it
     * @param inputs read on the announcer's thread; must not block
     */
    public EcmpAnnouncer(EcmpSettings settings, VipInterface vips, BirdControl bird, Supplier<Inputs> inputs,
            Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.vips = Objects.requireNonNull(vips, "vips");
        this.bird = bird;
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.status = new EcmpStatus(vips.name(), new TreeMap<>(IpAddresses::compare), null, Map.of(), null, null,
                null);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ecmp-announcer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic run (the first at once). */
    public void start() {
        long every = settings.recheckInterval().toMillis();
        thread.scheduleWithFixedDelay(() -> {
            askBird();
            runSafely(true);
        }, 0, every, TimeUnit.MILLISECONDS);
        LOG.info("event=ecmp_started interface={} ranges={} recheck_ms={} bird_socket={}", vips.name(),
                settings.ranges(), every, bird == null ? "none" : bird.socket());
    }

    /** Asks for a run soon (after a reconcile pass). Never blocks; requests coalesce. */
    public void request() {
        if (requested.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    requested.set(false);
                    runSafely(false);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                requested.set(false); // closed
            }
        }
    }

    public EcmpStatus status() {
        return status;
    }

    /** Announced/withdrawn transitions so far, keyed {@code VIP|announced} or {@code VIP|withdrawn}. */
    public Map<String, Long> transitions() {
        return Map.copyOf(transitions);
    }

    private void askBird() {
        if (bird != null) {
            BirdView before = birdView;
            BirdView now = bird.showProtocols();
            birdView = now;
            if (before == null || before.reachable() != now.reachable()) {
                if (now.reachable()) {
                    LOG.info("event=bird_reachable socket={} bgp_sessions={}", bird.socket(), now.bgp().size());
                } else {
                    LOG.warn("event=bird_unreachable socket={} error=\"{}\"", bird.socket(), now.error());
                }
            }
            if (before != null && now.reachable()) {
                for (BirdProtocol p : now.bgp()) {
                    before.bgp().stream().filter(b -> b.name().equals(p.name()) && !b.state().equals(p.state()))
                            .findFirst().ifPresent(b -> LOG.info("event=bgp_session_changed protocol={} state={}->{}"
                                    + " info=\"{}\"", p.name(), b.state(), p.state(), p.info()));
                }
            }
        }
    }

    private void runSafely(boolean read) {
        try {
            runOnce(read);
        } catch (RuntimeException e) {
            LOG.warn("event=ecmp_run_failed error=\"{}\"", e.toString(), e);
        }
    }

    /** A run that reads the interface first. Package-private for tests. */
    void runOnce() {
        runOnce(true);
    }

    /**
     * One run: decide, apply the difference to the interface, publish. {@code read}: read the interface's
     * addresses first (the periodic run, which also puts back what someone changed by hand); otherwise
     * trust what the last run left, so a withdrawal after a pass costs one {@code ip} process, not three.
     */
    void runOnce(boolean read) {
        synchronized (runLock) {
            boolean stop = stopping.get();
            Inputs in = stop ? new Inputs(null, List.of()) : inputs.get();
            SortedMap<InetAddress, Announcement> decisions = AnnouncePlanner.decide(settings.ranges(),
                    in.loopProblem(), stop, in.services());
            Set<InetAddress> wanted = stop ? Set.of() : AnnouncePlanner.wanted(decisions);
            String error = null;
            List<InetAddress> after = null;
            try {
                if (!ensured) {
                    vips.ensure();
                    ensured = true;
                }
                List<InetAddress> have = read || known == null ? vips.addresses() : known;
                known = null; // unknown until the ops below all succeed
                List<VipOp> ops = AnnouncePlanner.plan(wanted, have);
                for (VipOp op : ops) {
                    apply(op, decisions.get(op.vip()));
                }
                after = ops.isEmpty() ? have : List.copyOf(wanted);
                known = after;
            } catch (IOException e) {
                error = e.getMessage();
                LOG.warn("event=ecmp_interface_failed interface={} error=\"{}\"", vips.name(), error);
            }
            Instant now = clock.instant();
            for (Announcement a : decisions.values()) {
                Boolean was = lastAnnounced.put(a.vip(), a.announced());
                if (was == null || was != a.announced()) {
                    since.put(a.vip(), now);
                }
            }
            lastAnnounced.keySet().retainAll(decisions.keySet());
            since.keySet().retainAll(decisions.keySet());
            status = new EcmpStatus(vips.name(), decisions, after, since, error, birdView, now);
        }
    }

    private void apply(VipOp op, Announcement why) throws IOException {
        String vip = IpAddresses.toText(op.vip());
        String reason = why == null ? "not_a_vip" : why.reason().label();
        String service = why == null || why.service() == null ? "-" : why.service();
        if (op instanceof VipOp.Add) {
            vips.add(op.vip());
            transitions.merge(vip + "|announced", 1L, Long::sum);
            LOG.info("event=vip_announced vip={} interface={}", vip, vips.name());
        } else {
            vips.remove(op.vip());
            transitions.merge(vip + "|withdrawn", 1L, Long::sum);
            LOG.info("event=vip_withdrawn vip={} interface={} reason={} service={}", vip, vips.name(), reason,
                    service);
        }
    }

    /** Withdraws every VIP (a clean stop), then stops the thread. */
    @Override
    public void close() {
        // Once: the server calls it when it begins to stop (the first thing it does) and again as a
        // managed object; the second call finds every VIP withdrawn already.
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runSafely(true);
        LOG.info("event=ecmp_stopped interface={} left={}", vips.name(),
                status.onInterface() == null ? "unknown" : status.onInterface().size());
    }
}
