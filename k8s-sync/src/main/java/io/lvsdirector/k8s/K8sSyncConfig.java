package io.lvsdirector.k8s;

import io.lvsdirector.spec.AddressType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a director talks to Kubernetes. The api module maps its YAML section onto this record.
 *
 * @param mode where the credentials come from, or {@link Mode#OFF}
 * @param kubeconfig the kubeconfig file for {@link Mode#KUBECONFIG}; {@code null} otherwise
 * @param resyncPeriod how often the informers re-deliver every cached object, so a lost
 *     notification heals; zero disables it
 * @param notReadyGrace how long a node whose Ready condition left True is still reported ready: a
 *     short NotReady blip (a kubelet restart, a missed heartbeat) then does not pull a node whose
 *     probes still pass. Zero pulls at once.
 * @param addressType which node address is preferred; the other type is the fallback
 */
public record K8sSyncConfig(
        Mode mode,
        Path kubeconfig,
        Duration resyncPeriod,
        Duration notReadyGrace,
        AddressType addressType) {

    /** Where the director's Kubernetes credentials come from. */
    public enum Mode {
        /** The pod's service account token and CA, and {@code KUBERNETES_SERVICE_HOST/PORT}. */
        IN_CLUSTER,
        /** A kubeconfig file (a director running outside the cluster, as on bare-metal edge hosts). */
        KUBECONFIG,
        /** No Kubernetes: static real servers and the local state file only. */
        OFF
    }

    public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);
    public static final Duration DEFAULT_NOT_READY_GRACE = Duration.ofSeconds(40);

    public K8sSyncConfig {
        Objects.requireNonNull(mode, "mode");
        resyncPeriod = resyncPeriod == null ? DEFAULT_RESYNC : resyncPeriod;
        notReadyGrace = notReadyGrace == null ? DEFAULT_NOT_READY_GRACE : notReadyGrace;
        addressType = addressType == null ? AddressType.INTERNAL_IP : addressType;
        if (mode == Mode.KUBECONFIG) {
            Objects.requireNonNull(kubeconfig, "kubeconfig path is required in KUBECONFIG mode");
        } else if (kubeconfig != null) {
            throw new IllegalArgumentException("a kubeconfig path only means something in KUBECONFIG mode");
        }
        if (resyncPeriod.isNegative()) {
            throw new IllegalArgumentException("resync period must not be negative: " + resyncPeriod);
        }
        // fabric8 refuses resync periods under one second; zero means "no resync".
        if (!resyncPeriod.isZero() && resyncPeriod.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("resync period must be 0 or at least 1 s: " + resyncPeriod);
        }
        if (notReadyGrace.isNegative()) {
            throw new IllegalArgumentException("NotReady grace must not be negative: " + notReadyGrace);
        }
    }

    /** Kubernetes off: static real servers only. */
    public static K8sSyncConfig off() {
        return new K8sSyncConfig(Mode.OFF, null, null, null, null);
    }

    /** In-cluster service account, default timings, InternalIP preferred. */
    public static K8sSyncConfig inCluster() {
        return new K8sSyncConfig(Mode.IN_CLUSTER, null, null, null, null);
    }

    /** A kubeconfig file, default timings, InternalIP preferred. */
    public static K8sSyncConfig kubeconfig(Path path) {
        return new K8sSyncConfig(Mode.KUBECONFIG, path, null, null, null);
    }

    public K8sSyncConfig withNotReadyGrace(Duration grace) {
        return new K8sSyncConfig(mode, kubeconfig, resyncPeriod, grace, addressType);
    }

    public K8sSyncConfig withAddressType(AddressType type) {
        return new K8sSyncConfig(mode, kubeconfig, resyncPeriod, notReadyGrace, type);
    }

    public K8sSyncConfig withResyncPeriod(Duration period) {
        return new K8sSyncConfig(mode, kubeconfig, period, notReadyGrace, addressType);
    }

    public boolean enabled() {
        return mode != Mode.OFF;
    }
}
