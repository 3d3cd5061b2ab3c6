package io.lvsdirector.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.spec.ServiceSpecJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's mock API server in CRUD mode over real HTTP, with a {@link TcpProxy} in front so a test
 * can take the API away. {@link #admin()} talks to the server directly (it keeps working during an
 * outage, as another actor in the cluster would); {@link #newClient()} goes through the proxy.
 *
 * <p>Public, in k8s-sync's test-jar, for other modules' tests (the api's commands in Kubernetes mode):
 * its public methods take and return the project's own types, so fabric8 stays in this module.
 */
public final class MockCluster implements AutoCloseable {

    /** The mock server logs every request through java.util.logging; held so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final TcpProxy proxy;
    private final KubernetesClient admin;
    private final List<KubernetesClient> clients = new ArrayList<>();

    public MockCluster() throws IOException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        proxy = new TcpProxy(server.getPort());
        // The mock server can stall its event loop for up to a minute when a watch connection
        // dies under it (its watch listener waits for its send executor there); the test's
        // own calls wait that out rather than fail.
        admin = client(server.getPort(), 90_000);
    }

    /** The mock API server's URL, as a kubeconfig names it (direct, not through the proxy). */
    public String url() {
        return server.url("/");
    }

    /**
     * Installs the {@code LvsService} CRD from {@code k8s-sync/manifests}. Tests run in their module's
     * directory, so the manifest is {@code manifests/} here and {@code ../k8s-sync/manifests/} elsewhere.
     */
    public void installLvsServiceCrd() throws IOException {
        Path manifest = Path.of("manifests", "crd-lvsservice.yaml");
        if (!Files.exists(manifest)) {
            manifest = Path.of("..", "k8s-sync", "manifests", "crd-lvsservice.yaml");
        }
        try (InputStream in = Files.newInputStream(manifest)) {
            CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
            admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
    }

    /** Installs the {@code LvsAddressPool} CRD from {@code k8s-sync/manifests}, as {@link #installLvsServiceCrd}. */
    public void installLvsAddressPoolCrd() throws IOException {
        Path manifest = Path.of("manifests", "crd-lvsaddresspool.yaml");
        if (!Files.exists(manifest)) {
            manifest = Path.of("..", "k8s-sync", "manifests", "crd-lvsaddresspool.yaml");
        }
        try (InputStream in = Files.newInputStream(manifest)) {
            CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
            admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
    }

    /** Creates an {@code LvsAddressPool}. */
    public void createAddressPool(String name, List<String> addresses, boolean autoAssign) {
        io.fabric8.kubernetes.api.model.GenericKubernetesResource r =
                new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        r.setApiVersion(LvsServiceStore.GROUP + "/" + LvsServiceStore.VERSION);
        r.setKind(io.lvsdirector.k8s.lb.LoadBalancerController.POOL_KIND);
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        r.setAdditionalProperty("spec", Map.of("addresses", addresses, "autoAssign", autoAssign));
        admin.genericKubernetesResources(io.lvsdirector.k8s.lb.LoadBalancerController.POOL_CONTEXT).resource(r)
                .create();
    }

    /**
     * Creates a {@code type: LoadBalancer} Service with one TCP port (node port {@code 30000 + port}), as
     * the API server would store it; {@code loadBalancerClass} null for none.
     */
    public void createLoadBalancerService(String namespace, String name, String loadBalancerClass, int port) {
        admin.services().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").withLoadBalancerClass(loadBalancerClass)
                .withExternalTrafficPolicy("Cluster").withIpFamilies("IPv4").withIpFamilyPolicy("SingleStack")
                .addNewPort().withName("http").withProtocol("TCP").withPort(port).withNodePort(30000 + port).endPort()
                .endSpec().build()).create();
    }

    /** Records {@code ip} in a Service's {@code status.loadBalancer.ingress} ({@code ipMode: VIP}), as a director writes it. */
    public void recordLoadBalancerIngress(String namespace, String name, String ip) {
        admin.services().inNamespace(namespace).withName(name).editStatus(s -> new io.fabric8.kubernetes.api.model
                .ServiceBuilder(s).withNewStatus().withNewLoadBalancer().addNewIngress().withIp(ip).withIpMode("VIP")
                .endIngress().endLoadBalancer().endStatus().build());
    }

    /** The IPs in a Service's {@code status.loadBalancer.ingress}, in order; empty if none or no Service. */
    public List<String> loadBalancerIngress(String namespace, String name) {
        io.fabric8.kubernetes.api.model.Service s = admin.services().inNamespace(namespace).withName(name).get();
        if (s == null || s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return s.getStatus().getLoadBalancer().getIngress().stream()
                .map(io.fabric8.kubernetes.api.model.LoadBalancerIngress::getIp).toList();
    }

    /** Creates the {@code LvsService} object for {@code spec}; returns its generation. */
    public long createLvsService(ServiceSpec spec, ServiceSpecJson json) {
        return admin.genericKubernetesResources(LvsServiceStore.CONTEXT)
                .resource(LvsServiceStore.toResource(spec, json)).create().getMetadata().getGeneration();
    }

    /** A JSON merge patch of the object's {@code status} subresource, as a director's reporter writes it. */
    public void patchLvsServiceStatus(String name, String mergePatch) {
        admin.genericKubernetesResources(LvsServiceStore.CONTEXT).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    /** Sets one field of the object's spec, as {@code kubectl edit} would (no validation on the way). */
    public void editLvsServiceSpec(String name, String field, Object value) {
        admin.genericKubernetesResources(LvsServiceStore.CONTEXT).withName(name).edit(r -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
            spec.put(field, value);
            return r;
        });
    }

    /** Creates a node with a Hostname and an InternalIP address and a Ready condition. */
    public void createNode(String name, String internalIp, Map<String, String> labels, boolean ready) {
        create(node(name, internalIp, labels, ready));
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

    // ---- Services and EndpointSlices -----------------------------------------------------------

    /** One endpoint of a slice: its pod address, node and conditions ({@code null} = unset). */
    record Ep(String address, String node, Boolean ready, Boolean serving, Boolean terminating) {
        static Ep ready(String address, String node) {
            return new Ep(address, node, true, true, false);
        }

        /** Terminating while it still serves its connections (kube-proxy's graceful termination). */
        static Ep terminating(String address, String node) {
            return new Ep(address, node, false, true, true);
        }

        /** Not ready and not terminating: a pod starting up. */
        static Ep notReady(String address, String node) {
            return new Ep(address, node, false, false, false);
        }
    }

    /**
     * Creates or replaces a Service.
     *
     * @param policy {@code Local} or {@code Cluster}
     * @param families its ipFamilies ("IPv4", "IPv6")
     * @param ports name to port
     */
    io.fabric8.kubernetes.api.model.Service service(String namespace, String name, String policy, List<String> families,
            Map<String, Integer> ports) {
        var b = new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").withExternalTrafficPolicy(policy).withIpFamilies(families)
                .withIpFamilyPolicy(families.size() > 1 ? "RequireDualStack" : "SingleStack");
        ports.forEach((n, p) -> b.addNewPort().withName(n).withPort(p).withProtocol("TCP").endPort());
        return admin.services().inNamespace(namespace).resource(b.endSpec().build()).createOr(
                io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    }

    void deleteService(String namespace, String name) {
        admin.services().inNamespace(namespace).withName(name).delete();
    }

    /** Creates or replaces an EndpointSlice of Service {@code service}, as the EndpointSlice controller writes it. */
    io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice(String namespace, String sliceName, String service,
            String addressType, List<Ep> endpoints) {
        var b = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(sliceName)
                .withLabels(Map.of(EndpointFacts.SERVICE_NAME_LABEL, service,
                        "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"))
                .endMetadata()
                .withAddressType(addressType)
                .addNewPort().withName("https").withPort(8443).withProtocol("TCP").endPort();
        for (Ep e : endpoints) {
            b.addNewEndpoint().withAddresses(e.address()).withNodeName(e.node())
                    .withNewConditions().withReady(e.ready()).withServing(e.serving()).withTerminating(e.terminating())
                    .endConditions().endEndpoint();
        }
        return admin.discovery().v1().endpointSlices().inNamespace(namespace).resource(b.build()).createOr(
                io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    }

    void deleteSlice(String namespace, String sliceName) {
        admin.discovery().v1().endpointSlices().inNamespace(namespace).withName(sliceName).delete();
    }

    /** A node with an InternalIP of each family given (dual-stack when both). */
    static Node dualStackNode(String name, String ipv4, String ipv6) {
        Node n = node(name, ipv4 != null ? ipv4 : ipv6, Map.of(), true);
        if (ipv4 != null && ipv6 != null) {
            n.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress(ipv6, "InternalIP"));
        }
        return n;
    }

    /** A mock API server in expectation mode that gives one fixed answer to every GET of one path. */
    public static final class FixedAnswer implements AutoCloseable {
        private final KubernetesMockServer server = new KubernetesMockServer(false);

        public FixedAnswer(String path, int status, String body) {
            server.init();
            server.expect().get().withPath(path).andReturn(status, body).always();
        }

        public String url() {
            return server.url("/");
        }

        @Override
        public void close() {
            server.destroy();
        }
    }
}
