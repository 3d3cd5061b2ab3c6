package io.lvsdirector.k8s.lb;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the LoadBalancer controller runs. The api module maps its YAML {@code kubernetes.loadBalancer}
 * section onto this record.
 *
 * @param className the {@code spec.loadBalancerClass} this director implements
 * @param defaultImplementation whether it also takes LoadBalancer Services that name no class (only
 *     one implementation in a cluster may)
 * @param pools address pools from the config, used beside the {@code LvsAddressPool} objects (a pool
 *     of the same name as an object is taken from the config)
 * @param scheduler the IPVS scheduler of every generated service
 * @param interval how often the controller looks again even without an event (retries of failed
 *     status writes, the conflict check, the lease's renewal)
 * @param leaseNamespace the namespace of the Lease that elects the pair's one allocating writer (the
 *     directors' own namespace; RBAC grants the Lease there only)
 * @param leaseName the Lease's name
 * @param leaseDuration how long a silent holder keeps the lease before the peer takes over ({@link LbLease})
 */
public record LbConfig(String className, boolean defaultImplementation, List<AddressPool> pools, String scheduler,
        Duration interval, String leaseNamespace, String leaseName, Duration leaseDuration) {

    public static final String DEFAULT_CLASS = "lvsdirector.io/ipvs";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final String DEFAULT_LEASE_NAMESPACE = "lvs-director";
    public static final String DEFAULT_LEASE_NAME = "lvs-director-lb";
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);

    /** With the default Lease ({@code lvs-director/lvs-director-lb}, 15 s). */
    public LbConfig(String className, boolean defaultImplementation, List<AddressPool> pools, String scheduler,
            Duration interval) {
        this(className, defaultImplementation, pools, scheduler, interval, null, null, null);
    }

    public LbConfig {
        className = className == null ? DEFAULT_CLASS : className;
        pools = List.copyOf(pools == null ? List.of() : pools);
        scheduler = scheduler == null ? "wrr" : scheduler;
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (pools.stream().map(AddressPool::name).distinct().count() != pools.size()) {
            throw new IllegalArgumentException("address pool names must be unique");
        }
        Objects.requireNonNull(className);
        leaseNamespace = leaseNamespace == null ? DEFAULT_LEASE_NAMESPACE : leaseNamespace;
        leaseName = leaseName == null ? DEFAULT_LEASE_NAME : leaseName;
        leaseDuration = leaseDuration == null ? DEFAULT_LEASE_DURATION : leaseDuration;
        if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("leaseDuration must be at least 1s: " + leaseDuration);
        }
    }

    /** Our class only, no config pools, the {@code wrr} scheduler. */
    public static LbConfig defaults() {
        return new LbConfig(null, false, List.of(), null, null);
    }

    public LbConfig withPools(List<AddressPool> newPools) {
        return new LbConfig(className, defaultImplementation, newPools, scheduler, interval, leaseNamespace, leaseName, leaseDuration);
    }

    public LbConfig withDefaultImplementation(boolean isDefault) {
        return new LbConfig(className, isDefault, pools, scheduler, interval, leaseNamespace, leaseName, leaseDuration);
    }

    public LbConfig withInterval(Duration newInterval) {
        return new LbConfig(className, defaultImplementation, pools, scheduler, newInterval, leaseNamespace, leaseName, leaseDuration);
    }

    /** Another Lease (tests run two pairs, or shorten the takeover). */
    public LbConfig withLease(String namespace, String name, Duration duration) {
        return new LbConfig(className, defaultImplementation, pools, scheduler, interval, namespace, name, duration);
    }
}
