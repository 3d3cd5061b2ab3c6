package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.spec.ServiceSpecJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LvsServiceSnapshotTest {

    private static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80,"
            + " \"realServers\": {\"kubernetes\": {\"nodeSelector\": {\"edge\": \"true\"}}}}";

    private MockCluster cluster;
    private final ServiceSpecJson json = new ServiceSpecJson();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.installLvsServiceCrd();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void oneListOfObjectsAndOneOfNodesServingTheLastValidSpecOfAnInvalidObject() throws Exception {
        ServiceSpec good = json.fromJson("web", WEB);
        cluster.createLvsService(good, json);
        cluster.patchLvsServiceStatus("web", "{\"status\": {\"lastValidSpec\": {\"generation\": 1,"
                + " \"spec\": " + json.toJson(good) + "}}}");
        cluster.editLvsServiceSpec("web", "vip", "127.0.0.1");
        cluster.create(MockCluster.node("edge-1", "198.18.0.41", Map.of("edge", "true"), true));
        cluster.create(MockCluster.node("edge-2", "198.18.0.42", Map.of("edge", "true"), false));
        cluster.create(MockCluster.node("core-1", "198.18.0.49", Map.of("edge", "no"), true));
        KubernetesClient client = cluster.newClient();
        int before = cluster.requestCount();

        LvsServiceSnapshot snap = LvsServiceSnapshot.read(client, K8sSyncConfig.inCluster(), json);

        // One LIST of LvsServices and one of the selector's nodes: no watch, no informer.
        assertThat(cluster.requestCount() - before).isEqualTo(2);
        assertThat(snap.services()).containsExactly(good);
        assertThat(snap.invalid()).containsOnlyKeys("web");
        assertThat(snap.invalid().get("web")).contains("vip");
        assertThat(snap.objects().get(0).servedGeneration()).isEqualTo(1);
        assertThat(snap.nodes()).extracting(NodeView::name).containsExactlyInAnyOrder("edge-1", "edge-2");
        assertThat(snap.nodes()).filteredOn(NodeView::ready).extracting(NodeView::name).containsExactly("edge-1");
    }

    /** A spec naming a Service: every node, and one GET of the Service and one LIST of its slices. */
    @Test
    void aServiceSpecReadsItsServiceAndSlicesOnce() throws Exception {
        String spec = "{\"vip\": \"198.18.0.100\", \"port\": 443, \"realServers\": {\"kubernetes\": {\"service\":"
                + " {\"namespace\": \"ingress\", \"name\": \"traefik\", \"port\": \"https\"}}}}";
        cluster.createLvsService(json.fromJson("web", spec), json);
        cluster.create(MockCluster.node("n1", "198.18.0.41", Map.of(), true));
        cluster.create(MockCluster.node("n2", "198.18.0.42", Map.of("edge", "true"), true));
        cluster.service("ingress", "traefik", "Local", List.of("IPv4"), Map.of("https", 443));
        cluster.slice("ingress", "traefik-a", "traefik", "IPv4", List.of(MockCluster.Ep.ready("10.244.1.1", "n1"),
                MockCluster.Ep.terminating("10.244.2.1", "n2")));
        cluster.slice("ingress", "other-a", "other", "IPv4", List.of(MockCluster.Ep.ready("10.244.2.2", "n2")));
        KubernetesClient client = cluster.newClient();
        int before = cluster.requestCount();

        LvsServiceSnapshot snap = LvsServiceSnapshot.read(client, K8sSyncConfig.inCluster(), json);

        assertThat(cluster.requestCount() - before).isEqualTo(4);
        assertThat(snap.nodes()).extracting(NodeView::name).containsExactlyInAnyOrder("n1", "n2");
        assertThat(snap.endpoints()).containsOnlyKeys("ingress/traefik");
        assertThat(snap.endpoints().get("ingress/traefik").nodes(ServiceEndpointsView.IpFamily.IPV4)).isEqualTo(Map.of(
                "n1", ServiceEndpointsView.EndpointState.READY, "n2", ServiceEndpointsView.EndpointState.TERMINATING));
    }

    @Test
    void anUnreachableApiServerIsAReadExceptionNamingIt() throws Exception {
        KubernetesClient client = cluster.newClient();
        cluster.cut();
        assertThatThrownBy(() -> LvsServiceSnapshot.read(client, K8sSyncConfig.inCluster(), json))
                .isInstanceOf(LvsServiceSnapshot.ReadException.class)
                .hasMessageStartingWith("cannot list LvsService objects from the API server " + client.getMasterUrl())
                .hasMessageNotContaining("\n");
    }
}
