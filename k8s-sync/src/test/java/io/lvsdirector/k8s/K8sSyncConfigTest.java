package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.lvsdirector.spec.AddressType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class K8sSyncConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAndValidation() {
        K8sSyncConfig c = K8sSyncConfig.inCluster();
        assertThat(c.addressType()).isEqualTo(AddressType.INTERNAL_IP);
        assertThat(c.notReadyGrace()).isEqualTo(K8sSyncConfig.DEFAULT_NOT_READY_GRACE);
        assertThat(c.resyncPeriod()).isEqualTo(K8sSyncConfig.DEFAULT_RESYNC);
        assertThat(K8sSyncConfig.off().enabled()).isFalse();
        assertThatThrownBy(() -> new K8sSyncConfig(K8sSyncConfig.Mode.KUBECONFIG, null, null, null, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new K8sSyncConfig(K8sSyncConfig.Mode.OFF, dir, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withNotReadyGrace(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withResyncPeriod(Duration.ofMillis(500))).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.withResyncPeriod(Duration.ZERO).resyncPeriod()).isZero();
        assertThat(AddressType.parse("ExternalIP")).isEqualTo(AddressType.EXTERNAL_IP);
        assertThat(AddressType.parse("internal_ip")).isEqualTo(AddressType.INTERNAL_IP);
        assertThatThrownBy(() -> AddressType.parse("Hostname")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void offBuildsNoClient() {
        assertThat(KubernetesClients.buildConfig(K8sSyncConfig.off(), Map.of(), dir)).isEmpty();
    }

    @Test
    void inClusterReadsTheServiceAccountAndRereadsTheToken() throws Exception {
        Files.writeString(dir.resolve("token"), "first\n");
        Files.writeString(dir.resolve("ca.crt"), "");
        Config c = KubernetesClients.buildConfig(K8sSyncConfig.inCluster(),
                Map.of("KUBERNETES_SERVICE_HOST", "fd00::1", "KUBERNETES_SERVICE_PORT", "6443"), dir).orElseThrow();
        assertThat(c.getMasterUrl()).startsWith("https://[fd00::1]:6443");
        assertThat(c.getOauthTokenProvider().getToken()).isEqualTo("first");
        Files.writeString(dir.resolve("token"), "rotated");
        assertThat(c.getOauthTokenProvider().getToken()).isEqualTo("rotated");
    }

    @Test
    void inClusterOutsideAPodIsAClearError() {
        assertThatThrownBy(() -> KubernetesClients.buildConfig(K8sSyncConfig.inCluster(), Map.of(), dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KUBERNETES_SERVICE_HOST");
    }

    @Test
    void kubeconfigFileIsRead() throws Exception {
        Path kc = dir.resolve("kubeconfig");
        Files.writeString(kc, String.join("\n",
                "apiVersion: v1", "kind: Config", "current-context: lab",
                "clusters: [{name: lab, cluster: {server: 'https://192.0.2.10:6443', insecure-skip-tls-verify: true}}]",
                "users: [{name: lab, user: {token: abc}}]",
                "contexts: [{name: lab, context: {cluster: lab, user: lab}}]", ""));
        Config c = KubernetesClients.buildConfig(K8sSyncConfig.kubeconfig(kc), Map.of(), dir).orElseThrow();
        assertThat(c.getMasterUrl()).startsWith("https://192.0.2.10:6443");
        assertThat(c.getAutoOAuthToken()).isEqualTo("abc");
        assertThatThrownBy(() -> KubernetesClients.buildConfig(K8sSyncConfig.kubeconfig(dir.resolve("missing")),
                Map.of(), dir)).isInstanceOf(IllegalStateException.class);
    }
}
