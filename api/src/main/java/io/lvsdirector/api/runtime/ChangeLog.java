package io.lvsdirector.api.runtime;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.core.status.KernelView;
import io.lvsdirector.core.status.RealServerReport;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per real-server change, after each reconcile pass:
 * {@code event=real_server_changed service=web real_server=198.18.0.21:80 weight=1->0
 * disposition=active->draining health=healthy->draining reason="draining: 503"} ({@code out} for a weight:
 * not in the kernel). Compares the loop's
 * status with the one after the previous pass; a pass that changed nothing logs nothing. The first pass
 * after a start is compared with the kernel as that pass read it ({@link #baseline}). Each line's fields
 * are also MDC entries while it is logged ({@link LogFields}): a JSON layout carries them as fields.
 *
 * <p>It sits in the {@link Measurements} chain because that is the hook the loop calls after every
 * pass, on the loop's thread; it forwards everything to the next measurements. Thread-safe: the
 * previous view is touched only in {@link #passCompleted}, which the one loop thread calls.
 */
public final class ChangeLog implements Measurements {

    private static final Logger LOG = LoggerFactory.getLogger("io.lvsdirector.changes");

    private record Key(String service, String address, int port) {}

    private final Measurements next;
    private volatile Supplier<DirectorStatus> status = () -> null;
    private volatile Supplier<Optional<KernelView>> kernel = Optional::empty;
    // null until the first full view after start: that one is compared with the kernel as it was read.
    private Map<Key, RealServerReport> previous;

    public ChangeLog(Measurements next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    /**
     * @param source where the status after each pass is read (the loop, created after this object)
     * @param kernelRead the kernel table as the pass last read it, before it applied anything; the first
     *     view after a start is compared with it, so a restart that changes nothing logs nothing
     */
    public void follow(Supplier<DirectorStatus> source, Supplier<Optional<KernelView>> kernelRead) {
        this.status = Objects.requireNonNull(source, "source");
        this.kernel = Objects.requireNonNull(kernelRead, "kernelRead");
    }

    @Override
    public void passCompleted(Duration duration, boolean ok) {
        try {
            DirectorStatus s = status.get();
            if (s != null && s.waitingFor().isEmpty()) {
                previous = previous == null ? baseline(s, kernel.get().orElse(null)) : compare(previous, s);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=change_log_failed error=\"{}\"", e.toString());
        }
        next.passCompleted(duration, ok);
    }

    /**
     * The first view after a start. The change log has no view from before the start (the process is new),
     * but the pass read the kernel before applying: a real server whose weight is what the kernel had
     * is no change, whatever its health (every real server is "unknown" until its first probe). Before
     * this, a restart that wrote nothing logged {@code weight=out->1 disposition=new->unknown} for every
     * real server.
     */
    static Map<Key, RealServerReport> baseline(DirectorStatus now, KernelView kernelBefore) {
        if (kernelBefore == null) {
            // No reading to compare with (not expected: the first pass reads the kernel): every one is new.
            return compare(Map.of(), now);
        }
        Map<VirtualServerKey, Map<String, Integer>> had = new HashMap<>();
        for (IpvsSnapshot.Entry e : kernelBefore.snapshot().entries()) {
            Map<String, Integer> weights = had.computeIfAbsent(e.service().key(), k -> new HashMap<>());
            for (RealServerStatus rs : e.realServers()) {
                weights.put(IpAddresses.toText(rs.key().address(), rs.key().port()), rs.spec().weight());
            }
        }
        Map<Key, RealServerReport> current = new HashMap<>();
        int changed = 0;
        for (ServiceStatus svc : now.services()) {
            Map<String, Integer> weights = had.getOrDefault(svc.key(), Map.of());
            for (RealServerReport d : svc.realServers()) {
                Key k = new Key(svc.name(), IpAddresses.toText(d.address()), d.port());
                current.put(k, d);
                String rs = IpAddresses.toText(d.address(), d.port());
                Integer before = weights.get(rs);
                if (!Objects.equals(before, d.kernelWeight())) {
                    changed++;
                    logChange(k.service(), rs, before, d.kernelWeight(), "start", lower(d.disposition()), "start",
                            lower(d.health()), d.reason());
                }
            }
        }
        LOG.info("event=change_log_started real_servers={} changed_at_start={}", current.size(), changed);
        return current;
    }

    static Map<Key, RealServerReport> compare(Map<Key, RealServerReport> before, DirectorStatus now) {
        Map<Key, RealServerReport> current = new HashMap<>();
        for (ServiceStatus svc : now.services()) {
            for (RealServerReport d : svc.realServers()) {
                Key k = new Key(svc.name(), IpAddresses.toText(d.address()), d.port());
                current.put(k, d);
                RealServerReport old = before.get(k);
                String rs = IpAddresses.toText(d.address(), d.port());
                if (old == null) {
                    logChange(k.service(), rs, null, d.kernelWeight(), "new", lower(d.disposition()), "new",
                            lower(d.health()), d.reason());
                } else if (!Objects.equals(old.kernelWeight(), d.kernelWeight())
                        || old.disposition() != d.disposition() || old.health() != d.health()) {
                    logChange(k.service(), rs, old.kernelWeight(), d.kernelWeight(), lower(old.disposition()),
                            lower(d.disposition()), lower(old.health()), lower(d.health()), d.reason());
                }
            }
        }
        for (Map.Entry<Key, RealServerReport> e : before.entrySet()) {
            if (!current.containsKey(e.getKey())) {
                RealServerReport d = e.getValue();
                String rs = IpAddresses.toText(d.address(), d.port());
                try (LogFields f = LogFields.of("event", "real_server_changed", "service", e.getKey().service(),
                        "real_server", rs, "weight_from", w(d.kernelWeight()), "weight_to", "out",
                        "disposition_from", lower(d.disposition()), "disposition_to", "gone",
                        "reason", "no longer a candidate")) {
                    LOG.info("event=real_server_changed service={} real_server={} weight={}->out disposition={}->gone"
                            + " reason=\"no longer a candidate\"", e.getKey().service(), rs, w(d.kernelWeight()),
                            lower(d.disposition()));
                }
            }
        }
        return current;
    }

    private static void logChange(String service, String rs, Integer weightFrom, Integer weightTo,
            String dispositionFrom, String dispositionTo, String healthFrom, String healthTo, String reason) {
        try (LogFields f = LogFields.of("event", "real_server_changed", "service", service, "real_server", rs,
                "weight_from", w(weightFrom), "weight_to", w(weightTo), "disposition_from", dispositionFrom,
                "disposition_to", dispositionTo, "health_from", healthFrom, "health_to", healthTo,
                "reason", reason)) {
            LOG.info("event=real_server_changed service={} real_server={} weight={}->{} disposition={}->{}"
                    + " health={}->{} reason=\"{}\"", service, rs, w(weightFrom), w(weightTo), dispositionFrom,
                    dispositionTo, healthFrom, healthTo, reason);
        }
    }

    private static String w(Integer weight) {
        // "out": not in the kernel table.
        return weight == null ? "out" : weight.toString();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public void opApplied(String kind, boolean ok) {
        next.opApplied(kind, ok);
    }

    @Override
    public void probeCompleted(ProbeTarget target, Duration latency, boolean ok) {
        next.probeCompleted(target, latency, ok);
    }

    @Override
    public void healthTransition(ProbeTarget target, HealthState from, HealthState to) {
        next.healthTransition(target, from, to);
    }

    @Override
    public void allDown(String service, String policy, boolean active) {
        next.allDown(service, policy, active);
    }

    // The per-service methods have no-op defaults in the interface: without these overrides the
    // Prometheus measurements behind this class never see them.
    @Override
    public void applyFailed(String service, String kind, String errno) {
        next.applyFailed(service, kind, errno);
    }

    @Override
    public void serviceInStep(String service, boolean inStep) {
        next.serviceInStep(service, inStep);
    }

    @Override
    public void serviceGone(String service) {
        next.serviceGone(service);
    }
}
