package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LvsServiceStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MockCluster cluster;
    private LvsServiceStore dir1;
    private LvsServiceStore dir2;
    private final ServiceSpecJson json = new ServiceSpecJson();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        try (InputStream in = Files.newInputStream(Path.of("manifests/crd-lvsservice.yaml"))) {
            CustomResourceDefinition crd = cluster.admin().apiextensions().v1().customResourceDefinitions()
                    .load(in).item();
            cluster.admin().apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
        // Two directors of a pair, each with its own client.
        dir1 = new LvsServiceStore(cluster.newClient(), json);
        dir2 = new LvsServiceStore(cluster.newClient(), json);
    }

    @AfterEach
    void stop() {
        dir1.close();
        dir2.close();
        cluster.close();
    }

    private static ServiceSpec web(int port) throws Exception {
        return ServiceSpec.of(VirtualService.tcp("web", InetAddress.getByName("198.18.0.100"), port),
                new RealServerSource.NodeSelector(Map.of("node-role.kubernetes.io/edge", "true"), 1),
                HealthCheck.http().withPort(8080));
    }

    private GenericKubernetesResource createOrReplace(ServiceSpec spec) {
        return cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT)
                .resource(LvsServiceStore.toResource(spec, json)).createOr(op -> op.update());
    }

    @Test
    void twoDirectorsSeeOneServiceAndEachWritesItsOwnStatus() throws Exception {
        AtomicInteger notified = new AtomicInteger();
        dir1.addListener(notified::incrementAndGet);
        dir1.start();
        dir2.start();
        await().atMost(WAIT).until(() -> dir1.hasSynced() && dir2.hasSynced());
        assertThat(dir1.services()).isEmpty();

        ServiceSpec spec = web(80);
        createOrReplace(spec);
        await().atMost(WAIT).until(() -> dir1.services().size() == 1 && dir2.services().size() == 1);
        assertThat(dir1.services()).containsExactly(spec);
        assertThat(dir2.services()).containsExactly(spec);
        assertThat(notified.get()).isPositive();

        dir1.reportStatus("dir1", "web", new DirectorStatus(1, DirectorStatus.State.Applied, "",
                List.of(new DirectorStatus.AppliedRealServer("10.0.0.1", 80, 1, "healthy")), Instant.now()));
        dir2.reportStatus("dir2", "web", new DirectorStatus(1, DirectorStatus.State.Failed, "EINVAL on add",
                List.of(), Instant.now()));

        // Neither overwrote the other: a merge patch touches only its own key.
        GenericKubernetesResource r = cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT)
                .withName("web").get();
        JsonNode status = MAPPER.valueToTree(r.getAdditionalProperties().get("status"));
        assertThat(status.at("/directors/dir1/state").asText()).isEqualTo("Applied");
        assertThat(status.at("/directors/dir1/realServers/0/address").asText()).isEqualTo("10.0.0.1");
        assertThat(status.at("/directors/dir2/state").asText()).isEqualTo("Failed");
        assertThat(status.at("/directors/dir2/message").asText()).isEqualTo("EINVAL on add");
        // The spec is untouched by status writes.
        assertThat(json.fromJson("web", MAPPER.valueToTree(r.getAdditionalProperties().get("spec")))).isEqualTo(spec);
        await().atMost(WAIT).until(() -> dir2.statusOf("dir1", "web") != null && dir1.statusOf("dir2", "web") != null);
        assertThat(dir2.statusOf("dir1", "web").get("state").asText()).isEqualTo("Applied");

        // dir1 writes again: dir2's entry survives.
        dir1.reportStatus("dir1", "web", new DirectorStatus(2, DirectorStatus.State.Applied, "second pass",
                List.of(), Instant.now()));
        r = cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).withName("web").get();
        status = MAPPER.valueToTree(r.getAdditionalProperties().get("status"));
        assertThat(status.at("/directors/dir1/message").asText()).isEqualTo("second pass");
        assertThat(status.at("/directors/dir2/state").asText()).isEqualTo("Failed");

        // A spec change reaches both.
        ServiceSpec moved = web(8080);
        createOrReplace(moved);
        await().atMost(WAIT).until(() -> dir1.services().contains(moved) && dir2.services().contains(moved));

        cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).withName("web").delete();
        await().atMost(WAIT).until(() -> dir1.services().isEmpty() && dir2.services().isEmpty());
    }

    @Test
    void anInvalidResourceIsLeftOutAndNamedWithoutHidingTheOthers() throws Exception {
        dir1.start();
        await().atMost(WAIT).until(dir1::hasSynced);
        createOrReplace(web(80));
        GenericKubernetesResource bad = LvsServiceStore.toResource(web(80), json);
        bad.getMetadata().setName("broken");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) bad.getAdditionalProperties().get("spec");
        spec.put("vip", "127.0.0.1");
        cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).resource(bad).create();

        await().atMost(WAIT).until(() -> dir1.invalid().containsKey("broken") && dir1.services().size() == 1);
        assertThat(dir1.services()).extracting(ServiceSpec::name).containsExactly("web");
        assertThat(dir1.invalid().get("broken")).startsWith("vip:");
    }

    @Test
    void keepsTheLastServicesThroughAnOutage() throws Exception {
        dir1.start();
        createOrReplace(web(80));
        await().atMost(WAIT).until(() -> dir1.services().size() == 1 && dir1.connected());
        cluster.cut();
        await().atMost(WAIT).until(() -> !dir1.connected());
        assertThat(dir1.services()).extracting(ServiceSpec::name).containsExactly("web");
        cluster.restore();
        await().atMost(Duration.ofSeconds(120)).until(dir1::connected);
        assertThat(dir1.services()).extracting(ServiceSpec::name).containsExactly("web");
    }

    @Test
    void statusForAMissingServiceIsA404AndBadDirectorNamesAreRefused() {
        dir1.start();
        assertThatThrownBy(() -> dir1.reportStatus("dir1", "nope",
                new DirectorStatus(0, DirectorStatus.State.Applied, "", List.of(), Instant.now())))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        assertThatThrownBy(() -> dir1.reportStatus("Dir 1", "web",
                new DirectorStatus(0, DirectorStatus.State.Applied, "", List.of(), Instant.now())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
