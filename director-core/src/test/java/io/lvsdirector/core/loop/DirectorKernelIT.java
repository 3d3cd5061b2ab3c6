package io.lvsdirector.core.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.plan.Plan;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.Planner;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.core.probe.HealthProber;
import io.lvsdirector.core.probe.NettyChecker;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.BatchResult;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.Timeouts;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.ipvs.socket.NetlinkIpvs;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole director against the real kernel: the real netlink binding on director {@code dir1},
 * real probes over TCP to nginx real servers, curl through the VIP from the lab's client.
 * The steps build on each other, so they run in order.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectorKernelIT {

    private static final int RS = 3;
    // Probes from the lab's root namespace reach the real servers through this address on br0.
    private static final String PROBER_ADDRESS = "198.18.0.250/24";
    private static final Pattern RS_LINE = Pattern.compile("->\\s+(198\\.18\\.0\\.\\d+):80\\s+Route\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");

    private static Topology topo;
    private static NetlinkIpvs netlink;
    private static final AtomicInteger writes = new AtomicInteger();
    private static Ipvs ipvs;
    private static Director director;
    private static InMemoryServiceStore store;

    /** One running director: probes, board, loop. */
    private record Director(NettyChecker checker, HealthProber prober, ReconcileLoop loop) implements AutoCloseable {
        @Override
        public void close() {
            loop.close();
            prober.close();
            checker.close();
        }
    }

    @BeforeAll
    static void lab() throws Exception {
        topo = Lab.up(1, RS);
        Lab.run(30, List.of("ip", "addr", "add", PROBER_ADDRESS, "dev", "br0")).orThrow();
        netlink = NetlinkIpvs.open("dir1");
        // Closed connections leave the table one second after their FIN, so a drain can end.
        netlink.setTimeouts(new Timeouts(0, 1, 0));
        ipvs = counting(netlink);
        director = startDirector();
    }

    @AfterAll
    static void down() {
        if (director != null) {
            director.close();
        }
        if (netlink != null) {
            netlink.flush();
            netlink.close();
        }
        if (topo != null) {
            topo.close();
        }
    }

    /** Counts every call that writes, batched ops one by one. */
    private static Ipvs counting(Ipvs real) {
        return (Ipvs) Proxy.newProxyInstance(Ipvs.class.getClassLoader(), new Class<?>[] {Ipvs.class},
                (proxy, method, args) -> {
                    String m = method.getName();
                    if (m.equals("apply")) {
                        writes.addAndGet(((List<?>) args[0]).size());
                    } else if (m.startsWith("add") || m.startsWith("update") || m.startsWith("delete")
                            || m.equals("flush")) {
                        writes.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Director startDirector() throws Exception {
        List<StaticRealServer> servers = new ArrayList<>();
        for (int i = 1; i <= RS; i++) {
            servers.add(new StaticRealServer(InetAddress.getByName(Topology.realServer(i)), 100));
        }
        // UML makes every system call slow: a wider timeout than the default, same shape.
        HealthCheck check = HealthCheck.http().withPort(8080)
                .withTiming(Duration.ofMillis(200), Duration.ofMillis(200), 2, 2);
        store = new InMemoryServiceStore();
        store.replaceAll(List.of(new ServiceSpec(VirtualService.tcp("web", InetAddress.getByName(Lab.VIP), 80),
                new RealServerSource.StaticList(servers), check, WhenAllDown.FAIL_OPEN, Duration.ofSeconds(60))));
        NettyChecker checker = NettyChecker.create(1);
        CountingMeasurements m = new CountingMeasurements();
        HealthProber[] prober = new HealthProber[1];
        HealthBoard board = new HealthBoard(targets -> prober[0].setTargets(targets));
        prober[0] = HealthProber.create(checker, board, m, Clock.systemUTC(), Duration.ofSeconds(30));
        ReconcileLoop loop = new ReconcileLoop(ipvs, store, InMemoryNodeSource.empty(), board, new ManualDrains(), m,
                Clock.systemUTC(), LoopSettings.DEFAULTS, Set.of());
        loop.start();
        return new Director(checker, prober[0], loop);
    }

    /** Real server address → {weight, active, inactive}, as ipvsadm reads the kernel. */
    private static Map<String, int[]> table() {
        Map<String, int[]> out = new HashMap<>();
        Matcher m = RS_LINE.matcher(topo.ipvsadm("dir1", "-Ln"));
        while (m.find()) {
            out.put(m.group(1), new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4))});
        }
        return out;
    }

    private static List<String> requests(int n) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(topo.get("http://" + Lab.VIP + "/"));
        }
        return answers;
    }

    @Test
    @Order(1)
    void everyHealthyRealServerIsInAndTheVipAnswers() {
        await().atMost(Duration.ofSeconds(30)).until(() -> table().size() == RS);
        assertThat(table().values()).allSatisfy(v -> assertThat(v[0]).isEqualTo(100));
        assertThat(requests(12)).doesNotContainNull().contains("rs1", "rs2", "rs3");
    }

    @Test
    @Order(2)
    void aStoppedNginxGoesOutOfRotationAndTheVipKeepsAnswering() {
        long t0 = System.nanoTime();
        topo.stopRealServer(2);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !table().containsKey(Topology.realServer(2)));
        System.out.printf("kernel-it: stopped rs2 out of the kernel after %d ms (probe every 200 ms, fall 2)%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(requests(12)).doesNotContainNull().containsOnly("rs1", "rs3");
    }

    @Test
    @Order(3)
    void aPingAnswering503GoesToWeightZeroThenOutAtZeroConnections() {
        topo.pingAnswers(1, 503);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    int[] rs1 = table().get(Topology.realServer(1));
                    return rs1 == null || rs1[0] == 0;
                });
        // It had connections (the requests above), so it was at weight 0 before it left; it leaves
        // once the kernel forgets them (tcpfin timeout 1 s), long before the 60 s drain timeout.
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> !table().containsKey(Topology.realServer(1)));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        assertThat(requests(6)).containsOnly("rs3");
        assertThat(director.loop().status().services().get(0).realServers())
                .filteredOn(d -> d.address().getHostAddress().equals(Topology.realServer(1)))
                .singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo("draining: 503"));
    }

    @Test
    @Order(4)
    void realServersComeBackAfterRiseSuccesses() {
        topo.pingAnswers(1, 200);
        topo.startRealServer(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> table().size() == RS);
        assertThat(table().values()).allSatisfy(v -> assertThat(v[0]).isEqualTo(100));
        assertThat(requests(12)).doesNotContainNull().contains("rs1", "rs2", "rs3");
    }

    @Test
    @Order(5)
    void aRestartedDirectorChangesNothingInTheKernel() throws Exception {
        // Connection counts move as closed connections expire; weights and the per-server
        // connection totals (reset by a delete and add) must not.
        Thread.sleep(2_000);
        Map<String, Integer> weightsBefore = weights();
        String totalsBefore = totals();
        director.close();
        writes.set(0);
        director = startDirector();
        // Long enough for the first pass, the first probes and a few passes after them.
        Thread.sleep(3_000);
        assertThat(director.loop().status().lastPassAt()).isNotNull();
        assertThat(writes.get()).isZero();
        assertThat(weights()).isEqualTo(weightsBefore);
        assertThat(totals()).isEqualTo(totalsBefore);
    }

    @Test
    @Order(6)
    void ourServiceMadeUnreadableByHandIsEditedBackInPlaceNotAddedAgain() {
        // ipvsadm can give a service a persistence netmask that is not a prefix, which the records
        // cannot hold: the read lists the service as unreadable instead of failing. It is still the
        // director's service, and still in the kernel: an add would meet EEXIST on every pass.
        topo.ipvsadm("dir1", "-E", "-t", Lab.VIP + ":80", "-s", "wrr", "-p", "300", "-M", "255.0.255.0");
        assertThat(topo.ipvsadm("dir1", "-Ln")).contains("mask 255.0.255.0");
        writes.set(0);
        // The next resync (10 s) reads it and edits it back; the pass after that reads it whole.
        await().atMost(Duration.ofSeconds(40)).until(() -> !topo.ipvsadm("dir1", "-Ln").contains("persistent"));
        await().atMost(Duration.ofSeconds(20)).until(() -> director.loop().status().problems().isEmpty()
                && director.loop().status().lastPassOk());
        // One edit in place; no add, no delete: the real servers and their connections stayed.
        assertThat(writes.get()).isEqualTo(1);
        assertThat(weights()).hasSize(RS).allSatisfy((k, w) -> assertThat(w).isEqualTo(100));
        assertThat(requests(6)).doesNotContainNull();
    }

    /**
     * The service's realServerLimits reach every real server as kernel thresholds, as ipvsadm
     * shows them, by edits in place: the real servers and their connections stay.
     */
    @Test
    @Order(7)
    void realServerLimitsAreEveryRealServersThresholdsInTheKernel() throws InterruptedException {
        ServiceSpec before = store.services().iterator().next();
        String totalsBefore = settledTotals();
        writes.set(0);
        store.replaceAll(List.of(new ServiceSpec(before.service(), before.realServers(), before.healthCheck(),
                before.whenAllDown(), before.drainTimeout(), before.adopt(), new RealServerLimits(100, 10))));
        await().atMost(Duration.ofSeconds(20)).until(() -> thresholds().size() == RS
                && thresholds().values().stream().allMatch("100 10"::equals));
        String shown = topo.ipvsadm("dir1", "-Ln", "--thresholds");
        System.out.printf("kernel-it: ipvsadm -Ln --thresholds after realServerLimits 100/10:%n%s%n", shown);
        assertThat(writes.get()).as("one edit per real server").isEqualTo(RS);
        assertThat(totals()).isEqualTo(totalsBefore);
        assertThat(requests(6)).doesNotContainNull();

        // Taken off again: thresholds back to 0, and nothing else moves.
        store.replaceAll(List.of(before));
        await().atMost(Duration.ofSeconds(20)).until(() -> thresholds().values().stream().allMatch("0 0"::equals));
    }

    /**
     * An HTTPS check against nginx with a self-signed certificate (made by keytool, for rs1.lab and
     * rs1's address), on :8443 of rs1 beside its usual servers: verified against that certificate as
     * the CA it is up, with SNI and Host rs1.lab; against the JVM's default trust it is down with a
     * "tls:" reason; with insecureSkipVerify, no CA, it is up; kept alive, one connection serves all.
     */
    @Test
    @Order(8)
    void anHttpsCheckVerifiesNginxsSelfSignedCertificateAgainstItsCaOrSkipsVerifying() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kernel-it-tls");
        String rs1 = Topology.realServer(1);
        io.lvsdirector.core.probe.SelfSignedCert cert = io.lvsdirector.core.probe.SelfSignedCert.create(dir, "rs1",
                "rs1.lab", "dns:rs1.lab,ip:" + rs1);
        java.nio.file.Path conf = dir.resolve("nginx-tls.conf");
        java.nio.file.Files.writeString(conf, """
                daemon on;
                user root;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                  access_log %1$s/access.log;
                  log_format sni '$ssl_server_name $host';
                  server {
                    listen 8443 ssl;
                    ssl_certificate %2$s;
                    ssl_certificate_key %3$s;
                    access_log %1$s/sni.log sni;
                    location = /ping { default_type text/plain; return 200 "OK\\n"; }
                  }
                }
                """.formatted(dir, cert.certPem(), cert.keyPem()));
        Lab.exec(30, "rs1", "nginx", "-c", conf.toString()).orThrow();
        try (NettyChecker checker = NettyChecker.create(1)) {
            HealthCheck.Https https = HealthCheck.https().withPort(8443).withHost("rs1.lab")
                    .withTiming(new HealthCheck.Timing(Duration.ofSeconds(5), Duration.ofSeconds(3), 1, 1));
            io.lvsdirector.core.health.ProbeTarget verified = new io.lvsdirector.core.health.ProbeTarget(
                    InetAddress.getByName(rs1), https.withCaFile(cert.certPem().toString()));
            await().atMost(Duration.ofSeconds(20)).until(() -> checker.probe(verified).toCompletableFuture()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS).reason().equals("ok"));
            for (int i = 0; i < 3; i++) {
                assertThat(checker.probe(verified).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .reason()).isEqualTo("ok");
            }
            // SNI and Host as nginx logged them, one line per request.
            assertThat(java.nio.file.Files.readAllLines(dir.resolve("sni.log"))).contains("rs1.lab rs1.lab");

            var untrusted = checker.probe(new io.lvsdirector.core.health.ProbeTarget(InetAddress.getByName(rs1), https))
                    .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            System.out.printf("kernel-it: https without the CA: %s%n", untrusted);
            assertThat(untrusted.outcome()).isEqualTo(io.lvsdirector.core.probe.ProbeResult.Outcome.DOWN);
            assertThat(untrusted.reason()).startsWith("tls: certificate not trusted");

            var skipped = checker.probe(new io.lvsdirector.core.health.ProbeTarget(InetAddress.getByName(rs1),
                    https.withHost("nobody.example").withInsecureSkipVerify(true)))
                    .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(skipped.reason()).isEqualTo("ok");
        } finally {
            Lab.exec(30, "rs1", "nginx", "-c", conf.toString(), "-s", "stop");
        }
    }

    /**
     * The {@code mh} scheduler fills its table in the order of the kernel's real-server list, and the
     * kernel adds at the head; the planner keeps that list in key order whatever the history. Two
     * services with the same real servers, one built in one pass, the other over five (grown one by
     * one, then nodes failing and coming back), end with the same order as {@code ipvsadm -Ln --nosort}
     * shows it (plain {@code -Ln} sorts by address), which is also the order the netlink dump reads. Planner and netlink only, beside the
     * director's own service (which it does not own, so neither touches the other's).
     */
    @Test
    @Order(9)
    void twoMaglevHistoriesOfTheSameRealServersEndInTheSameKernelOrder() throws Exception {
        InetAddress vip = InetAddress.getByName(Lab.VIP);
        List<String> all = List.of("198.18.0.201", "198.18.0.202", "198.18.0.203", "198.18.0.204");
        HealthCheck check = HealthCheck.http().withPort(8080);
        VirtualServerKey oneGo = VirtualServerKey.of(Protocol.TCP, vip, 8081);
        VirtualServerKey history = VirtualServerKey.of(Protocol.TCP, vip, 8082);
        VirtualServerKey raw = VirtualServerKey.of(Protocol.TCP, vip, 8083);
        try {
            // The premise: a plain add goes to the head of the list.
            netlink.addService(new VirtualServer(raw, VirtualServerSpec.of("mh")));
            for (String a : all.subList(0, 2)) {
                netlink.addRealServer(raw, new RealServer(new RealServerKey(InetAddress.getByName(a), 80),
                        RealServerSpec.of(Forwarding.DIRECT_ROUTE, 100)));
            }
            assertThat(KernelTable.of(netlink.snapshot()).services().get(raw).order()).containsExactly(
                    new RealServerKey(InetAddress.getByName("198.18.0.202"), 80),
                    new RealServerKey(InetAddress.getByName("198.18.0.201"), 80));
            assertThat(listed(raw)).containsExactly("198.18.0.202", "198.18.0.201");

            pass(oneGo, 8081, all, Set.of(), check);
            pass(history, 8082, List.of("198.18.0.204"), Set.of(), check);
            pass(history, 8082, List.of("198.18.0.202", "198.18.0.204"), Set.of(), check);
            pass(history, 8082, all, Set.of(), check); // 201 and 203 join around 202: 202 is re-added
            pass(history, 8082, all, Set.of("198.18.0.201"), check); // 201 fails: deleted
            pass(history, 8082, all, Set.of(), check); // 201 is back (at the head, where it belongs)
            // 203 fails and comes back: a plain add would put it at the head
            pass(history, 8082, all, Set.of("198.18.0.203"), check);
            pass(history, 8082, all, Set.of(), check);

            System.out.printf("kernel-it: mh order, one pass %s, eight passes %s%n", listed(oneGo), listed(history));
            assertThat(listed(oneGo)).isEqualTo(all);
            assertThat(listed(history)).isEqualTo(all);
            KernelTable read = KernelTable.of(netlink.snapshot());
            // The dump's order, which the planner reads (the two services' real servers differ in port only).
            assertThat(read.services().get(history).order()).isEqualTo(
                    List.copyOf(read.services().get(history).realServers().keySet()));
            assertThat(read.services().get(oneGo).order()).isEqualTo(
                    List.copyOf(read.services().get(oneGo).realServers().keySet()));
            assertThat(read.services().get(history).order().stream().map(k -> k.address().getHostAddress()).toList())
                    .isEqualTo(all);
        } finally {
            for (VirtualServerKey k : List.of(oneGo, history, raw)) {
                netlink.apply(List.of(new IpvsOp.DeleteService(k)));
            }
        }
    }

    /** One planner pass for a test-owned {@code mh} service on {@code port}, applied over netlink. */
    private static void pass(VirtualServerKey key, int port, List<String> listed, Set<String> down, HealthCheck check)
            throws Exception {
        List<StaticRealServer> servers = new ArrayList<>();
        Map<ProbeTarget, HealthStatus> health = new HashMap<>();
        for (String a : listed) {
            InetAddress ip = InetAddress.getByName(a);
            servers.add(new StaticRealServer(ip, 100));
            health.put(new ProbeTarget(ip, check), new HealthStatus(
                    down.contains(a) ? HealthState.FAILED : HealthState.HEALTHY, "test", java.time.Instant.now()));
        }
        ServiceSpec spec = ServiceSpec.of(VirtualService.tcp("mh-" + port, key.address(), port).withScheduler("mh"),
                new RealServerSource.StaticList(servers), check);
        DesiredState desired = DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(), Map.of(),
                java.time.Instant.now());
        Plan plan = Planner.plan(desired, KernelTable.of(netlink.snapshot()), Set.of(key));
        BatchResult result = netlink.apply(plan.ops().stream().map(PlanOp::op).toList());
        assertThat(result.allOk()).as("%s", result.failures()).isTrue();
        assertThat(Planner.plan(desired, KernelTable.of(netlink.snapshot()), Set.of(key)).ops()).isEmpty();
    }

    /** The real servers' addresses of one service in the kernel's list order, head first ({@code --nosort}). */
    private static List<String> listed(VirtualServerKey key) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("->\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+):\\d+\\s+Route")
                .matcher(topo.ipvsadm("dir1", "-Ln", "--nosort", "-t", Lab.VIP + ":" + key.port()));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Real server address → "UPPER LOWER", from {@code ipvsadm -Ln --thresholds}. */
    private static Map<String, String> thresholds() {
        Map<String, String> out = new HashMap<>();
        Matcher m = Pattern.compile("->\\s+(198\\.18\\.0\\.\\d+):80\\s+(\\d+)\\s+(\\d+)")
                .matcher(topo.ipvsadm("dir1", "-Ln", "--thresholds"));
        while (m.find()) {
            out.put(m.group(1), m.group(2) + " " + m.group(3));
        }
        return out;
    }

    private static Map<String, Integer> weights() {
        Map<String, Integer> w = new HashMap<>();
        table().forEach((k, v) -> w.put(k, v[0]));
        return w;
    }

    /**
     * {@link #totals()} once the kernel has folded in the connections of the steps before: it adds its
     * per-CPU counters into what ipvsadm reads only every 2 s, so a read right after traffic can still
     * grow by the last requests. Two reads 2.1 s apart that agree are settled.
     */
    private static String settledTotals() throws InterruptedException {
        String last = totals();
        for (int i = 0; i < 10; i++) {
            Thread.sleep(2100);
            String now = totals();
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("connection totals still moving after 21 s: " + last);
    }

    /** Each real server's total connection count ({@code --stats} Conns), in table order. */
    private static String totals() {
        StringBuilder sb = new StringBuilder();
        Matcher m = Pattern.compile("->\\s+(198\\.18\\.0\\.\\d+:80)\\s+(\\d+)")
                .matcher(topo.ipvsadm("dir1", "-Ln", "--stats", "--exact"));
        while (m.find()) {
            sb.append(m.group(1)).append('=').append(m.group(2)).append(' ');
        }
        return sb.toString();
    }
}
