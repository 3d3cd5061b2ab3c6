package io.lvsdirector.k8s;

import static io.lvsdirector.k8s.MockCluster.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.model.NodeSource;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.spec.ServiceSpecJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KubernetesSyncTest {

    @Test
    void offGivesAnEmptySyncedNodeSourceAndNoStore() {
        try (KubernetesSync k8s = KubernetesSync.open(K8sSyncConfig.off())) {
            assertThat(k8s.enabled()).isFalse();
            NodeSource nodes = k8s.nodeSourceFor(new io.lvsdirector.core.model.InMemoryServiceStore());
            assertThat(nodes.hasSynced()).isTrue();
            assertThat(nodes.nodes()).isEmpty();
            assertThat(k8s.kubernetesNodeSource()).isEmpty();
            assertThat(k8s.endpointSource()).isSameAs(io.lvsdirector.core.model.EndpointSource.NONE);
            assertThatThrownBy(() -> k8s.lvsServiceStore(new ServiceSpecJson())).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void anLvsServiceSelectsTheNodesItsRealServersComeFrom() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            cluster.installLvsServiceCrd();
            cluster.create(node("edge-1", "10.0.0.1", Map.of("edge", "true"), true));
            cluster.create(node("edge-2", "10.0.0.2", Map.of("edge", "true"), true));
            cluster.create(node("db-1", "10.0.2.1", Map.of("role", "db"), true));
            ServiceSpecJson json = new ServiceSpecJson();
            String yamlSpec = "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'nodeSelector':{'edge':'true'}}}}"
                    .replace('\'', '"');
            cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT)
                    .resource(LvsServiceStore.toResource(json.fromJson("web", yamlSpec), json)).create();

            try (KubernetesSync k8s = KubernetesSync.withClient(
                    K8sSyncConfig.inCluster().withResyncPeriod(Duration.ZERO), cluster.newClient())) {
                LvsServiceStore store = k8s.lvsServiceStore(json);
                NodeSource nodes = k8s.nodeSourceFor(store);
                await().atMost(Duration.ofSeconds(10)).until(() -> store.hasSynced() && nodes.hasSynced());
                await().atMost(Duration.ofSeconds(10)).until(() -> nodes.nodes().size() == 2);
                assertThat(nodes.nodes().stream().map(NodeView::name).collect(Collectors.toSet()))
                        .containsExactlyInAnyOrder("edge-1", "edge-2");
                var state = DesiredStateBuilder.build(store.services(), nodes.nodes(), Map.of(), List.of(), Map.of(),
                        Instant.now());
                assertThat(state.services().values().iterator().next().realServers().keySet())
                        .extracting(k -> k.address().getHostAddress())
                        .containsExactly("10.0.0.1", "10.0.0.2");
                assertThat(k8s.kubernetesNodeSource()).isPresent();
            }
        }
    }

    /** An LvsService naming a Service: every node is watched, and the Service's nodes are its real servers. */
    @Test
    void anLvsServiceNamingAServiceGetsTheNodesThatServeIt() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            cluster.installLvsServiceCrd();
            cluster.create(node("n1", "10.0.0.1", Map.of(), true));
            cluster.create(node("n2", "10.0.0.2", Map.of(), true));
            cluster.service("ingress", "traefik", "Local", List.of("IPv4"), Map.of("https", 443));
            cluster.slice("ingress", "traefik-a", "traefik", "IPv4", List.of(MockCluster.Ep.ready("10.244.2.5", "n2")));
            ServiceSpecJson json = new ServiceSpecJson();
            String spec = ("{'vip':'198.18.0.100','port':443,'realServers':{'kubernetes':{'service':"
                    + "{'namespace':'ingress','name':'traefik','port':'https'}}}}").replace('\'', '"');
            cluster.createLvsService(json.fromJson("web", spec), json);

            try (KubernetesSync k8s = KubernetesSync.withClient(
                    K8sSyncConfig.inCluster().withResyncPeriod(Duration.ZERO), cluster.newClient())) {
                LvsServiceStore store = k8s.lvsServiceStore(json);
                NodeSource nodes = k8s.nodeSourceFor(store);
                var endpoints = k8s.endpointSource();
                await().atMost(Duration.ofSeconds(10)).until(() -> store.hasSynced() && nodes.hasSynced()
                        && endpoints.hasSynced() && nodes.nodes().size() == 2);
                var state = DesiredStateBuilder.build(store.services(), nodes.nodes(),
                        Map.of("ingress/traefik", endpoints.endpoints("ingress", "traefik")), Map.of(), List.of(),
                        Map.of(), Map.of(), Instant.now());
                assertThat(state.problems()).isEmpty();
                assertThat(state.services().values().iterator().next().realServers().keySet())
                        .extracting(k -> k.address().getHostAddress() + ":" + k.port())
                        .containsExactly("10.0.0.2:443");
                assertThat(k8s.kubernetesEndpointSource()).isPresent();
            }
        }
    }
}
