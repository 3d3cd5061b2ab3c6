package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.status.CountingMeasurements;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthProberTest {

    private record Event(ProbeTarget target, HealthStatus status, int requestsSoFar) {}

    private NettyChecker checker;
    private HealthProber prober;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CountingMeasurements measurements = new CountingMeasurements();
    private final List<ScriptedServer> servers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        checker = NettyChecker.create(1);
        // Warm the JIT and the class loader: the tests count probes, and a cold first probe may
        // miss a 50 ms timeout on a loaded machine.
        try (ScriptedServer warm = new ScriptedServer("127.0.11.254").answer(200)) {
            for (int i = 0; i < 3; i++) {
                checker.probe(new ProbeTarget(warm.address(), HealthCheck.http().withPort(warm.port())
                        .withTiming(Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 1)))
                        .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (prober != null) {
            prober.close();
        }
        checker.close();
        for (ScriptedServer s : servers) {
            s.close();
        }
    }

    private ScriptedServer server(String address) throws Exception {
        ScriptedServer s = new ScriptedServer(address);
        servers.add(s);
        return s;
    }

    private void startProber(Duration renotify) {
        prober = HealthProber.create(checker, (t, s) -> {
            ScriptedServer server = servers.stream().filter(x -> x.port() == t.check().port()).findFirst().orElseThrow();
            events.add(new Event(t, s, server.requests.get()));
        }, measurements, Clock.systemUTC(), renotify);
    }

    private static ProbeTarget target(ScriptedServer s, int rise, int fall) {
        return new ProbeTarget(s.address(), HealthCheck.http().withPort(s.port())
                .withTiming(Duration.ofMillis(100), Duration.ofMillis(100), rise, fall));
    }

    private List<HealthState> states() {
        return events.stream().map(e -> e.status().state()).toList();
    }

    @Test
    void theFirstAnswerSetsTheStateAtOnce() throws Exception {
        ScriptedServer s = server("127.0.11.1").answer(503);
        startProber(Duration.ofHours(1));
        prober.setTargets(Set.of(target(s, 2, 3)));
        await().atMost(Duration.ofSeconds(3)).until(() -> !events.isEmpty());
        assertThat(events.get(0).status().state()).isEqualTo(HealthState.DRAINING);
        assertThat(events.get(0).requestsSoFar()).isEqualTo(1);
    }

    @Test
    void aFirstFailureNeedsFallFailuresLikeAHealthyServer() throws Exception {
        ScriptedServer s = server("127.0.11.9").answer(500);
        startProber(Duration.ofHours(1));
        prober.setTargets(Set.of(target(s, 2, 3)));
        await().atMost(Duration.ofSeconds(3)).until(() -> !events.isEmpty());
        assertThat(events.get(0).status().state()).isEqualTo(HealthState.FAILED);
        assertThat(events.get(0).status().reason()).isEqualTo("HTTP 500");
        assertThat(events.get(0).requestsSoFar()).isEqualTo(3);
    }

    @Test
    void fallFailuresInARowTakeItOutAndRiseSuccessesBringItBack() throws Exception {
        ScriptedServer s = server("127.0.11.2").answer(200);
        startProber(Duration.ofHours(1));
        prober.setTargets(Set.of(target(s, 2, 3)));
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.HEALTHY));

        int before = s.requests.get();
        s.answer(500);
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.FAILED));
        Event out = events.get(events.size() - 1);
        // Three 500s were needed (one request may have been answered 200 while switching).
        assertThat(out.requestsSoFar() - before).isBetween(3, 4);
        assertThat(out.status().reason()).isEqualTo("HTTP 500");

        int failedAt = s.requests.get();
        s.answer(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> states().size() == 3);
        Event back = events.get(2);
        assertThat(back.status().state()).isEqualTo(HealthState.HEALTHY);
        assertThat(back.requestsSoFar() - failedAt).isBetween(2, 3);
    }

    @Test
    void aSingleFailureBetweenSuccessesChangesNothing() throws Exception {
        ScriptedServer s = server("127.0.11.3").answer(200);
        startProber(Duration.ofHours(1));
        prober.setTargets(Set.of(target(s, 2, 3)));
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.HEALTHY));
        for (int i = 0; i < 5; i++) {
            int n = s.requests.get();
            // Two failures in a row are one short of fall = 3.
            s.failNext.set(2);
            await().atMost(Duration.ofSeconds(2)).until(() -> s.requests.get() >= n + 4);
        }
        assertThat(states()).containsExactly(HealthState.HEALTHY);
    }

    @Test
    void a503DrainsAfterFallAnswersAndOnlyTransitionsAreReported() throws Exception {
        ScriptedServer s = server("127.0.11.4").answer(200);
        startProber(Duration.ofHours(1));
        prober.setTargets(Set.of(target(s, 2, 3)));
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.HEALTHY));
        s.answer(503);
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.DRAINING));
        int n = s.requests.get();
        await().atMost(Duration.ofSeconds(3)).until(() -> s.requests.get() >= n + 10);
        assertThat(states()).containsExactly(HealthState.HEALTHY, HealthState.DRAINING);
        assertThat(events.get(1).status().reason()).isEqualTo("draining: 503");
        assertThat(measurements.transitions()).containsEntry("HEALTHY->DRAINING", 1L);
    }

    @Test
    void aStoppedServerFailsAsRefusedAndComesBackAfterRise() throws Exception {
        ScriptedServer s = server("127.0.11.5").answer(200);
        int port = s.port();
        startProber(Duration.ofHours(1));
        ProbeTarget t = target(s, 2, 2);
        prober.setTargets(Set.of(t));
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.HEALTHY));
        s.close();
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.FAILED));
        assertThat(prober.statuses().get(t).reason()).isEqualTo("connect refused");
        assertThat(measurements.failedProbes()).isGreaterThanOrEqualTo(2);
        assertThat(port).isPositive();
    }

    @Test
    void everyStateIsReportedAgainPeriodically() throws Exception {
        ScriptedServer s = server("127.0.11.6").answer(200);
        startProber(Duration.ofMillis(150));
        prober.setTargets(Set.of(target(s, 2, 2)));
        await().atMost(Duration.ofSeconds(3)).until(() -> events.size() >= 4);
        assertThat(states()).containsOnly(HealthState.HEALTHY);
    }

    @Test
    void aRemovedTargetIsNoLongerProbed() throws Exception {
        ScriptedServer s = server("127.0.11.7").answer(200);
        startProber(Duration.ofHours(1));
        prober.setTargets(Set.of(target(s, 2, 2)));
        await().atMost(Duration.ofSeconds(3)).until(() -> s.requests.get() >= 3);
        prober.setTargets(Set.of());
        Thread.sleep(100);
        int n = s.requests.get();
        Thread.sleep(300);
        assertThat(s.requests.get()).isEqualTo(n);
        assertThat(prober.size()).isZero();
    }

    @Test
    void startsAreSpreadOverTheFirstInterval() throws Exception {
        // 40 targets on distinct loopback addresses: with jitter their first probes do not all
        // land at once.
        List<ProbeTarget> targets = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            ScriptedServer s = server("127.0.12." + i).answer(200);
            targets.add(new ProbeTarget(s.address(), HealthCheck.http().withPort(s.port())
                    .withTiming(Duration.ofMillis(400), Duration.ofMillis(300), 1, 1)));
        }
        List<Long> firstAt = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        prober = HealthProber.create(checker, (t, st) -> firstAt.add(System.nanoTime() - t0), measurements,
                Clock.systemUTC(), Duration.ofHours(1));
        prober.setTargets(Set.copyOf(targets));
        await().atMost(Duration.ofSeconds(3)).until(() -> firstAt.size() == 40);
        long spreadMs = (firstAt.stream().mapToLong(x -> x).max().orElseThrow()
                - firstAt.stream().mapToLong(x -> x).min().orElseThrow()) / 1_000_000;
        assertThat(spreadMs).isGreaterThan(150);
    }

    @Test
    void theDefaultCheckTakesASilentNodeOutAfterFallTimeouts() throws Exception {
        ScriptedServer s = server("127.0.11.8").answer(200);
        startProber(Duration.ofHours(1));
        ProbeTarget t = new ProbeTarget(s.address(), HealthCheck.http().withPort(s.port()));
        prober.setTargets(Set.of(t));
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.HEALTHY));
        long t0 = System.nanoTime();
        // Silent, not refusing: the slow case, where every probe has to wait for its timeout.
        s.mode = ScriptedServer.Mode.SILENT;
        await().atMost(Duration.ofSeconds(3)).until(() -> states().contains(HealthState.FAILED));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // Not at the first timeout (fall 3 at 100 ms apart takes at least two more intervals), and in
        // the order of the goal rather than seconds. The 500 ms goal itself is a figure for
        // DeadNodeBenchmark: a 2-core CI machine under load must not fail a build over a few ms.
        assertThat(ms).isBetween(150L, 1_500L);
    }

    @Test
    void aLateStartSkipsToTheTargetsOwnGridInsteadOfJoiningEveryOtherLateTarget() {
        long interval = 1_000;
        // A start a tick late, or up to an interval late, goes at once (a timeout's own delay).
        assertThat(HealthProber.Probe.onGrid(10_000, 10_002, interval)).isEqualTo(10_000);
        assertThat(HealthProber.Probe.onGrid(10_000, 11_000, interval)).isEqualTo(10_000);
        assertThat(HealthProber.Probe.onGrid(10_000, 9_000, interval)).isEqualTo(10_000);
        // Later than that (a stall): the next start after now at the same phase, not now.
        assertThat(HealthProber.Probe.onGrid(10_000, 11_001, interval)).isEqualTo(12_000);
        assertThat(HealthProber.Probe.onGrid(10_000, 13_700, interval)).isEqualTo(14_000);
        assertThat(HealthProber.Probe.onGrid(10_250, 13_000, interval)).isEqualTo(13_250);
    }

    @Test
    void startsOfAOneSecondCheckShareTenMillisecondSlotsAndADefaultChecksKeepTheTick() {
        long ms = 1_000_000;
        assertThat(HealthProber.batchGrid(1_000 * ms)).isEqualTo(10 * ms);
        assertThat(HealthProber.batchGrid(30_000 * ms)).isEqualTo(10 * ms);
        // The default 100 ms check: one tick, so its starts and timeouts move by no more than before.
        assertThat(HealthProber.batchGrid(100 * ms)).isEqualTo(TickWheel.TICK_NANOS);
        assertThat(HealthProber.batchGrid(500 * ms)).isEqualTo(5 * ms);
        long grid = 10 * ms;
        assertThat(HealthProber.alignUp(123 * ms, grid)).isEqualTo(130 * ms);
        assertThat(HealthProber.alignUp(130 * ms, grid)).isEqualTo(130 * ms);
        assertThat(HealthProber.alignUp(-15 * ms, grid)).isEqualTo(-10 * ms);
        // An interval that is a multiple of the grid keeps every later start on it.
        long start = HealthProber.alignUp(987_654_321L, grid);
        assertThat((start + 7 * 1_000 * ms) % grid).isZero();
    }
}
