package io.lvsdirector.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the fabric8 client a {@link K8sSyncConfig} asks for, and nothing implicit: fabric8's own
 * auto-configuration would also read {@code ~/.kube/config} and system properties, so a director
 * meant to run in-cluster could silently talk to whatever cluster the host's kubeconfig names.
 */
public final class KubernetesClients {

    static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private KubernetesClients() {}

    /**
     * A client for {@code config}, or empty when Kubernetes is off.
     *
     * @throws IllegalStateException if in-cluster mode runs outside a pod (no service host
     *     variables or no token file), or the kubeconfig cannot be read
     */
    public static Optional<KubernetesClient> create(K8sSyncConfig config) {
        return buildConfig(config, System.getenv(), SERVICE_ACCOUNT)
                .map(c -> new KubernetesClientBuilder().withConfig(c).build());
    }

    static Optional<Config> buildConfig(K8sSyncConfig config, Map<String, String> env, Path serviceAccountDir) {
        switch (config.mode()) {
            case OFF:
                return Optional.empty();
            case KUBECONFIG:
                try {
                    String text = Files.readString(config.kubeconfig(), StandardCharsets.UTF_8);
                    return Optional.of(Config.fromKubeconfig(null, text, config.kubeconfig().toString()));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read kubeconfig " + config.kubeconfig() + ": " + e, e);
                }
            case IN_CLUSTER:
            default:
                String host = env.get("KUBERNETES_SERVICE_HOST");
                String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
                Path token = serviceAccountDir.resolve("token");
                if (host == null || host.isBlank() || !Files.isReadable(token)) {
                    throw new IllegalStateException("in-cluster mode needs KUBERNETES_SERVICE_HOST and "
                            + token + "; is the director running in a pod with a service account?");
                }
                if (host.indexOf(':') >= 0) {
                    host = "[" + host + "]";
                }
                return Optional.of(new ConfigBuilder(Config.empty())
                        .withMasterUrl("https://" + host + ":" + port)
                        .withCaCertFile(serviceAccountDir.resolve("ca.crt").toString())
                        // Projected service-account tokens rotate (about hourly): read the file
                        // for every request instead of once at start.
                        .withOauthTokenProvider(() -> readToken(token))
                        .build());
        }
    }

    private static String readToken(Path token) {
        try {
            return Files.readString(token, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read service account token " + token, e);
        }
    }
}
