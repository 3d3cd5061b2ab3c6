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
 *     status writes, the conflict check)
 */
public record LbConfig(String className, boolean defaultImplementation, List<AddressPool> pools, String scheduler,
        Duration interval) {

    public static final String DEFAULT_CLASS = "lvsdirector.io/ipvs";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

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
    }

    /** Our class only, no config pools, the {@code wrr} scheduler. */
    public static LbConfig defaults() {
        return new LbConfig(null, false, List.of(), null, null);
    }

    public LbConfig withPools(List<AddressPool> newPools) {
        return new LbConfig(className, defaultImplementation, newPools, scheduler, interval);
    }

    public LbConfig withDefaultImplementation(boolean isDefault) {
        return new LbConfig(className, isDefault, pools, scheduler, interval);
    }

    public LbConfig withInterval(Duration newInterval) {
        return new LbConfig(className, defaultImplementation, pools, scheduler, newInterval);
    }
}
