package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.ValidationMethod;
import io.lvsdirector.spec.AddressType;
import io.lvsdirector.k8s.DirectorNames;
import io.lvsdirector.k8s.K8sSyncConfig;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;

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
            + " DNS name")
    public boolean isValid() {
        try {
            buildSyncConfig();
            buildDirectorName();
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
