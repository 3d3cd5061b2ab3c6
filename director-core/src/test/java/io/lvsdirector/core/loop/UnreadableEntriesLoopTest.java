package io.lvsdirector.core.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.lab.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A foreign edit that makes one of the director's entries unreadable (a non-prefix persistence
 * netmask, a weight above 65535) must neither be taken for absent — an add meets EEXIST, the pass
 * fails, and it is retried forever — nor make the loop spin when an edit cannot repair it.
 */
class UnreadableEntriesLoopTest {

    private static final HealthCheck PING = HealthCheck.http().withPort(8080);
    private static final VirtualServerKey WEB = VirtualServerKey.tcp("198.18.0.100", 80);
    private static final VirtualServerKey FOREIGN = VirtualServerKey.tcp("198.18.0.200", 80);
    private static final LoopSettings FAST = new LoopSettings(Duration.ofMillis(1), Duration.ofSeconds(30),
            Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(200));

    private final FakeIpvs ipvs = new FakeIpvs();
    private final InMemoryServiceStore store = new InMemoryServiceStore();
    private final InMemoryNodeSource nodes = new InMemoryNodeSource();
    private final HealthBoard health = HealthBoard.manual();
    private final CountingMeasurements measurements = new CountingMeasurements();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<ReconcileLoop> loops = new ArrayList<>();

