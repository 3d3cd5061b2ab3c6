package io.lvsdirector.api.metrics;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.status.Measurements;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * director-core's {@link Measurements} as Prometheus metrics: reconcile passes and their duration,
 * kernel ops by kind, refused changes per service and whether each service is in step (both removed
 * when the service goes), probe latency, health transitions. Thread-safe, lock-free on the hot path
 * (the probe threads call {@link #probeCompleted} for every probe).
 */
public final class PrometheusMeasurements implements Measurements {

    private static final double[] PASS_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
        10, 30};
    private static final double[] PROBE_BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1,
        2, 5};

    private final Histogram passDuration;
    private final Counter passes;
    private final Counter ops;
    private final Histogram probeDuration;
    private final Counter transitions;
    private final Counter applyFailures;
    private final Gauge inStep;
    // The op kinds each service has an apply_failures series for, so serviceGone can remove them.
    private final ConcurrentHashMap<String, Set<String>> failedKinds = new ConcurrentHashMap<>();

    public PrometheusMeasurements(PrometheusRegistry registry) {
        passDuration = Histogram.builder().name("lvs_director_reconcile_duration_seconds")
                .help("Duration of reconcile passes (desired state, kernel read, plan, apply).")
                .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
                .classicOnly().classicUpperBounds(PASS_BUCKETS).register(registry);
        passes = Counter.builder().name("lvs_director_reconcile_passes_total")
                .help("Reconcile passes by result: ok, or failed when any op or the kernel read failed.")
                .labelNames("result").register(registry);
        ops = Counter.builder().name("lvs_director_reconcile_operations_total")
                .help("Kernel operations applied by reconcile passes, by kind (add_service, update_real_server, ...)"
                        + " and result.")
                .labelNames("kind", "result").register(registry);
        probeDuration = Histogram.builder().name("lvs_director_probe_duration_seconds")
                .help("Health probe latency by result (ok, failed).")
                .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
                .classicOnly().classicUpperBounds(PROBE_BUCKETS).labelNames("result").register(registry);
        transitions = Counter.builder().name("lvs_director_health_transitions_total")
                .help("Health state changes of probe targets after rise/fall.")
                .labelNames("from", "to").register(registry);
        applyFailures = Counter.builder().name("lvs_director_apply_failures_total")
                .help("Kernel changes of a service refused by the kernel (or by the director itself), by service and"
                        + " op kind; the other services are reconciled as usual.")
                .labelNames("service", "op").register(registry);
        inStep = Gauge.builder().name("lvs_director_service_in_step")
                .help("1 while the kernel holds the service as desired, 0 while a change of it is refused"
                        + " (see its applyError)")
                .labelNames("service").register(registry);
        // Known label values exist from the start, so a rate() over them is defined before the first failure.
        passes.labelValues("ok");
        passes.labelValues("failed");
    }

    @Override
    public void passCompleted(Duration duration, boolean ok) {
        passDuration.observe(seconds(duration));
        passes.labelValues(ok ? "ok" : "failed").inc();
    }

    @Override
    public void opApplied(String kind, boolean ok) {
        ops.labelValues(kind, ok ? "ok" : "failed").inc();
    }

    @Override
    public void probeCompleted(ProbeTarget target, Duration latency, boolean ok) {
        probeDuration.labelValues(ok ? "ok" : "failed").observe(seconds(latency));
    }

    @Override
    public void healthTransition(ProbeTarget target, HealthState from, HealthState to) {
        transitions.labelValues(from.name().toLowerCase(Locale.ROOT), to.name().toLowerCase(Locale.ROOT)).inc();
    }

    @Override
    public void allDown(String service, String policy, boolean active) {
        // Exported as a gauge from the loop's status at scrape time (DirectorCollector), which stays
        // right across restarts; nothing to count here.
    }

    @Override
    public void applyFailed(String service, String kind, String errno) {
        failedKinds.computeIfAbsent(service, k -> ConcurrentHashMap.newKeySet()).add(kind);
        applyFailures.labelValues(service, kind).inc();
    }

    @Override
    public void serviceInStep(String service, boolean step) {
        inStep.labelValues(service).set(step ? 1 : 0);
    }

    @Override
    public void serviceGone(String service) {
        inStep.remove(service);
        Set<String> kinds = failedKinds.remove(service);
        if (kinds != null) {
            for (String kind : kinds) {
                applyFailures.remove(service, kind);
            }
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
