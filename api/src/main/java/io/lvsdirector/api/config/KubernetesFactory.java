package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.ValidationMethod;
import io.lvsdirector.spec.AddressType;
import io.lvsdirector.k8s.DirectorNames;
import io.lvsdirector.k8s.K8sSyncConfig;
import io.lvsdirector.k8s.lb.AddressPool;
import io.lvsdirector.k8s.lb.LbConfig;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code kubernetes:} where node-selected real servers come from. Off by default: a director with
 * static real servers needs no cluster.
 *
 * <pre>
 * kubernetes:
 *   mode: none             # none | in-cluster | kubeconfig
 *   kubeconfig: null       # mode: kubeconfig only
 *   resyncPeriod: 5m
 *   notReadyGrace: 40s
 *   addressType: InternalIP   # InternalIP | ExternalIP
 *   directorName: null     # name in LvsService status (state.store: kubernetes); default: host name
 *   loadBalancer:          # LoadBalancer Services (needs state.store: kubernetes)
 *     enabled: false
 *     className: lvsdirector.io/ipvs
 *     defaultImplementation: false   # also Services with no loadBalancerClass
 *     scheduler: wrr
 *     pools:               # beside the LvsAddressPool objects
 *       - {name: edge, addresses: [198.18.0.0/28], autoAssign: true}
 * </pre>
 */
public class KubernetesFactory {

    /** Credentials source ({@code none}, {@code in-cluster}, {@code kubeconfig}). Default {@code none}. */
    @NotNull
    @JsonProperty
    private String mode = "none";

    /** The kubeconfig file for {@code mode: kubeconfig}. */
    @JsonProperty
    private Path kubeconfig;

    /** How often the informers re-deliver every cached node, so a lost event heals; 0 disables. */
    @NotNull
    @JsonProperty
    private Duration resyncPeriod = Duration.minutes(5);

    /** How long a node whose Ready condition left True still counts as ready (kubelet blips). */
    @NotNull
    @JsonProperty
    private Duration notReadyGrace = Duration.seconds(40);

    /** Which node address real servers use; the other type is the fallback. */
    @NotNull
    @JsonProperty
    private String addressType = "InternalIP";

    /**
     * This director's name in the {@code LvsService} status ({@code status.directors[].name}); the two
     * directors of a pair must differ. Unset: the host name, lower-cased.
     */
    @JsonProperty
    private String directorName;

    /** {@code loadBalancer:} the LoadBalancer controller. Off by default. */
    @NotNull
    @JsonProperty
    private LoadBalancer loadBalancer = new LoadBalancer();

    /** {@code kubernetes.loadBalancer}: see the class comment. */
    public static class LoadBalancer {
        /** Whether this director implements LoadBalancer Services of {@code className}. */
        @JsonProperty
        public boolean enabled;

        /** The {@code spec.loadBalancerClass} it implements. */
        @NotNull
        @JsonProperty
        public String className = LbConfig.DEFAULT_CLASS;

        /** Whether it also takes LoadBalancer Services with no class (one implementation per cluster may). */
        @JsonProperty
        public boolean defaultImplementation;

        /** The IPVS scheduler of the generated services. */
        @NotNull
        @JsonProperty
        public String scheduler = "wrr";

        /** Address pools from the config. */
        @NotNull
        @JsonProperty
        public List<Pool> pools = List.of();

        /** The namespace of the pair's Lease (one allocating writer): the directors' own; RBAC grants it there. */
        @NotNull
        @JsonProperty
        public String leaseNamespace = LbConfig.DEFAULT_LEASE_NAMESPACE;

        /** How long a silent holder keeps the Lease before the peer takes over (at least 1s). */
        @NotNull
        @JsonProperty
        public Duration leaseDuration = Duration.seconds(LbConfig.DEFAULT_LEASE_DURATION.toSeconds());
    }

    /** One config pool: CIDRs or {@code first-last} ranges. */
    public static class Pool {
        @JsonProperty
        public String name;

        @JsonProperty
        public List<String> addresses = List.of();

        @JsonProperty
        public boolean autoAssign = true;
    }

    public LoadBalancer getLoadBalancer() {
        return loadBalancer;
    }

    public void setLoadBalancer(LoadBalancer loadBalancer) {
        this.loadBalancer = loadBalancer;
    }

    /**
     * The LoadBalancer controller's configuration, or empty when it is off.
     *
     * @throws IllegalArgumentException for a bad pool, scheduler or class
     */
    public Optional<LbConfig> buildLbConfig() {
        if (!loadBalancer.enabled) {
            return Optional.empty();
        }
        if (!loadBalancer.scheduler.matches("[a-z][a-z0-9]{0,14}")) {
            throw new IllegalArgumentException("not a scheduler name: " + loadBalancer.scheduler);
        }
        if (loadBalancer.className.isBlank()) {
            throw new IllegalArgumentException("loadBalancer.className must not be empty");
        }
        List<AddressPool> pools = new ArrayList<>();
        for (Pool p : loadBalancer.pools) {
            pools.add(AddressPool.parse(p.name == null ? "" : p.name, p.addresses, p.autoAssign));
        }
        return Optional.of(new LbConfig(loadBalancer.className, loadBalancer.defaultImplementation, pools,
                loadBalancer.scheduler, null, loadBalancer.leaseNamespace, LbConfig.DEFAULT_LEASE_NAME,
                loadBalancer.leaseDuration.toJavaDuration()));
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    public String getDirectorName() {
        return directorName;
    }

    public void setDirectorName(String directorName) {
        this.directorName = directorName;
    }

    /** The configured director name, or this host's (see {@link DirectorNames#hostDefault()}). */
    public String buildDirectorName() {
        return directorName == null ? DirectorNames.hostDefault() : DirectorNames.check(directorName);
    }

    @JsonIgnore
    @ValidationMethod(message = "kubernetes: mode must be none, in-cluster or kubeconfig (with kubeconfig set);"
            + " addressType InternalIP or ExternalIP; resyncPeriod 0 or at least 1s; directorName a lower-case"
            + " DNS name; loadBalancer pools CIDRs or ranges of unicast addresses with unique DNS names, leaseDuration"
            + " at least 1s")
    public boolean isValid() {
        try {
            buildSyncConfig();
            buildDirectorName();
            buildLbConfig();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The k8s-sync configuration.
     *
     * @throws IllegalArgumentException for an unknown mode or address type, or a missing kubeconfig
     */
    public K8sSyncConfig buildSyncConfig() {
        K8sSyncConfig.Mode m = switch (mode) {
            case "none" -> K8sSyncConfig.Mode.OFF;
            case "in-cluster" -> K8sSyncConfig.Mode.IN_CLUSTER;
            case "kubeconfig" -> K8sSyncConfig.Mode.KUBECONFIG;
            default -> throw new IllegalArgumentException("unknown kubernetes mode " + mode);
        };
        return new K8sSyncConfig(m, m == K8sSyncConfig.Mode.KUBECONFIG ? kubeconfig : null,
                resyncPeriod.toJavaDuration(), notReadyGrace.toJavaDuration(), AddressType.parse(addressType));
    }
}
