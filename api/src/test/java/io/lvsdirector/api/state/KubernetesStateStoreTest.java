package io.lvsdirector.api.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.k8s.K8sSyncConfig;
import io.lvsdirector.k8s.KubernetesSync;
import io.lvsdirector.k8s.LvsServiceStore;
import io.lvsdirector.k8s.MockCluster;
import io.lvsdirector.k8s.lb.LbConfig;
import io.lvsdirector.spec.ServiceSpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state.store: kubernetes} with the LoadBalancer controller, wired as {@code DirectorBuilder}
 * wires it (one {@link KubernetesSync} from a kubeconfig naming fabric8's mock API server): the
 * director's desired services are the {@code LvsService} objects and the LoadBalancer Services' IPVS
 * services together, and a change of either wakes the loop.
 */
class KubernetesStateStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private MockCluster cluster;
    private KubernetesSync sync;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.installLvsServiceCrd();
        cluster.installLvsAddressPoolCrd();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: d, user: {token: not-a-real-token}}]
                contexts: [{name: mock, context: {cluster: mock, user: d}}]
                current-context: mock
                """.formatted(cluster.url()));
        sync = KubernetesSync.open(K8sSyncConfig.kubeconfig(kubeconfig));
    }

    @AfterEach
    void stop() {
        sync.close();
        cluster.close();
    }

    @Test
    void lvsServicesAndLoadBalancerServicesAreOneDesiredState() {
        ServiceSpecJson json = new ServiceSpecJson();
        cluster.createAddressPool("edge", List.of("198.18.0.8/30"), true);
        ServiceSpec web = ServiceSpec.of(VirtualService.tcp("web", IpAddresses.parse("198.18.0.100"), 80),
                new RealServerSource.NodeSelector(Map.of("edge", "true"), 1), HealthCheck.http().withPort(8080));
        cluster.createLvsService(web, json);

        KubernetesStateStore store = new KubernetesStateStore(sync.lvsServiceStore(json),
                sync.loadBalancerController(LbConfig.defaults(), "lvs-a"));
        AtomicInteger changes = new AtomicInteger();
        store.addListener(changes::incrementAndGet);
        await().atMost(WAIT).until(store::hasSynced);
        assertThat(store.services()).extracting(ServiceSpec::name).containsExactly("web");

        long version = store.version();
        int before = changes.get();
        cluster.createLoadBalancerService("shop", "app", LbConfig.DEFAULT_CLASS, 443);
        await().atMost(WAIT).until(() -> store.services().size() == 2);
        assertThat(store.services()).extracting(ServiceSpec::name).containsExactly("lb..shop.app.tcp-443", "web");
        assertThat(store.get("lb..shop.app.tcp-443")).get()
                .satisfies(s -> assertThat(s.service().vip()).isEqualTo(IpAddresses.parse("198.18.0.9")));
        assertThat(changes.get()).isGreaterThan(before);
        assertThat(store.version()).isGreaterThan(version);
        assertThat(cluster.loadBalancerIngress("shop", "app")).containsExactly("198.18.0.9");

        // A hand drain of a LoadBalancer service is refused like any write in Kubernetes mode (409).
        assertThatThrownBy(() -> store.drain(new ManualDrain("lb..shop.app.tcp-443",
                IpAddresses.parse("198.18.0.41")))).isInstanceOf(ReadOnlyStateException.class)
                .hasMessageContaining("through the Service's endpoints");
    }

    @Test
    void anEcmpDirectorRefusesANonMhLvsServiceOnItsRangeAsItRefusesAnyInvalidSpec() {
        // The REST API answers 422 (field scheduler) to such a PUT; an object written with kubectl gets the
        // same verdict on that object alone: listed invalid, its last valid generation (if any) served.
        ServiceSpecJson json = new ServiceSpecJson();
        LvsDirectorConfiguration config = new LvsDirectorConfiguration();
        config.getEcmp().setEnabled(true);
        config.getEcmp().setVipRanges(List.of("198.18.0.100/31"));
        cluster.createLvsService(spec("web", "198.18.0.100", "mh"), json);
        cluster.createLvsService(spec("shop", "198.18.0.101", "wrr"), json);
        cluster.createLvsService(spec("other", "198.18.0.7", "wrr"), json); // outside the announced ranges

        LvsServiceStore lvs = sync.lvsServiceStore(json, DirectorBuilder.specRule(config));
        KubernetesStateStore store = new KubernetesStateStore(lvs, null);
        await().atMost(WAIT).until(store::hasSynced);
        assertThat(store.services()).extracting(ServiceSpec::name).containsExactly("other", "web");
        assertThat(lvs.invalid()).containsOnlyKeys("shop");
        LvsServiceStore.ObjectState shop = lvs.object("shop").orElseThrow();
        assertThat(shop.error().field()).isEqualTo("scheduler");
        assertThat(shop.error().reason()).contains("must use the mh scheduler").contains("got 'wrr'");
        assertThat(shop.served()).isNull();

        // kubectl edit of a served object: refused, the mh generation stays in service.
        long served = lvs.object("web").orElseThrow().servedGeneration();
        cluster.editLvsServiceSpec("web", "scheduler", "rr");
        await().atMost(WAIT).until(() -> lvs.invalid().containsKey("web"));
        assertThat(store.get("web")).get().satisfies(s -> assertThat(s.service().scheduler()).isEqualTo("mh"));
        assertThat(lvs.object("web").orElseThrow().servedGeneration()).isEqualTo(served);
        assertThat(lvs.invalid().get("web")).startsWith("scheduler: in the ecmp mode");
    }

    @Test
    void withoutTheEcmpModeAnyKernelSchedulerIsServed() {
        LvsDirectorConfiguration config = new LvsDirectorConfiguration();
        assertThat(DirectorBuilder.specRule(config)).isSameAs(LvsServiceStore.SpecRule.NONE);
        ServiceSpecJson json = new ServiceSpecJson();
        cluster.createLvsService(spec("shop", "198.18.0.101", "wrr"), json);
        KubernetesStateStore store = new KubernetesStateStore(sync.lvsServiceStore(json, DirectorBuilder.specRule(config)),
                null);
        await().atMost(WAIT).until(store::hasSynced);
        assertThat(store.services()).extracting(ServiceSpec::name).containsExactly("shop");
    }

    private static ServiceSpec spec(String name, String vip, String scheduler) {
        return ServiceSpec.of(VirtualService.tcp(name, IpAddresses.parse(vip), 80).withScheduler(scheduler),
                new RealServerSource.NodeSelector(Map.of("edge", "true"), 1), HealthCheck.http().withPort(8080));
    }
}
