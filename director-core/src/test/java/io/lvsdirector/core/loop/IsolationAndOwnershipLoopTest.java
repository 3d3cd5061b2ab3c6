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
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.status.ApplyError;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.lab.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One service's refusal stays with that service; ownership decides what the loop may touch. */
class IsolationAndOwnershipLoopTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final HealthCheck PING = HealthCheck.http().withPort(8080);
    private static final VirtualServerKey WEB = VirtualServerKey.tcp("198.18.0.100", 80);
    private static final VirtualServerKey API = VirtualServerKey.tcp("198.18.0.101", 80);
    private static final VirtualServerKey WEB_KEY = key("198.18.0.100");
    private static final VirtualServerKey API_KEY = key("198.18.0.101");
    private static final Duration BACKOFF = Duration.ofMillis(300);
    private static final LoopSettings SETTINGS = new LoopSettings(Duration.ofMillis(1), Duration.ofSeconds(30),
            Duration.ofSeconds(1), BACKOFF, BACKOFF.multipliedBy(4));

    // A 6.1 kernel: no "twos".
    private final FakeIpvs ipvs = new FakeIpvs().withSchedulers(Set.of("rr", "wrr", "lc", "wlc", "sh", "mh"));
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

    private static VirtualServerKey key(String vip) {
        return VirtualService.tcp("x", ip(vip), 80).key();
    }

    private ReconcileLoop loop(Ipvs kernel, OwnershipStore ownership, Measurements m) {
        ReconcileLoop l = new ReconcileLoop(kernel, store, nodes, health, drains, m, clock, SETTINGS, ownership);
        loops.add(l);
        return l;
    }

    private ReconcileLoop loop(OwnershipStore ownership) {
        return loop(ipvs, ownership, measurements);
    }

    private static OwnershipStore recorded(VirtualServerKey... owned) {
        OwnershipStore s = OwnershipStore.inMemory();
        s.save(Set.of(owned));
        return s;
    }

    private static ServiceSpec spec(String name, String vip, String scheduler, boolean adopt, String... rs) {
        List<StaticRealServer> list = new ArrayList<>();
        for (String r : rs) {
            list.add(new StaticRealServer(ip(r), 100));
        }
        return new ServiceSpec(VirtualService.tcp(name, ip(vip), 80).withScheduler(scheduler),
                new RealServerSource.StaticList(list), PING, WhenAllDown.FAIL_OPEN, Duration.ofSeconds(60), adopt);
    }

    private void sync(ServiceSpec... specs) {
        store.replaceAll(List.of(specs));
        nodes.markSynced();
    }

    private void report(String address, HealthState state) {
        health.onHealth(new ProbeTarget(ip(address), PING), new HealthStatus(state, state.name(), clock.instant()));
    }

    private Map<String, Integer> weights(VirtualServerKey key) {
        return ipvs.realServers(key).stream().collect(Collectors.toMap(
                r -> r.key().address().getHostAddress(), r -> r.spec().weight()));
    }

    private static ServiceStatus service(ReconcileLoop l, String name) {
        return l.status().services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aRefusedServiceIsMarkedAndTheOtherIsAppliedInTheSamePass() {
        sync(spec("bad", "198.18.0.100", "twos", false, "198.18.0.21"),
                spec("good", "198.18.0.101", "wrr", false, "198.18.0.31"));
        report("198.18.0.21", HealthState.HEALTHY);
        report("198.18.0.31", HealthState.HEALTHY);
        ReconcileLoop l = loop(OwnershipStore.inMemory());

        PassResult r = l.runOnce();

        assertThat(r.outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(l.status().lastPassOk()).isTrue();
        assertThat(l.status().lastError()).isNull();
        assertThat(weights(API)).containsExactly(Map.entry("198.18.0.31", 100));
        assertThat(ipvs.getService(WEB)).isEmpty();
        ApplyError e = service(l, "bad").applyError();
        assertThat(e).isNotNull();
        assertThat(e.errno()).isEqualTo("ENOENT");
        assertThat(e.op()).isEqualTo("-A -t 198.18.0.100:80 -s twos");
        assertThat(e.since()).isEqualTo(T0);
        assertThat(e.failures()).isEqualTo(1);
        assertThat(service(l, "good").applyError()).isNull();
        assertThat(measurements.applyFailures()).containsEntry("bad add_service ENOENT", 1L);
        assertThat(measurements.inStep()).containsEntry("bad", false).containsEntry("good", true);
        assertThat(measurements.failedPasses()).isZero();
    }

    @Test
    void aFailingOpIsHeldBackUntilItsServicesDeadlineAndTheErrorClearsOnceItIsApplied() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AtomicBoolean refuse = new AtomicBoolean(true);
        ipvs.injectFailure(op -> op instanceof IpvsOp.AddRealServer a
                && a.realServer().key().address().equals(ip("198.18.0.22")) && attempts.incrementAndGet() > 0
                && refuse.get(), Errno.ENOMEM, "");
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21", "198.18.0.22"),
                spec("api", "198.18.0.101", "wrr", false, "198.18.0.31", "198.18.0.32"));
        report("198.18.0.21", HealthState.HEALTHY);
        report("198.18.0.22", HealthState.HEALTHY);
        report("198.18.0.31", HealthState.HEALTHY);
        report("198.18.0.32", HealthState.HEALTHY);
        ReconcileLoop l = loop(OwnershipStore.inMemory());
        long t0 = System.nanoTime();
        l.runOnce();
        assertThat(attempts).hasValue(1);

        // Passes before the deadline (a trigger, a resync) do not resend it; other services go on.
        report("198.18.0.32", HealthState.FAILED);
        l.runOnce();
        assertThat(weights(API)).containsOnlyKeys("198.18.0.31");
        if (System.nanoTime() - t0 < BACKOFF.toNanos()) {
            assertThat(attempts).hasValue(1);
        }
        assertThat(service(l, "web").applyError().failures()).isEqualTo(1);

        // At the deadline it is sent again; a second refusal keeps "since" and doubles the backoff.
        clock.advance(Duration.ofSeconds(5));
        Thread.sleep(BACKOFF.toMillis() + 50);
        l.runOnce();
        assertThat(attempts).hasValue(2);
        ApplyError second = service(l, "web").applyError();
        assertThat(second.failures()).isEqualTo(2);
        assertThat(second.since()).isEqualTo(T0);

        // The started loop retries at the deadline with no trigger, and the error clears.
        refuse.set(false);
        l.start();
        await().atMost(Duration.ofSeconds(3)).until(() -> weights(WEB).containsKey("198.18.0.22"));
        await().atMost(Duration.ofSeconds(1)).until(() -> service(l, "web").applyError() == null);
        assertThat(measurements.inStep()).containsEntry("web", true);
    }

    @Test
    void triggeredPassesDoNotResendAFailingOpButTheTimerRetriesIt() {
        AtomicInteger attempts = new AtomicInteger();
        ipvs.injectFailure(op -> op instanceof IpvsOp.AddService a && a.service().equals(WEB)
                && attempts.incrementAndGet() > 0, Errno.ENOENT, "");
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21"),
                spec("api", "198.18.0.101", "wrr", false, "198.18.0.31", "198.18.0.32"));
        report("198.18.0.21", HealthState.HEALTHY);
        report("198.18.0.31", HealthState.HEALTHY);
        report("198.18.0.32", HealthState.HEALTHY);
        ReconcileLoop l = new ReconcileLoop(ipvs, store, nodes, health, drains, measurements, clock,
                new LoopSettings(Duration.ofMillis(1), Duration.ofSeconds(30), Duration.ofSeconds(1),
                        Duration.ofMillis(800), Duration.ofSeconds(5)), OwnershipStore.inMemory());
        loops.add(l);
        l.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> attempts.get() == 1 && weights(API).size() == 2);
        long first = System.nanoTime();
        // A burst of transitions of the other service: each is applied, the refused op is not resent.
        for (int i = 0; i < 10; i++) {
            report("198.18.0.32", i % 2 == 0 ? HealthState.FAILED : HealthState.HEALTHY);
            int want = i % 2 == 0 ? 1 : 2;
            await().atMost(Duration.ofSeconds(1)).until(() -> weights(API).size() == want);
        }
        if (System.nanoTime() - first < Duration.ofMillis(700).toNanos()) {
            assertThat(attempts).hasValue(1);
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> attempts.get() >= 2);
        assertThat((System.nanoTime() - first) / 1_000_000).isGreaterThanOrEqualTo(700);
    }

    @Test
    void aForeignServiceWithTheSameKeyIsLeftAloneUnlessTheSpecSaysAdopt() {
        ipvs.addService(VirtualServer.of(WEB, "rr"));
        ipvs.addRealServer(WEB, RealServer.directRoute("10.0.0.5", 80, 1));
        ipvs.resetCounts();
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21"));
        report("198.18.0.21", HealthState.HEALTHY);
        OwnershipStore ownership = recorded();
        ReconcileLoop l = loop(ownership);

        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(ipvs.writeCount()).isZero();
        assertThat(weights(WEB)).containsExactly(Map.entry("10.0.0.5", 1));
        ApplyError e = service(l, "web").applyError();
        assertThat(e.errno()).isEqualTo("EEXIST");
        assertThat(e.op()).isEqualTo("-A -t 198.18.0.100:80 -s wrr");
        assertThat(e.message()).contains("belongs to someone else").contains("\"adopt\": true");
        assertThat(l.owned()).isEmpty();
        assertThat(l.dryRun(store.services()).foreign()).containsKey(WEB_KEY);
        assertThat(l.dryRun(store.services()).plan().ops()).isEmpty();

        // Removing it from the desired state does not delete it either: it was never ours.
        store.replaceAll(List.of());
        l.runOnce();
        assertThat(ipvs.writeCount()).isZero();

        // adopt: true takes it over, saved as owned first.
        store.replaceAll(List.of(spec("web", "198.18.0.100", "wrr", true, "198.18.0.21")));
        l.runOnce();
        // (The empty desired state made the board forget the probe's answer.)
        report("198.18.0.21", HealthState.HEALTHY);
        l.runOnce();
        assertThat(weights(WEB)).containsExactly(Map.entry("198.18.0.21", 100));
        assertThat(ipvs.getService(WEB).orElseThrow().spec().scheduler()).isEqualTo("wrr");
        assertThat(service(l, "web").applyError()).isNull();
        assertThat(l.owned()).containsExactly(WEB_KEY);
        assertThat(ownership.load()).contains(Set.of(WEB_KEY));
    }

    @Test
    void withoutAnyRecordedOwnershipServicesInTheKernelAreAdoptedAndTheSetIsSaved() {
        ipvs.addService(VirtualServer.of(WEB, "wrr"));
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21"));
        report("198.18.0.21", HealthState.HEALTHY);
        OwnershipStore ownership = OwnershipStore.inMemory();
        ReconcileLoop l = loop(ownership);
        l.runOnce();
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.21");
        assertThat(ownership.load()).contains(Set.of(WEB_KEY));
        assertThat(service(l, "web").applyError()).isNull();
    }

    @Test
    void aNewServiceIsSavedAsOwnedBeforeItIsCreatedAndDroppedAfterItIsDeleted() {
        List<String> events = new CopyOnWriteArrayList<>();
        OwnershipStore inner = recorded();
        OwnershipStore ownership = new OwnershipStore() {
            @Override
            public Optional<Set<VirtualServerKey>> load() {
                return inner.load();
            }

            @Override
            public void save(Set<VirtualServerKey> owned) {
                events.add("save " + owned.contains(WEB_KEY) + " kernel " + ipvs.getService(WEB).isPresent());
                inner.save(owned);
            }
        };
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21"));
        report("198.18.0.21", HealthState.HEALTHY);
        ReconcileLoop l = loop(ownership);
        l.runOnce();
        assertThat(events).containsExactly("save true kernel false");
        assertThat(ipvs.getService(WEB)).isPresent();

        store.replaceAll(List.of());
        l.runOnce();
        assertThat(events).containsExactly("save true kernel false", "save false kernel false");
        assertThat(inner.load()).contains(Set.of());
    }

    @Test
    void aSaveThatFailsSkipsNewServicesOnlyAndTheyAreRetried() throws Exception {
        AtomicBoolean diskFull = new AtomicBoolean(true);
        OwnershipStore inner = recorded(API_KEY);
        OwnershipStore ownership = new OwnershipStore() {
            @Override
            public Optional<Set<VirtualServerKey>> load() {
                return inner.load();
            }

            @Override
            public void save(Set<VirtualServerKey> owned) {
                if (diskFull.get()) {
                    throw new UncheckedIOException(new IOException("No space left on device"));
                }
                inner.save(owned);
            }
        };
        ipvs.addService(VirtualServer.of(API, "wrr"));
        ipvs.addRealServer(API, RealServer.directRoute("198.18.0.31", 80, 5));
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21"),
                spec("api", "198.18.0.101", "wrr", false, "198.18.0.31"));
        report("198.18.0.21", HealthState.HEALTHY);
        report("198.18.0.31", HealthState.HEALTHY);
        ReconcileLoop l = loop(ownership);

        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        assertThat(ipvs.getService(WEB)).isEmpty();
        assertThat(weights(API)).containsExactly(Map.entry("198.18.0.31", 100));
        ApplyError e = service(l, "web").applyError();
        assertThat(e.message()).contains("ownership could not be recorded").contains("No space left on device");
        assertThat(service(l, "api").applyError()).isNull();

        diskFull.set(false);
        Thread.sleep(BACKOFF.toMillis() + 50);
        l.runOnce();
        assertThat(weights(WEB)).containsOnlyKeys("198.18.0.21");
        assertThat(inner.load()).contains(Set.of(WEB_KEY, API_KEY));
        assertThat(service(l, "web").applyError()).isNull();
    }

    @Test
    void aServiceOwnedButNoLongerDesiredIsDeletedAtTheNextStartAndNothingElse() {
        ipvs.addService(VirtualServer.of(WEB, "wrr"));
        ipvs.addService(VirtualServer.of(API, "wrr"));
        VirtualServerKey foreign = VirtualServerKey.tcp("10.96.0.1", 443);
        ipvs.addService(VirtualServer.of(foreign, "rr"));
        ipvs.resetCounts();
        // The director was stopped, "web" was removed from the state meanwhile; the file says it owned both.
        OwnershipStore ownership = recorded(WEB_KEY, API_KEY);
        sync(spec("api", "198.18.0.101", "wrr", false));
        ReconcileLoop l = loop(ownership);
        l.runOnce();
        assertThat(ipvs.appliedOps()).containsExactly(new IpvsOp.DeleteService(WEB));
        assertThat(ipvs.getService(foreign)).isPresent();
        assertThat(ownership.load()).contains(Set.of(API_KEY));
    }

    @Test
    void anUnreadableKernelFailsThePassAsAWhole() {
        AtomicBoolean broken = new AtomicBoolean();
        Ipvs kernel = (Ipvs) Proxy.newProxyInstance(Ipvs.class.getClassLoader(), new Class<?>[] {Ipvs.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("snapshot") && broken.get()) {
                        throw new IpvsException(Errno.ENOMEM, "-L -n", "cannot read");
                    }
                    try {
                        return method.invoke(ipvs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21"));
        report("198.18.0.21", HealthState.HEALTHY);
        ReconcileLoop l = loop(kernel, OwnershipStore.inMemory(), measurements);
        assertThat(l.runOnce().outcome()).isEqualTo(PassResult.Outcome.OK);
        broken.set(true);
        PassResult r = l.runOnce();
        assertThat(r.outcome()).isEqualTo(PassResult.Outcome.FAILED);
        assertThat(l.status().lastPassOk()).isFalse();
        assertThat(l.status().lastError()).contains("ENOMEM");
        assertThat(measurements.failedPasses()).isEqualTo(1);
    }

    @Test
    void theDryRunPlansWhatTheLoopAppliesDrainDeadlineIncluded() {
        sync(spec("web", "198.18.0.100", "wrr", false, "198.18.0.21", "198.18.0.22"));
        report("198.18.0.21", HealthState.HEALTHY);
        report("198.18.0.22", HealthState.HEALTHY);
        ReconcileLoop l = loop(OwnershipStore.inMemory());
        l.runOnce();
        ipvs.setRealServerCounters(WEB, RealServerKey.of("198.18.0.21", 80), 9, 9, 0, Stats.ZERO);
        drains.drain(ManualDrain.everywhere(ip("198.18.0.21")));
        l.runOnce();
        assertThat(weights(WEB)).containsEntry("198.18.0.21", 0);

        // Past the 60 s drain timeout counted from when the loop began the drain.
        clock.advance(Duration.ofSeconds(61));
        ReconcileLoop.DryRun dry = l.dryRun(store.services());
        assertThat(dry.plan().ops()).singleElement().extracting(PlanOp::op).isInstanceOf(IpvsOp.DeleteRealServer.class);
        assertThat(dry.kernelReadAt()).isEqualTo(T0);
        ipvs.resetCounts();
        l.runOnce();
        assertThat(ipvs.appliedOps()).isEqualTo(dry.plan().ops().stream().map(PlanOp::op).toList());
        assertThat(l.dryRun(store.services()).plan().ops()).isEmpty();
    }
}
