package io.lvsdirector.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's mock API server in CRUD mode over real HTTP, with a {@link TcpProxy} in front so a test
 * can take the API away. {@link #admin()} talks to the server directly (it keeps working during an
 * outage, as another actor in the cluster would); {@link #newClient()} goes through the proxy.
 */
final class MockCluster implements AutoCloseable {

    /** The mock server logs every request through java.util.logging; held so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final TcpProxy proxy;
    private final KubernetesClient admin;
    private final List<KubernetesClient> clients = new ArrayList<>();

    MockCluster() throws IOException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        proxy = new TcpProxy(server.getPort());
        // The mock server can stall its event loop for up to a minute when a watch connection
        // dies under it (its watch listener waits for its send executor there); the test's
        // own calls wait that out rather than fail.
        admin = client(server.getPort(), 90_000);
    }

    /** Requests the mock server has answered so far (every client's). */
    int requestCount() {
        return server.getRequestCount();
    }

    KubernetesClient admin() {
        return admin;
    }

    /** A client through the cuttable proxy, as a director would have. */
    KubernetesClient newClient() {
        KubernetesClient c = client(proxy.port(), 5_000);
        clients.add(c);
        return c;
    }

    /** Cuts every connection through the proxy, then gives the mock server a moment to drop its watchers. */
    void cut() throws InterruptedException {
        proxy.stop();
        Thread.sleep(500);
    }

    void restore() throws IOException {
        proxy.start();
    }

    private static KubernetesClient client(int port, int requestTimeoutMs) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + port)
                .withNamespace("default")
                .withWatchReconnectInterval(100)
                .withWatchReconnectLimit(-1)
                .withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(1000)
                .withRequestTimeout(requestTimeoutMs)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public void close() {
        clients.forEach(KubernetesClient::close);
        admin.close();
        proxy.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // The mock server waits 10 s for its executor; on a loaded build machine a watch thread can
            // outlive that. The test's assertions are done by now, and the next test takes a new port.
            System.err.println("event=mock_server_slow_shutdown cause=" + e.getCause());
        }
    }

    // ---- nodes ---------------------------------------------------------------------------------

    static Node node(String name, String internalIp, Map<String, String> labels, boolean ready) {
        return new NodeBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress()
                .addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(Instant.now().toString()).endCondition()
                .endStatus()
                .build();
    }

    Node create(Node n) {
        return admin.nodes().resource(n).create();
    }

    Node label(String name, String key, String value) {
        return admin.nodes().withName(name).edit(n -> {
            Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels() == null
                    ? Map.of() : n.getMetadata().getLabels());
            if (value == null) {
                labels.remove(key);
            } else {
                labels.put(key, value);
            }
            n.getMetadata().setLabels(labels);
            return n;
        });
    }

    Node cordon(String name, boolean cordoned) {
        return admin.nodes().withName(name).edit(n -> {
            n.getSpec().setUnschedulable(cordoned);
            return n;
        });
    }

    Node ready(String name, boolean ready, Instant since) {
        return admin.nodes().withName(name).edit(n -> {
            n.getStatus().getConditions().forEach(c -> {
                if (c.getType().equals("Ready")) {
                    c.setStatus(ready ? "True" : "False");
                    c.setLastTransitionTime(since.toString());
                }
            });
            return n;
        });
    }

    void delete(String name) {
        admin.nodes().withName(name).delete();
    }
}