    @AfterEach
    void closeLoops() {
        loops.forEach(ReconcileLoop::close);
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private ReconcileLoop loop() {
        ReconcileLoop l = new ReconcileLoop(ipvs, store, nodes, health, new ManualDrains(), measurements, clock, FAST,
                Set.of());
        loops.add(l);
        return l;
    }

    /** web: wrr, 198.18.0.21 and .22 at weight 100, both healthy; the kernel has it as the director wrote it. */
    private ReconcileLoop webInPlace() {
        List<StaticRealServer> list = List.of(new StaticRealServer(ip("198.18.0.21"), 100),
                new StaticRealServer(ip("198.18.0.22"), 100));
        store.replaceAll(List.of(new ServiceSpec(VirtualService.tcp("web", ip("198.18.0.100"), 80),
                new RealServerSource.StaticList(list), PING, WhenAllDown.FAIL_OPEN, Duration.ofSeconds(60))));
        nodes.markSynced();
        for (String a : List.of("198.18.0.21", "198.18.0.22")) {
            health.onHealth(new ProbeTarget(ip(a), PING), new HealthStatus(HealthState.HEALTHY, "ok", clock.instant()));
        }
        ReconcileLoop l = loop();
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(weights()).containsOnlyKeys("198.18.0.21", "198.18.0.22");
        return l;
    }

    private Map<String, Integer> weights() {
        return ipvs.realServers(WEB).stream().collect(Collectors.toMap(
                r -> r.key().address().getHostAddress(), r -> r.spec().weight()));
    }

    @Test
    void anUnreadableServiceOfOursIsEditedInPlaceThenItsRealServersArePlanned() {
        ReconcileLoop l = webInPlace();
        // Someone sets a netmask the records cannot hold, and adds a stray real server meanwhile.
        ipvs.updateService(new VirtualServer(WEB, new VirtualServerSpec("wrr", Set.of(), 300, 16, "")));
        ipvs.addRealServer(WEB, RealServer.directRoute("198.18.0.29", 80, 5));
        ipvs.makeUnreadable(WEB, "persistence netmask 255.0.255.0 is not a prefix this library can represent");
        ipvs.resetCounts();

        PassResult first = l.runOnce();

        // The old behaviour: the service looked absent, the add met EEXIST and the pass failed.
        assertThat(first.outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(ipvs.count(FakeIpvs.Call.ADD_SERVICE)).isZero();
        assertThat(ipvs.appliedOps()).singleElement().isInstanceOf(IpvsOp.UpdateService.class);
        assertThat(ipvs.getService(WEB).orElseThrow().spec().persistenceTimeout()).isZero();
        assertThat(l.status().problems()).singleElement().asString()
                .contains("198.18.0.100:80").contains("255.0.255.0");
        assertThat(l.status().services()).singleElement().satisfies(svc -> assertThat(svc.inKernel()).isTrue());

        // The next read sees the service again and plans its real servers: the stray goes.
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(weights()).containsOnlyKeys("198.18.0.21", "198.18.0.22");
        assertThat(l.status().problems()).isEmpty();
        ipvs.resetCounts();
        l.runOnce();
        assertThat(ipvs.writeCount()).isZero();
    }

    @Test
    void anUnreadableRealServerIsEditedNotAdded() {
        ReconcileLoop l = webInPlace();
        // ipvsadm -e -w 100000: the kernel takes it, the records cannot hold it.
        ipvs.updateRealServer(WEB, RealServer.directRoute("198.18.0.22", 80, 65535));
        ipvs.makeUnreadable(WEB, RealServerKey.of("198.18.0.22", 80), "weight 100000 out of range 0..65535");
        ipvs.resetCounts();

        PassResult pass = l.runOnce();

        assertThat(pass.outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(ipvs.count(FakeIpvs.Call.ADD_REAL_SERVER)).isZero();
        assertThat(ipvs.appliedOps()).containsExactly(new IpvsOp.UpdateRealServer(WEB,
                RealServer.directRoute("198.18.0.22", 80, 100)));
        assertThat(weights()).containsEntry("198.18.0.22", 100);
        assertThat(l.status().problems()).singleElement().asString().contains("198.18.0.22:80").contains("100000");
        l.runOnce();
        assertThat(l.status().problems()).isEmpty();
    }

    @Test
    void aForeignUnreadableServiceIsLeftAloneAndIsNoProblemOfOurs() {
        ReconcileLoop l = webInPlace();
        ipvs.addService(VirtualServer.of(FOREIGN, "rr"));
        ipvs.makeUnreadable(FOREIGN, "persistence netmask 255.0.255.0 is not a prefix");
        ipvs.resetCounts();

        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(ipvs.writeCount()).isZero();
        assertThat(l.status().problems()).isEmpty();
    }

    @Test
    void anEntryAnEditCannotRepairIsReportedAndDoesNotMakeTheLoopSpin() throws Exception {
        webInPlace();
        // Whatever the director writes, the entry reads unreadable again (a writer that keeps
        // putting its weight back): every read re-marks it.
        RealServerKey rs22 = RealServerKey.of("198.18.0.22", 80);
        Ipvs stubborn = (Ipvs) Proxy.newProxyInstance(Ipvs.class.getClassLoader(), new Class<?>[] {Ipvs.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("snapshot")) {
                        ipvs.makeUnreadable(WEB, rs22, "weight 100000 out of range 0..65535");
                    }
                    try {
                        return method.invoke(ipvs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ReconcileLoop l = new ReconcileLoop(stubborn, store, nodes, health, new ManualDrains(), measurements, clock,
                FAST, Set.of());
        loops.add(l);
        ipvs.resetCounts();
        l.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> l.status().problems().stream()
                .anyMatch(p -> p.contains("still cannot be read") && p.contains("198.18.0.22:80")));
        long passes = measurements.passes();
        Thread.sleep(500);
        // Reported and left: no pass without a reason (the old behaviour failed and retried forever;
        // a quick re-read after every edit would run a pass every millisecond here).
        assertThat(measurements.passes() - passes).isLessThanOrEqualTo(1);
        assertThat(l.status().lastPassOk()).isTrue();
        assertThat(ipvs.count(FakeIpvs.Call.ADD_REAL_SERVER)).isZero();
        // The other real server is untouched and serving.
        assertThat(ipvs.realServers(WEB).stream().map(RealServerStatus::key).map(RealServerKey::toString)
                .anyMatch(k -> k.startsWith("198.18.0.21"))).isTrue();
    }
}
