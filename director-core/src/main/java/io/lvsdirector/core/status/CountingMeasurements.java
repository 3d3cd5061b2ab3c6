package io.lvsdirector.core.status;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeTarget;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link Measurements} kept as plain counters in memory: for tests, benchmarks and a process
 * without an exporter. Thread-safe.
 */
public final class CountingMeasurements implements Measurements {

    private final LongAdder passes = new LongAdder();
    private final LongAdder failedPasses = new LongAdder();
    private final LongAdder passNanos = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> ops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> failedOps = new ConcurrentHashMap<>();
    private final LongAdder probes = new LongAdder();
    private final LongAdder failedProbes = new LongAdder();
    private final LongAdder probeNanos = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> transitions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> allDown = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> applyFailures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Boolean> inStep = new ConcurrentHashMap<>();

    @Override
    public void passCompleted(Duration duration, boolean ok) {
        passes.increment();
        passNanos.add(duration.toNanos());
        if (!ok) {
            failedPasses.increment();
        }
    }

    @Override
    public void opApplied(String kind, boolean ok) {
        (ok ? ops : failedOps).computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    @Override
    public void probeCompleted(ProbeTarget target, Duration latency, boolean ok) {
        probes.increment();
        probeNanos.add(latency.toNanos());
        if (!ok) {
            failedProbes.increment();
        }
    }

    @Override
    public void healthTransition(ProbeTarget target, HealthState from, HealthState to) {
        transitions.computeIfAbsent(from + "->" + to, k -> new LongAdder()).increment();
    }

    @Override
    public void allDown(String service, String policy, boolean active) {
        if (active) {
            allDown.put(service, policy);
        } else {
            allDown.remove(service);
        }
    }

    @Override
    public void applyFailed(String service, String kind, String errno) {
        applyFailures.computeIfAbsent(service + " " + kind + " " + errno, k -> new LongAdder()).increment();
    }

    @Override
    public void serviceInStep(String service, boolean step) {
        inStep.put(service, step);
    }

    @Override
    public void serviceGone(String service) {
        inStep.remove(service);
    }

    /** Refused ops by "SERVICE KIND ERRNO". */
    public Map<String, Long> applyFailures() {
        return sums(applyFailures);
    }

    /** Whether each desired service is in step, as last reported. */
    public Map<String, Boolean> inStep() {
        return Map.copyOf(inStep);
    }

    public long passes() {
        return passes.sum();
    }

    public long failedPasses() {
        return failedPasses.sum();
    }

    public Duration totalPassTime() {
        return Duration.ofNanos(passNanos.sum());
    }

    /** Successful ops by kind. */
    public Map<String, Long> ops() {
        return sums(ops);
    }

    /** Failed ops by kind. */
    public Map<String, Long> failedOps() {
        return sums(failedOps);
    }

    public long probes() {
        return probes.sum();
    }

    public long failedProbes() {
        return failedProbes.sum();
    }

    public Duration totalProbeTime() {
        return Duration.ofNanos(probeNanos.sum());
    }

    /** Transitions by "FROM->TO". */
    public Map<String, Long> transitions() {
        return sums(transitions);
    }

    /** Services whose all-down policy is in force, with the policy. */
    public Map<String, String> allDownServices() {
        return Map.copyOf(allDown);
    }

    private static Map<String, Long> sums(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
