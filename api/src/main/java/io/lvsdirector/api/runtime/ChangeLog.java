package io.lvsdirector.api.runtime;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.core.status.RealServerReport;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.IpAddresses;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per real-server change, after each reconcile pass:
 * {@code event=real_server_changed service=web real_server=198.18.0.21:80 weight=1->0
 * disposition=active->draining health=healthy->draining reason="draining: 503"} ({@code out} for a weight:
 * not in the kernel). Compares the loop's
 * status with the one after the previous pass; a pass that changed nothing logs nothing.
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
    private Map<Key, RealServerReport> previous = Map.of();

    public ChangeLog(Measurements next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    /** Where the status after each pass is read (the loop, created after this object). */
    public void follow(Supplier<DirectorStatus> source) {
        this.status = Objects.requireNonNull(source, "source");
    }

    @Override
    public void passCompleted(Duration duration, boolean ok) {
        try {
            DirectorStatus s = status.get();
            if (s != null && s.waitingFor().isEmpty()) {
                previous = compare(previous, s);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=change_log_failed error=\"{}\"", e.toString());
        }
        next.passCompleted(duration, ok);
    }

    static Map<Key, RealServerReport> compare(Map<Key, RealServerReport> before, DirectorStatus now) {
        Map<Key, RealServerReport> current = new HashMap<>();
        for (ServiceStatus svc : now.services()) {
            for (RealServerReport d : svc.realServers()) {
                Key k = new Key(svc.name(), IpAddresses.toText(d.address()), d.port());
                current.put(k, d);
                RealServerReport old = before.get(k);
                if (old == null) {
                    LOG.info("event=real_server_changed service={} real_server={} weight=out->{} disposition=new->{}"
                            + " health=new->{} reason=\"{}\"", k.service(), IpAddresses.toText(d.address(), d.port()),
                            w(d.kernelWeight()), lower(d.disposition()), lower(d.health()), d.reason());
                } else if (!Objects.equals(old.kernelWeight(), d.kernelWeight())
                        || old.disposition() != d.disposition() || old.health() != d.health()) {
                    LOG.info("event=real_server_changed service={} real_server={} weight={}->{} disposition={}->{}"
                            + " health={}->{} reason=\"{}\"", k.service(), IpAddresses.toText(d.address(), d.port()),
                            w(old.kernelWeight()), w(d.kernelWeight()), lower(old.disposition()),
                            lower(d.disposition()), lower(old.health()), lower(d.health()), d.reason());
                }
            }
        }
        for (Map.Entry<Key, RealServerReport> e : before.entrySet()) {
            if (!current.containsKey(e.getKey())) {
                LOG.info("event=real_server_changed service={} real_server={} weight={}->out disposition={}->gone"
                        + " reason=\"no longer a candidate\"", e.getKey().service(),
                        IpAddresses.toText(e.getValue().address(), e.getValue().port()),
                        w(e.getValue().kernelWeight()), lower(e.getValue().disposition()));
            }
        }
        return current;
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
