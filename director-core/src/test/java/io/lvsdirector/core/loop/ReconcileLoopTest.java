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
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.Quorum;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.core.plan.Disposition;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.core.status.RealServerReport;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.lab.MutableClock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReconcileLoopTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final HealthCheck PING = HealthCheck.http().withPort(8080);
    private static final VirtualServerKey WEB = VirtualServerKey.tcp("198.18.0.100", 80);
    private static final LoopSettings FAST = new LoopSettings(Duration.ofMillis(1), Duration.ofSeconds(30),
            Duration.ofMillis(20), Duration.ofMillis(20), Duration.ofMillis(200));

    private final FakeIpvs ipvs = new FakeIpvs();
    private final InMemoryServiceStore store = new InMemoryServiceStore();
    private final InMemoryNodeSource nodes = new InMemoryNodeSource();
    private final HealthBoard health = HealthBoard.manual();
    private final ManualDrains drains = new ManualDrains();
    private final CountingMeasurements measurements = new CountingMeasurements();
    private final MutableClock clock = new MutableClock(T0);
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

    private ReconcileLoop loop(LoopSettings settings) {
        ReconcileLoop l = new ReconcileLoop(ipvs, store, nodes, health, drains, measurements, clock, settings,
                Set.of());
        loops.add(l);
        return l;
    }

    private ReconcileLoop loop() {
        return loop(FAST);
    }

    private static ServiceSpec web(WhenAllDown policy, int weight, String... rs) {
        List<StaticRealServer> list = new ArrayList<>();
        for (String r : rs) {
            list.add(new StaticRealServer(ip(r), weight));
        }
        return new ServiceSpec(VirtualService.tcp("web", ip("198.18.0.100"), 80),
                new RealServerSource.StaticList(list), PING, policy, Duration.ofSeconds(60));
    }

    private void syncSources(ServiceSpec... specs) {
        store.replaceAll(List.of(specs));
        nodes.markSynced();
    }

    private void report(String address, HealthState state, String reason) {
        health.onHealth(new ProbeTarget(ip(address), PING), new HealthStatus(state, reason, clock.instant()));
    }

    private void healthy(String... addresses) {
        for (String a : addresses) {
            report(a, HealthState.HEALTHY, "ok");
        }
    }

    private Map<String, Integer> weights(VirtualServerKey key) {
        return ipvs.realServers(key).stream().collect(Collectors.toMap(
                r -> r.key().address().getHostAddress(), r -> r.spec().weight()));
    }

    private static RealServerKey rs(String address) {
        return RealServerKey.of(address, 80);
    }

    private RealServerReport statusOf(ReconcileLoop l, String address) {
        return l.status().services().stream().flatMap(s -> s.realServers().stream())
                .filter(d -> d.address().getHostAddress().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void doesNothingUntilEverySourceHasSynced() {
        ReconcileLoop l = loop();
        store.replaceAll(List.of(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21")));
        healthy("198.18.0.21");

        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.WAITING);
        assertThat(l.status().waitingFor()).containsExactly("nodes");
        // Not even a read: a pass that waits touches nothing.
        assertThat(ipvs.count(FakeIpvs.Call.SNAPSHOT)).isZero();
        assertThat(ipvs.writeCount()).isZero();

        nodes.markSynced();
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(weights(WEB)).containsExactly(Map.entry("198.18.0.21", 100));
    }

    @Test
    void createsServiceAndHealthyServersAndStatusShowsThem() {
        ReconcileLoop l = loop();
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");

        PassResult r = l.runOnce();
        assertThat(r.applied()).isEqualTo(3);
        assertThat(ipvs.getService(WEB)).get().satisfies(s -> assertThat(s.spec().scheduler()).isEqualTo("wrr"));
        assertThat(ipvs.realServers(WEB)).allSatisfy(rs -> assertThat(rs.spec())
                .isEqualTo(RealServerSpec.directRoute(100)));
        RealServerReport d = statusOf(l, "198.18.0.21");
        assertThat(d.desiredWeight()).isEqualTo(100);
        assertThat(d.kernelWeight()).isEqualTo(100);
        assertThat(d.reason()).isEqualTo("ok");
        assertThat(measurements.ops()).containsEntry("add_service", 1L).containsEntry("add_real_server", 2L);
    }

    @Test
    void aRestartWithNothingChangedChangesNothingInTheKernel() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        loop().runOnce();
        ipvs.resetCounts();

        // A new process: new loop, no memory, and no probe has answered yet.
        HealthBoard freshHealth = HealthBoard.manual();
        ReconcileLoop restarted = new ReconcileLoop(ipvs, store, nodes, freshHealth, new ManualDrains(),
                measurements, clock, FAST, Set.of());
        loops.add(restarted);
        assertThat(restarted.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(ipvs.writeCount()).isZero();

        // And once the probes answer as before, still nothing.
        freshHealth.onHealth(new ProbeTarget(ip("198.18.0.21"), PING), new HealthStatus(HealthState.HEALTHY, "ok", T0));
        freshHealth.onHealth(new ProbeTarget(ip("198.18.0.22"), PING), new HealthStatus(HealthState.HEALTHY, "ok", T0));
        restarted.runOnce();
        assertThat(ipvs.writeCount()).isZero();
        assertThat(restarted.owned()).hasSize(1);
    }

    @Test
    void adoptsAHandMadeServiceWithTheSameKeyAndEditsItInPlace() {
        ipvs.addService(new VirtualServer(WEB, io.lvsdirector.ipvs.VirtualServerSpec.of("rr")));
        ipvs.addRealServer(WEB, RealServer.directRoute("198.18.0.21", 80, 5));
        ipvs.resetCounts();
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21"));
        healthy("198.18.0.21");

        loop().runOnce();
        assertThat(ipvs.appliedOps()).hasSize(2).allSatisfy(op -> assertThat(op)
                .isInstanceOfAny(IpvsOp.UpdateService.class, IpvsOp.UpdateRealServer.class));
        assertThat(ipvs.count(FakeIpvs.Call.DELETE_SERVICE) + ipvs.count(FakeIpvs.Call.DELETE_REAL_SERVER)).isZero();
        assertThat(weights(WEB)).containsExactly(Map.entry("198.18.0.21", 100));
    }

    @Test
    void neverTouchesServicesItDoesNotOwnAndNeverFlushes() {
        VirtualServerKey kubeProxy = VirtualServerKey.tcp("10.96.0.1", 443);
        ipvs.addService(VirtualServer.of(kubeProxy, "rr"));
        ipvs.addRealServer(kubeProxy, RealServer.directRoute("10.0.0.5", 6443, 1));
        VirtualServerKey sameVipOtherPort = VirtualServerKey.tcp("198.18.0.100", 8443);
        ipvs.addService(VirtualServer.of(sameVipOtherPort, "lc"));
        var before = List.of(ipvs.getService(kubeProxy).orElseThrow(), ipvs.getService(sameVipOtherPort).orElseThrow());
        var beforeRs = ipvs.realServers(kubeProxy);

        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21"));
        healthy("198.18.0.21");
        ReconcileLoop l = loop();
        l.runOnce();
        store.replaceAll(List.of());
        l.runOnce();

        assertThat(List.of(ipvs.getService(kubeProxy).orElseThrow(), ipvs.getService(sameVipOtherPort).orElseThrow()))
                .isEqualTo(before);
        assertThat(ipvs.realServers(kubeProxy)).isEqualTo(beforeRs);
        assertThat(ipvs.getService(WEB)).isEmpty();
        assertThat(ipvs.count(FakeIpvs.Call.FLUSH)).isZero();
    }

    @Test
    void aServiceRemovedFromTheConfigIsDeletedInOneOp() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop();
        l.runOnce();
        ipvs.resetCounts();
        store.replaceAll(List.of());
        l.runOnce();
        assertThat(ipvs.appliedOps()).containsExactly(new IpvsOp.DeleteService(WEB));
        assertThat(l.owned()).isEmpty();
    }

    @Test
    void aWeightChangeIsOneEditInPlace() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21"));
        healthy("198.18.0.21");
        ReconcileLoop l = loop();
        l.runOnce();
        ipvs.resetCounts();
        store.replaceAll(List.of(web(WhenAllDown.FAIL_OPEN, 7, "198.18.0.21")));
        l.runOnce();
        assertThat(ipvs.appliedOps()).containsExactly(
                new IpvsOp.UpdateRealServer(WEB, RealServer.directRoute("198.18.0.21", 80, 7)));
    }

    @Test
    void aFailedServerIsTakenOutAndStatusSaysWhy() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop();
        l.runOnce();
        report("198.18.0.21", HealthState.FAILED, "connect refused");
        l.runOnce();
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.22");
        RealServerReport d = statusOf(l, "198.18.0.21");
        assertThat(d.desiredWeight()).isNull();
        assertThat(d.kernelWeight()).isNull();
        assertThat(d.health()).isEqualTo(HealthState.FAILED);
        assertThat(d.reason()).isEqualTo("connect refused");
        assertThat(d.since()).isEqualTo(T0);
    }

    @Test
    void failOpenKeepsEveryServerWhenAllAreDownAndSaysSo() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop();
        l.runOnce();
        report("198.18.0.21", HealthState.FAILED, "timeout");
        report("198.18.0.22", HealthState.FAILED, "HTTP 500");
        l.runOnce();
        assertThat(weights(WEB)).containsOnly(Map.entry("198.18.0.21", 100), Map.entry("198.18.0.22", 100));
        ServiceStatus s = l.status().services().get(0);
        assertThat(s.allDown()).isTrue();
        assertThat(s.whenAllDown()).isEqualTo("fail-open");
        assertThat(s.realServers()).allSatisfy(d -> assertThat(d.disposition()).isEqualTo(Disposition.FAIL_OPEN));
        assertThat(measurements.allDownServices()).containsEntry("web", "fail-open");

        healthy("198.18.0.22");
        l.runOnce();
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.22");
        assertThat(measurements.allDownServices()).isEmpty();
    }

    @Test
    void belowQuorumTheLoopKeepsThePolicyUntilHysteresisIsMetAcrossPasses() {
        ServiceSpec plain = web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22", "198.18.0.23");
        syncSources(new ServiceSpec(plain.service(), plain.realServers(), plain.healthCheck(), plain.whenAllDown(),
                plain.drainTimeout(), false, null, new Quorum(2, 1)));
        healthy("198.18.0.21", "198.18.0.22", "198.18.0.23");
        ReconcileLoop l = loop();
        l.runOnce();
        report("198.18.0.22", HealthState.FAILED, "timeout");
        l.runOnce();
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.21", "198.18.0.23");
        assertThat(l.status().services().get(0).allDown()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        Instant lost = clock.instant();
        report("198.18.0.23", HealthState.FAILED, "timeout");
        l.runOnce();
        ServiceStatus s = l.status().services().get(0);
        assertThat(s.allDown()).isTrue();
        assertThat(s.belowQuorumSince()).isEqualTo(lost);
        assertThat(s.minHealthy()).isEqualTo(2);
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.21", "198.18.0.22", "198.18.0.23");
        assertThat(measurements.allDownServices()).containsEntry("web", "fail-open");

        // Two healthy again, minHealthy but not minHealthy + 1: the pass (incremental) and a
        // full one both remember the loss.
        clock.advance(Duration.ofSeconds(1));
        healthy("198.18.0.22");
        l.runOnce();
        assertThat(l.status().services().get(0).belowQuorumSince()).isEqualTo(lost);
        store.replaceAll(List.copyOf(store.services()));
        l.runOnce();
        assertThat(l.status().services().get(0).belowQuorumSince()).isEqualTo(lost);
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.21", "198.18.0.22", "198.18.0.23");

        healthy("198.18.0.23");
        l.runOnce();
        assertThat(l.status().services().get(0).allDown()).isFalse();
        assertThat(l.status().services().get(0).belowQuorumSince()).isNull();
        assertThat(measurements.allDownServices()).isEmpty();
    }

    @Test
    void aSorryServerStandsInWhileAllAreDown() {
        syncSources(web(new WhenAllDown.SorryServer(ip("198.18.0.99"), 1), 100, "198.18.0.21"));
        healthy("198.18.0.21");
        ReconcileLoop l = loop();
        l.runOnce();
        report("198.18.0.21", HealthState.FAILED, "timeout");
        l.runOnce();
        assertThat(weights(WEB)).containsExactly(Map.entry("198.18.0.99", 1));
        healthy("198.18.0.21");
        l.runOnce();
        assertThat(weights(WEB)).containsExactly(Map.entry("198.18.0.21", 100));
    }

    @Test
    void aDrainingServerGoesToWeightZeroThenOutAtZeroConnections() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop(new LoopSettings(Duration.ofMillis(1), Duration.ofSeconds(30), Duration.ofMillis(30),
                Duration.ofMillis(20), Duration.ofMillis(200)));
        l.runOnce();
        ipvs.setRealServerCounters(WEB, rs("198.18.0.21"), 2, 5, 0, Stats.ZERO);
        l.start();

        report("198.18.0.21", HealthState.DRAINING, "draining: 503");
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).get("198.18.0.21") == 0);
        assertThat(statusOf(l, "198.18.0.21").reason()).isEqualTo("draining: 503");

        // Connections end; no trigger: the drain poll notices.
        ipvs.setRealServerCounters(WEB, rs("198.18.0.21"), 0, 0, 0, Stats.ZERO);
        await().atMost(Duration.ofSeconds(3)).until(() -> !weights(WEB).containsKey("198.18.0.21"));
        assertThat(ipvs.appliedOps()).filteredOn(op -> op instanceof IpvsOp.DeleteRealServer).hasSize(1);
        assertThat(ipvs.appliedOps()).filteredOn(op -> op instanceof IpvsOp.AddRealServer).hasSize(2);
    }

    @Test
    void aDrainingServerIsRemovedAtTheDrainTimeoutWithConnectionsLeft() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop();
        l.runOnce();
        ipvs.setRealServerCounters(WEB, rs("198.18.0.21"), 9, 9, 0, Stats.ZERO);
        drains.drain(ManualDrain.everywhere(ip("198.18.0.21")));
        l.runOnce();
        assertThat(weights(WEB)).containsEntry("198.18.0.21", 0);
        assertThat(statusOf(l, "198.18.0.21").reason()).isEqualTo("manual");

        clock.advance(Duration.ofSeconds(59));
        l.runOnce();
        assertThat(weights(WEB)).containsEntry("198.18.0.21", 0);
        clock.advance(Duration.ofSeconds(1));
        l.runOnce();
        assertThat(weights(WEB)).doesNotContainKey("198.18.0.21");

        // Undrained: back in at its weight.
        drains.undrain(ManualDrain.everywhere(ip("198.18.0.21")));
        l.runOnce();
        assertThat(weights(WEB)).containsEntry("198.18.0.21", 100);
    }

    @Test
    void aCordonedNodeDrains() {
        ServiceSpec spec = new ServiceSpec(VirtualService.tcp("web", ip("198.18.0.100"), 80),
                new RealServerSource.NodeSelector(Map.of("edge", "true"), 10), PING, null, null);
        store.replaceAll(List.of(spec));
        nodes.put(NodeView.of("n1", ip("198.18.0.21"), Map.of("edge", "true")));
        nodes.put(NodeView.of("n2", ip("198.18.0.22"), Map.of("edge", "true")));
        nodes.markSynced();
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop();
        l.runOnce();
        ipvs.setRealServerCounters(WEB, rs("198.18.0.21"), 1, 0, 0, Stats.ZERO);
        nodes.put(NodeView.of("n1", ip("198.18.0.21"), Map.of("edge", "true")).withUnschedulable(true));
        l.runOnce();
        assertThat(weights(WEB)).containsOnly(Map.entry("198.18.0.21", 0), Map.entry("198.18.0.22", 10));
        assertThat(statusOf(l, "198.18.0.21").reason()).isEqualTo("cordoned");
        assertThat(statusOf(l, "198.18.0.21").node()).isEqualTo("n1");
    }

    @Test
    void theResyncRepairsDriftWithoutAnyTrigger() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop(new LoopSettings(Duration.ofMillis(1), Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofMillis(20), Duration.ofMillis(200)));
        l.start();
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).size() == 2);

        // Someone runs ipvsadm -C.
        ipvs.flush();
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).size() == 2);
        // And edits a weight by hand.
        ipvs.updateRealServer(WEB, RealServer.directRoute("198.18.0.22", 80, 1));
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).get("198.18.0.22") == 100);
    }

    @Test
    void aStreamOfTriggeredPassesDoesNotPostponeTheResync() throws Exception {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop(new LoopSettings(Duration.ofMillis(1), Duration.ofMillis(300), Duration.ofSeconds(30),
                Duration.ofMillis(20), Duration.ofMillis(200)));
        l.start();
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).size() == 2);
        // A weight edited by hand, then .21 flaps every 10 ms: each flap is a triggered pass, which
        // trusts the table in memory. Only the resync reads the kernel, so it must still come.
        ipvs.updateRealServer(WEB, RealServer.directRoute("198.18.0.22", 80, 1));
        AtomicInteger flaps = new AtomicInteger();
        Thread flapper = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                report("198.18.0.21", flaps.incrementAndGet() % 2 == 0 ? HealthState.HEALTHY : HealthState.FAILED,
                        "flap");
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        flapper.start();
        try {
            await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).get("198.18.0.22") == 100);
            assertThat(flaps.get()).isGreaterThan(5);
        } finally {
            flapper.interrupt();
            flapper.join();
        }
    }

    @Test
    void aTriggeredPassTrustsTheLastTableAndOnlyTheResyncReadsTheKernel() throws Exception {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop(new LoopSettings(Duration.ofMillis(1), Duration.ofMillis(600), Duration.ofSeconds(1),
                Duration.ofMillis(20), Duration.ofMillis(200)));
        l.start();
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).size() == 2);
        await().atMost(Duration.ofSeconds(3)).until(() -> measurements.passes() >= 1);
        int reads = ipvs.count(FakeIpvs.Call.SNAPSHOT);
        long passes = measurements.passes();

        report("198.18.0.21", HealthState.FAILED, "timeout");
        await().atMost(Duration.ofMillis(500)).until(() -> weights(WEB).size() == 1);
        assertThat(measurements.passes()).isGreaterThan(passes);
        assertThat(ipvs.count(FakeIpvs.Call.SNAPSHOT)).isEqualTo(reads);

        // A resync pass reads it, and repairs what someone changed by hand.
        ipvs.updateRealServer(WEB, RealServer.directRoute("198.18.0.22", 80, 1));
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).get("198.18.0.22") == 100);
        assertThat(ipvs.count(FakeIpvs.Call.SNAPSHOT)).isGreaterThan(reads);
    }

    @Test
    void oneFailingOpMarksItsServiceOnlyAndTheLoopRetriesItWithBackoff() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22", "198.18.0.23"));
        healthy("198.18.0.21", "198.18.0.22", "198.18.0.23");
        ipvs.injectFailure(op -> op instanceof IpvsOp.AddRealServer a
                && a.realServer().key().equals(rs("198.18.0.22")), Errno.ENOMEM, "");
        ReconcileLoop l = loop();

        // The director did its job: the pass is OK, the refusal is on the service.
        PassResult first = l.runOnce();
        assertThat(first.outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(first.failed()).singleElement().asString().contains("198.18.0.22").contains("ENOMEM");
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.21", "198.18.0.23");
        assertThat(l.status().lastPassOk()).isTrue();
        assertThat(l.status().services().get(0).applyError()).satisfies(e -> {
            assertThat(e.errno()).isEqualTo("ENOMEM");
            assertThat(e.op()).isEqualTo("-a -t 198.18.0.100:80 -r 198.18.0.22:80 -g -w 100");
            assertThat(e.since()).isEqualTo(T0);
            assertThat(e.failures()).isEqualTo(1);
        });
        assertThat(measurements.failedOps()).containsEntry("add_real_server", 1L);

        // Started, the loop retries the service on its own (no trigger) until the kernel takes it.
        l.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> measurements.failedOps().get("add_real_server") >= 3);
        assertThat(measurements.failedPasses()).isZero();
        ipvs.clearFailures();
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).size() == 3);
        await().atMost(Duration.ofSeconds(1)).until(() -> l.status().services().get(0).applyError() == null);
    }

    @Test
    void aKernelTaskRunsOnEveryPassEvenWhileWaitingAndAFailureIsRetried() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger failuresLeft = new AtomicInteger(0);
        List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        ReconcileLoop l = loop();
        l.addTask(k -> {
            assertThat(k).isSameAs(ipvs);
            runs.incrementAndGet();
            threads.add(Thread.currentThread());
            return failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0;
        });

        // Sources not synced: the service table waits, the task does not.
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.WAITING);
        assertThat(runs).hasValue(1);

        // A task that reports failure makes the started loop retry on its own, with no trigger,
        // and stop retrying once it succeeds.
        failuresLeft.set(3);
        l.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> failuresLeft.get() == 0 && runs.get() >= 5);
        int settled = runs.get();
        assertThat(threads.get(threads.size() - 1).getName()).isEqualTo("ipvs-reconcile");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> runs.get() <= settled + 1);
    }

    @Test
    void aKernelTaskThatThrowsDoesNotStopThePass() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21"));
        healthy("198.18.0.21");
        ReconcileLoop l = loop();
        l.addTask(k -> {
            throw new IllegalStateException("boom");
        });
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.21");
    }

    @Test
    void aBrokenBatchIsReadAgainAndFinished() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22", "198.18.0.23"));
        healthy("198.18.0.21", "198.18.0.22", "198.18.0.23");
        ipvs.breakNextBatchAfter(2, Errno.ETIMEDOUT);
        ReconcileLoop l = loop();
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.FAILED);
        assertThat(weights(WEB)).hasSize(1);
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(weights(WEB)).hasSize(3);
    }

    @Test
    void theLoopSurvivesAnExceptionInAPass() {
        AtomicInteger calls = new AtomicInteger();
        InMemoryServiceStore inner = store;
        io.lvsdirector.core.model.ServiceStore flaky = new io.lvsdirector.core.model.ServiceStore() {
            @Override
            public Collection<ServiceSpec> services() {
                if (calls.incrementAndGet() <= 2) {
                    throw new IllegalStateException("store broke");
                }
                return inner.services();
            }

            @Override
            public boolean hasSynced() {
                return inner.hasSynced();
            }

            @Override
            public void addListener(io.lvsdirector.core.model.SourceListener listener) {
                inner.addListener(listener);
            }
        };
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21"));
        healthy("198.18.0.21");
        ReconcileLoop l = new ReconcileLoop(ipvs, flaky, nodes, health, drains, measurements, clock, FAST, Set.of());
        loops.add(l);
        l.start();
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).size() == 1);
        assertThat(calls.get()).isGreaterThanOrEqualTo(3);
        assertThat(measurements.failedPasses()).isEqualTo(2);
    }

    @Test
    void requestsAreCoalescedAndPassesKeepTheMinimumInterval() throws Exception {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21"));
        healthy("198.18.0.21");
        ReconcileLoop l = loop(new LoopSettings(Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofMillis(20), Duration.ofMillis(200)));
        l.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> measurements.passes() >= 1);
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 1_000_000_000L) {
            for (int i = 0; i < 100; i++) {
                l.requestSync();
            }
            Thread.sleep(1);
        }
        Thread.sleep(150);
        // About 1 s of constant requests at a 100 ms minimum interval: about 10 passes, not thousands.
        assertThat(measurements.passes()).isBetween(8L, 13L);
    }

    @Test
    void aHealthTransitionReachesTheKernelQuickly() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21", "198.18.0.22"));
        healthy("198.18.0.21", "198.18.0.22");
        ReconcileLoop l = loop(LoopSettings.DEFAULTS);
        l.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> weights(WEB).size() == 2);
        long t0 = System.nanoTime();
        report("198.18.0.21", HealthState.FAILED, "timeout");
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1))
                .until(() -> weights(WEB).size() == 1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(200);
    }

    @Test
    void passesAskedForByTransitionsLeaveTheTableAFullPassWants() throws Exception {
        // Two services select the same nodes with the same check (shared targets), a third others;
        // random transitions, a weight change and a cordon in between: whatever the triggered
        // (incremental) passes did, a full pass reading the kernel afterwards has nothing to do.
        List<String> addresses = new ArrayList<>();
        for (int n = 0; n < 12; n++) {
            addresses.add("198.18.1." + (n + 1));
            nodes.put(NodeView.of("n" + n, ip(addresses.get(n)), Map.of("pool", n < 8 ? "a" : "b")));
        }
        ServiceSpec a = ServiceSpec.of(VirtualService.tcp("a", ip("198.18.0.101"), 80),
                new RealServerSource.NodeSelector(Map.of("pool", "a"), 100), PING);
        ServiceSpec a2 = ServiceSpec.of(VirtualService.tcp("a2", ip("198.18.0.102"), 80),
                new RealServerSource.NodeSelector(Map.of("pool", "a"), 50), PING);
        ServiceSpec b = ServiceSpec.of(VirtualService.tcp("b", ip("198.18.0.103"), 80),
                new RealServerSource.NodeSelector(Map.of("pool", "b"), 100), PING);
        syncSources(a, a2, b);
        healthy(addresses.toArray(String[]::new));
        ReconcileLoop l = loop();
        l.start();
        java.util.Random r = new java.util.Random(7);
        HealthState[] states = {HealthState.HEALTHY, HealthState.FAILED, HealthState.DRAINING};
        for (int i = 0; i < 200; i++) {
            String address = addresses.get(r.nextInt(addresses.size()));
            HealthState st = states[r.nextInt(states.length)];
            report(address, st, st == HealthState.DRAINING ? "draining: 503" : st == HealthState.FAILED ? "timeout" : "ok");
            if (i == 80) {
                store.replaceAll(List.of(a, ServiceSpec.of(VirtualService.tcp("a2", ip("198.18.0.102"), 80),
                        new RealServerSource.NodeSelector(Map.of("pool", "a"), 70), PING), b));
            }
            if (i == 140) {
                nodes.put(new NodeView("n9", List.of(ip(addresses.get(9))), Map.of("pool", "b"), true, true, false));
            }
            Thread.sleep(r.nextInt(3));
        }
        // Let the triggered passes settle, then the reference.
        long passes;
        do {
            passes = measurements.passes();
            Thread.sleep(100);
        } while (measurements.passes() != passes);
        PassResult reference = l.runOnce();
        assertThat(reference.outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(reference.applied()).isZero();
    }

    @Test
    void closeStopsTheThreadAndLeavesTheKernelAsItIs() {
        syncSources(web(WhenAllDown.FAIL_OPEN, 100, "198.18.0.21"));
        healthy("198.18.0.21");
        ReconcileLoop l = loop();
        l.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> weights(WEB).size() == 1);
        l.close();
        int writes = ipvs.writeCount();
        report("198.18.0.21", HealthState.FAILED, "timeout");
        l.requestSync();
        assertThat(ipvs.writeCount()).isEqualTo(writes);
        assertThat(weights(WEB)).hasSize(1);
        List<RealServerStatus> left = ipvs.realServers(WEB);
        assertThat(left).hasSize(1);
    }
}
