package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.k8s.lb.AddressPool;
import io.lvsdirector.k8s.lb.Allocator;
import io.lvsdirector.k8s.lb.LbConfig;
import io.lvsdirector.k8s.lb.LbServices;
import io.lvsdirector.k8s.lb.LoadBalancerController;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LoadBalancer controller against fabric8's mock API server in CRUD mode, over real HTTP; two
 * controllers with their own clients are the two directors of a pair.
 */
class LoadBalancerControllerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CLASS = LbConfig.DEFAULT_CLASS;

    private MockCluster cluster;
    private final List<LoadBalancerController> controllers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.installLvsAddressPoolCrd();
    }

    @AfterEach
    void stop() {
        controllers.forEach(LoadBalancerController::close);
        cluster.close();
    }

    private LoadBalancerController director(String name, LbConfig config) {
        LoadBalancerController c = new LoadBalancerController(cluster.newClient(),
                config.withInterval(Duration.ofMillis(200)), name, Clock.systemUTC());
        controllers.add(c);
        c.start();
        await().atMost(WAIT).until(c::hasSynced);
        return c;
    }

    private LoadBalancerController director(String name) {
        return director(name, LbConfig.defaults());
    }

    private KubernetesClient admin() {
        return cluster.admin();
    }

    private List<String> ingress(String ns, String name) {
        return cluster.loadBalancerIngress(ns, name);
    }

    private Service get(String ns, String name) {
        return admin().services().inNamespace(ns).withName(name).get();
    }

    private List<Event> events(String ns, String name) {
        return admin().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    private Set<String> reasons(String ns, String name) {
        return events(ns, name).stream().map(Event::getReason).collect(Collectors.toSet());
    }

    private static Set<String> vips(LoadBalancerController c, String prefix) {
        return c.services().stream().filter(s -> s.name().startsWith(prefix))
                .map(s -> s.service().vip().getHostAddress()).collect(Collectors.toSet());
    }

    private String condition(String ns, String name, String field) {
        Service s = get(ns, name);
        if (s == null || s.getStatus() == null || s.getStatus().getConditions() == null) {
            return null;
        }
        return s.getStatus().getConditions().stream()
                .filter(c -> LoadBalancerController.CONDITION.equals(c.getType()))
                .map(c -> field.equals("reason") ? c.getReason() : field.equals("status") ? c.getStatus()
                        : c.getMessage())
                .findFirst().orElse(null);
    }

    @Test
    void allocatesRecordsWithIpModeVipServesPerPortAndTellsOnce() {
        cluster.createAddressPool("edge", List.of("198.18.0.8/30"), true);
        LoadBalancerController dir1 = director("lvs-a");
        cluster.createLoadBalancerService("shop", "web", CLASS, 80);

        await().atMost(WAIT).until(() -> ingress("shop", "web").equals(List.of("198.18.0.9")));
        Service svc = get("shop", "web");
        assertThat(svc.getStatus().getLoadBalancer().getIngress().get(0).getIpMode()).isEqualTo("VIP");
        assertThat(condition("shop", "web", "status")).isEqualTo("True");
        assertThat(condition("shop", "web", "reason")).isEqualTo(LoadBalancerController.READY);

        await().atMost(WAIT).until(() -> dir1.services().size() == 1);
        ServiceSpec spec = dir1.services().get(0);
        assertThat(spec.name()).isEqualTo("lb..shop.web.tcp-80");
        assertThat(spec.service().vip().getHostAddress()).isEqualTo("198.18.0.9");
        assertThat(spec.service().port()).isEqualTo(80);
        assertThat(spec.service().scheduler()).isEqualTo("wrr");
        assertThat(spec.realServers()).isEqualTo(new RealServerSource.ServiceEndpoints("shop", "web", "http", 1));
        // Cluster policy: kube-proxy's node port of the Service port, over TCP.
        assertThat(spec.healthCheck()).isEqualTo(new HealthCheck.Tcp(30080, HealthCheck.Timing.DEFAULTS));

        await().atMost(WAIT).until(() -> reasons("shop", "web").contains(Allocator.ALLOCATED));
        // The count follows the server's answer, so it may trail the read above by a moment.
        await().atMost(WAIT).until(() -> dir1.statusWrites() > 0);
        long writes = dir1.statusWrites();
        // Rounds that change nothing write nothing and tell nothing again.
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).until(() -> true);
        assertThat(dir1.statusWrites()).isEqualTo(writes);
        assertThat(events("shop", "web")).hasSize(1);
    }

    @Test
    void otherClassesAndTypesAreLeftAloneUnlessDefault() {
        cluster.createAddressPool("edge", List.of("198.18.0.8/30"), true);
        LoadBalancerController dir1 = director("lvs-a");
        cluster.createLoadBalancerService("shop", "metallb", "metallb.io/metallb", 80);
        cluster.createLoadBalancerService("shop", "noclass", null, 80);
        cluster.createLoadBalancerService("shop", "ours", CLASS, 80);
        await().atMost(WAIT).until(() -> ingress("shop", "ours").size() == 1);
        await().pollDelay(Duration.ofMillis(600)).atMost(WAIT).until(() -> true);
        assertThat(ingress("shop", "metallb")).isEmpty();
        assertThat(ingress("shop", "noclass")).isEmpty();
        assertThat(dir1.services()).hasSize(1);

        // As the cluster's default implementation it takes the class-less one too, not MetalLB's.
        // (Another pair with its own Lease: one pair's directors share their config.)
        LoadBalancerController dflt = director("lvs-b", LbConfig.defaults().withDefaultImplementation(true)
                .withLease(LbConfig.DEFAULT_LEASE_NAMESPACE, "default-pair", LbConfig.DEFAULT_LEASE_DURATION));
        await().atMost(WAIT).until(() -> ingress("shop", "noclass").size() == 1);
        assertThat(ingress("shop", "metallb")).isEmpty();
        assertThat(dflt.decisions()).containsOnlyKeys("shop/ours", "shop/noclass");
    }

    @Test
    void releasesOnDeleteAndOnClassChange() {
        cluster.createAddressPool("one", List.of("198.18.0.50"), true);
        LoadBalancerController dir1 = director("lvs-a");
        cluster.createLoadBalancerService("shop", "first", CLASS, 80);
        await().atMost(WAIT).until(() -> ingress("shop", "first").equals(List.of("198.18.0.50")));
        cluster.createLoadBalancerService("shop", "second", CLASS, 81);
        await().atMost(WAIT).until(() -> Allocator.POOL_EXHAUSTED.equals(condition("shop", "second", "reason")));
        assertThat(ingress("shop", "second")).isEmpty();

        // Delete: the address goes to the waiting Service.
        admin().services().inNamespace("shop").withName("first").delete();
        await().atMost(WAIT).until(() -> ingress("shop", "second").equals(List.of("198.18.0.50")));
        await().atMost(WAIT).until(() -> vips(dir1, "lb..shop.second.").equals(Set.of("198.18.0.50"))
                && vips(dir1, "lb..shop.first.").isEmpty());

        // Class change: released, our condition gone, nothing served; the next Service gets it.
        admin().services().inNamespace("shop").withName("second")
                .edit(s -> new ServiceBuilder(s).editSpec().withLoadBalancerClass("other.io/lb").endSpec().build());
        await().atMost(WAIT).until(() -> ingress("shop", "second").isEmpty()
                && condition("shop", "second", "status") == null);
        await().atMost(WAIT).until(() -> dir1.services().isEmpty());
        assertThat(reasons("shop", "second")).contains(LoadBalancerController.RELEASED);
        cluster.createLoadBalancerService("shop", "third", CLASS, 82);
        await().atMost(WAIT).until(() -> ingress("shop", "third").equals(List.of("198.18.0.50")));
    }

    @Test
    void requestedAddressHonouredOrRefusedWithoutTouchingOthers() {
        cluster.createAddressPool("auto", List.of("198.18.0.8/30"), true);
        cluster.createAddressPool("reserved", List.of("198.18.1.10-198.18.1.12"), false);
        LoadBalancerController dir1 = director("lvs-a");
        cluster.createLoadBalancerService("shop", "bystander", CLASS, 80);
        await().atMost(WAIT).until(() -> ingress("shop", "bystander").equals(List.of("198.18.0.9")));

        // Honoured from a pool that never auto-assigns, by annotation.
        admin().services().inNamespace("shop").resource(lb("shop", "pinned", Map.of(LbServices.IPS_ANNOTATION,
                "198.18.1.11"), null)).create();
        await().atMost(WAIT).until(() -> ingress("shop", "pinned").equals(List.of("198.18.1.11")));

        // spec.loadBalancerIP outside every pool: refused, told, nothing allocated.
        admin().services().inNamespace("shop").resource(lb("shop", "outside", Map.of(), "203.0.113.7")).create();
        await().atMost(WAIT).until(() -> Allocator.INVALID_REQUEST.equals(condition("shop", "outside", "reason")));
        assertThat(condition("shop", "outside", "status")).isEqualTo("False");
        assertThat(condition("shop", "outside", "message")).contains("203.0.113.7 is in no address pool");
        await().atMost(WAIT).until(() -> reasons("shop", "outside").contains(Allocator.INVALID_REQUEST));
        assertThat(ingress("shop", "outside")).isEmpty();

        // Asking for an address an older Service holds: refused, the holder keeps it.
        admin().services().inNamespace("shop").resource(lb("shop", "thief", Map.of(), "198.18.0.9")).create();
        await().atMost(WAIT).until(() -> Allocator.ADDRESS_IN_USE.equals(condition("shop", "thief", "reason")));
        assertThat(ingress("shop", "bystander")).containsExactly("198.18.0.9");
        assertThat(ingress("shop", "thief")).isEmpty();
        assertThat(vips(dir1, "lb..shop.")).containsExactlyInAnyOrder("198.18.0.9", "198.18.1.11");
    }

    @Test
    void unsupportedPortAndLocalWithoutHealthCheckNodePortAreToldOnThatServiceOnly() {
        cluster.createAddressPool("auto", List.of("198.18.0.8/29"), true);
        LoadBalancerController dir1 = director("lvs-a");
        Service mixed = new ServiceBuilder(lb("shop", "mixed", Map.of(), null)).editSpec()
                .addNewPort().withName("sig").withProtocol("SCTP").withPort(3868).endPort().endSpec().build();
        admin().services().inNamespace("shop").resource(mixed).create();
        Service local = new ServiceBuilder(lb("shop", "local", Map.of(), null)).editSpec()
                .withExternalTrafficPolicy("Local").endSpec().build();
        admin().services().inNamespace("shop").resource(local).create();
        Service localOk = new ServiceBuilder(lb("shop", "localok", Map.of(), null)).editSpec()
                .withExternalTrafficPolicy("Local").withHealthCheckNodePort(32100).endSpec().build();
        admin().services().inNamespace("shop").resource(localOk).create();

        await().atMost(WAIT).until(() -> LoadBalancerController.UNSUPPORTED_PORT.equals(
                condition("shop", "mixed", "reason")));
        assertThat(condition("shop", "mixed", "message")).contains("3868/SCTP");
        assertThat(ingress("shop", "mixed")).hasSize(1);
        await().atMost(WAIT).until(() -> Allocator.INVALID_REQUEST.equals(condition("shop", "local", "reason")));
        assertThat(condition("shop", "local", "message")).contains("healthCheckNodePort");
        assertThat(ingress("shop", "local")).isEmpty();
        await().atMost(WAIT).until(() -> reasons("shop", "mixed").contains(LoadBalancerController.UNSUPPORTED_PORT)
                && reasons("shop", "local").contains(Allocator.INVALID_REQUEST));

        await().atMost(WAIT).until(() -> dir1.services().size() == 2);
        // The TCP port of the mixed Service is served; the SCTP one is not.
        assertThat(dir1.services()).extracting(ServiceSpec::name)
                .containsExactly("lb..shop.localok.tcp-80", "lb..shop.mixed.tcp-80");
        // Local: kube-proxy's /healthz on the Service's healthCheckNodePort; 503 (no local endpoint) drains.
        assertThat(dir1.services().get(0).healthCheck()).isEqualTo(new HealthCheck.Http(32100, "/healthz", null,
                Set.of(200), Set.of(503), HealthCheck.Timing.DEFAULTS));
    }

    /**
     * Two directors, 20 Services created at once from 20 threads: only the lease holder writes
     * statuses, and at every sampled instant of the convergence the two directors' served sets
     * together give each Service at most one address and each address at most one Service.
     */
    @Test
    void twoDirectorsOneWriterNoAddressServedTwiceAtAnyInstant() throws Exception {
        cluster.createAddressPool("edge", List.of("198.18.0.0/27"), true);
        LoadBalancerController dir1 = director("lvs-a");
        LoadBalancerController dir2 = director("lvs-b");
        await().atMost(WAIT).until(() -> dir1.allocating() != dir2.allocating());
        LoadBalancerController holder = dir1.allocating() ? dir1 : dir2;
        LoadBalancerController follower = holder == dir1 ? dir2 : dir1;
        assertThat(follower.leaseHolder()).isEqualTo(holder == dir1 ? "lvs-a" : "lvs-b");

        int n = 20;
        List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger samples = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                checkServedOnce(List.of(dir1.services(), dir2.services()), violations);
                samples.incrementAndGet();
                Thread.onSpinWait();
            }
        });
        sampler.start();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> created = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "svc" + i;
            created.add(pool.submit(() -> {
                go.await();
                cluster.createLoadBalancerService("shop", name, CLASS, 80);
                return null;
            }));
        }
        go.countDown();
        for (var f : created) {
            f.get();
        }
        pool.shutdown();
        try {
            await().atMost(WAIT).until(() -> {
                for (int i = 0; i < n; i++) {
                    if (ingress("shop", "svc" + i).size() != 1) {
                        return false;
                    }
                }
                return dir1.services().size() == n && dir1.services().equals(dir2.services());
            });
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertThat(samples.get()).isGreaterThan(100);
        assertThat(violations).isEmpty();
        Set<String> all = new HashSet<>();
        for (int i = 0; i < n; i++) {
            all.addAll(ingress("shop", "svc" + i));
        }
        assertThat(all).hasSize(n);
        assertThat(vips(dir1, "lb..")).isEqualTo(all);
        // Exactly one writer: the follower never wrote a status, nor sent an Event.
        assertThat(holder.statusWrites()).isGreaterThanOrEqualTo(n);
        assertThat(follower.statusWrites()).isZero();
        assertThat(follower.writeFailures()).isZero();
        await().atMost(WAIT).until(() -> holder.eventsSent() >= n);
        assertThat(follower.eventsSent()).isZero();
        for (int i = 0; i < n; i++) {
            assertThat(events("shop", "svc" + i)).as("svc" + i).singleElement()
                    .satisfies(e -> assertThat(e.getReason()).isEqualTo(Allocator.ALLOCATED));
        }
    }

    /** Adds a line to {@code violations} for an address served for two Services, or a Service with two addresses of a family. */
    private static void checkServedOnce(List<List<ServiceSpec>> served, List<String> violations) {
        Map<String, String> serviceOf = new java.util.HashMap<>();
        Map<String, String> addressOf = new java.util.HashMap<>();
        for (List<ServiceSpec> specs : served) {
            for (ServiceSpec s : specs) {
                // lb..<ns>.<name>.<proto>-<port>: the Service is everything before the last dot.
                String svc = s.name().substring(0, s.name().lastIndexOf('.'));
                String vip = s.service().vip().getHostAddress();
                String other = serviceOf.putIfAbsent(vip, svc);
                if (other != null && !other.equals(svc)) {
                    violations.add(vip + " served for " + other + " and " + svc);
                }
                String family = svc + (vip.contains(":") ? "/6" : "/4");
                String otherVip = addressOf.putIfAbsent(family, vip);
                if (otherVip != null && !otherVip.equals(vip)) {
                    violations.add(svc + " served at " + otherVip + " and " + vip);
                }
            }
        }
    }

    /**
     * The holder hangs (its rounds stop, the lease is not given up): the follower takes over only once
     * the lease has been silent for its duration, then allocates; a clean close hands over at once.
     */
    @Test
    void followerTakesOverAfterTheLeaseDurationWhenTheHolderHangs() {
        Duration lease = Duration.ofSeconds(3);
        cluster.createAddressPool("edge", List.of("198.18.0.8/29"), true);
        LoadBalancerController dir1 = director("lvs-a", shortLease(lease));
        LoadBalancerController dir2 = director("lvs-b", shortLease(lease));
        await().atMost(WAIT).until(() -> dir1.allocating() != dir2.allocating());
        LoadBalancerController holder = dir1.allocating() ? dir1 : dir2;
        LoadBalancerController follower = holder == dir1 ? dir2 : dir1;
        cluster.createLoadBalancerService("shop", "before", CLASS, 80);
        await().atMost(WAIT).until(() -> follower.services().size() == 1);

        // A hung holder, not a closed one: nothing but the lease tells the follower, and its watches stay
        // open. (Closing a watch while the mock server sends it an event stalls the server's event loop
        // for up to a minute: its watch listener waits for its send executor there.)
        holder.halt();
        long hung = System.nanoTime();
        long holderWrites = holder.statusWrites();
        cluster.createLoadBalancerService("shop", "after", CLASS, 80);
        await().atMost(WAIT).until(() -> ingress("shop", "after").size() == 1);
        Duration takeover = Duration.ofNanos(System.nanoTime() - hung);
        assertThat(follower.allocating()).isTrue();
        // The holder renewed at most lease/5 (plus a round) before it hung; the follower waited a
        // whole lease duration from its last sight of that renewal.
        assertThat(takeover).isGreaterThan(lease.multipliedBy(3).dividedBy(5));
        // The follower wrote it (its count follows the server's answer, so it may trail the read above).
        await().atMost(WAIT).until(() -> follower.statusWrites() > 0);
        assertThat(holder.allocating()).isFalse();
        assertThat(holder.statusWrites()).isEqualTo(holderWrites);
        await().atMost(WAIT).until(() -> follower.services().size() == 2);
        // What was recorded was served all along, and still is.
        assertThat(vips(follower, "lb..shop.before.")).isEqualTo(Set.copyOf(ingress("shop", "before")));

        // A clean close gives the lease up: a new peer gets it within a round or two, not a lease duration.
        LoadBalancerController dir3 = director("lvs-c", shortLease(Duration.ofSeconds(30)));
        assertThat(dir3.allocating()).isFalse();
        long closed = System.nanoTime();
        follower.close();
        await().atMost(WAIT).until(dir3::allocating);
        assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(Duration.ofSeconds(10));
    }

    private static LbConfig shortLease(Duration d) {
        return LbConfig.defaults().withLease(LbConfig.DEFAULT_LEASE_NAMESPACE, LbConfig.DEFAULT_LEASE_NAME, d);
    }

    @Test
    void twoServicesRecordingOneAddressConvergeToTheOlderOne() throws Exception {
        cluster.createAddressPool("edge", List.of("198.18.0.8/30"), true);
        // What two directors with different views could have written: one address in two statuses.
        cluster.createLoadBalancerService("shop", "a", CLASS, 80);
        Thread.sleep(1100); // creationTimestamp has one-second resolution
        cluster.createLoadBalancerService("shop", "b", CLASS, 80);
        for (String n : List.of("a", "b")) {
            admin().services().inNamespace("shop").withName(n).editStatus(s -> new ServiceBuilder(s)
                    .withNewStatus().withNewLoadBalancer().withIngress(new LoadBalancerIngressBuilder()
                            .withIp("198.18.0.9").withIpMode("VIP").build()).endLoadBalancer().endStatus().build());
        }
        assertThat(Instant.parse(get("shop", "a").getMetadata().getCreationTimestamp()))
                .isBefore(Instant.parse(get("shop", "b").getMetadata().getCreationTimestamp()));

        LoadBalancerController dir1 = director("lvs-a");
        LoadBalancerController dir2 = director("lvs-b");
        // Neither director ever serves the shared address for the younger Service.
        assertThat(vips(dir1, "lb..shop.b.")).doesNotContain("198.18.0.9");
        assertThat(vips(dir2, "lb..shop.b.")).doesNotContain("198.18.0.9");
        await().atMost(WAIT).until(() -> ingress("shop", "b").equals(List.of("198.18.0.10")));
        assertThat(ingress("shop", "a")).containsExactly("198.18.0.9");
        await().atMost(WAIT).until(() -> dir1.services().size() == 2 && dir1.services().equals(dir2.services()));
        assertThat(vips(dir1, "lb..shop.a.")).containsExactly("198.18.0.9");
        assertThat(vips(dir1, "lb..shop.b.")).containsExactly("198.18.0.10");
    }

    @Test
    void configPoolsServeWithoutAnyPoolObject() {
        LoadBalancerController dir1 = director("lvs-a", LbConfig.defaults()
                .withPools(List.of(AddressPool.parse("cfg", List.of("2001:db8:1::10-2001:db8:1::11"), true))));
        Service v6 = new ServiceBuilder(lb("shop", "six", Map.of(), null)).editSpec().withIpFamilies("IPv6").endSpec()
                .build();
        admin().services().inNamespace("shop").resource(v6).create();
        await().atMost(WAIT).until(() -> ingress("shop", "six").equals(List.of("2001:db8:1:0:0:0:0:10"))
                || ingress("shop", "six").equals(List.of("2001:db8:1::10")));
        await().atMost(WAIT).until(() -> dir1.services().size() == 1);
    }

    /**
     * The API goes away: no director allocates (the holder lets its lease run out, the follower
     * cannot take it), both keep serving what was recorded; after it, writes resume.
     */
    @Test
    void apiOutageStopsAllocatingKeepsTheServedServicesAndWritesResumeAfter() throws Exception {
        Duration lease = Duration.ofSeconds(3);
        cluster.createAddressPool("edge", List.of("198.18.0.8/30"), true);
        LoadBalancerController dir1 = director("lvs-a", shortLease(lease));
        LoadBalancerController dir2 = director("lvs-b", shortLease(lease));
        cluster.createLoadBalancerService("shop", "web", CLASS, 80);
        await().atMost(WAIT).until(() -> dir1.services().size() == 1 && dir2.services().equals(dir1.services()));
        List<ServiceSpec> before = dir1.services();
        long writes = dir1.statusWrites() + dir2.statusWrites();

        cluster.cut();
        cluster.createLoadBalancerService("shop", "late", CLASS, 80);
        // Two thirds of the lease after its last renewal, nobody holds it.
        await().atMost(Duration.ofSeconds(10)).until(() -> !dir1.allocating() && !dir2.allocating());
        await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
        assertThat(dir1.allocating() || dir2.allocating()).isFalse();
        assertThat(dir1.services()).isEqualTo(before);
        assertThat(dir2.services()).isEqualTo(before);
        assertThat(dir1.hasSynced()).isTrue();
        assertThat(ingress("shop", "late")).isEmpty();
        assertThat(dir1.statusWrites() + dir2.statusWrites()).isEqualTo(writes);

        cluster.restore();
        await().atMost(Duration.ofSeconds(90)).until(() -> ingress("shop", "late").equals(List.of("198.18.0.10")));
        await().atMost(WAIT).until(() -> dir1.services().size() == 2 && dir2.services().equals(dir1.services()));
        assertThat(dir1.services()).containsAll(before);
        assertThat(dir1.allocating() != dir2.allocating()).isTrue();
    }

    private static Service lb(String ns, String name, Map<String, String> annotations, String loadBalancerIp) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withType("LoadBalancer").withLoadBalancerClass(CLASS)
                .withExternalTrafficPolicy("Cluster").withLoadBalancerIP(loadBalancerIp)
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withNodePort(30080).endPort()
                .endSpec().build();
    }
}
