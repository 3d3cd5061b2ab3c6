package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.dest;
import static io.lvsdirector.core.plan.Fixtures.draining;
import static io.lvsdirector.core.plan.Fixtures.failed;
import static io.lvsdirector.core.plan.Fixtures.healthy;
import static io.lvsdirector.core.plan.Fixtures.ip;
import static io.lvsdirector.core.plan.Fixtures.key;
import static io.lvsdirector.core.plan.Fixtures.staticService;
import static io.lvsdirector.core.plan.Fixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.Quorum;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.core.status.StatusBuilder;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-service quorum ({@code minHealthy} with hysteresis) and the policy applied below it. */
class QuorumTest {

    private static final VirtualServerKey WEB = key("10.0.0.100", 80);
    private static final String[] SERVERS = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"};

    private static ServiceSpec web(WhenAllDown policy, Quorum quorum) {
        ServiceSpec s = staticService("web", "10.0.0.100", 80, SERVERS);
        return new ServiceSpec(s.service(), s.realServers(), s.healthCheck(), policy, s.drainTimeout(), false,
                null, quorum);
    }

    /** Health with the first {@code up} servers healthy and the rest failed. */
    private static Map<ProbeTarget, HealthStatus> up(int up) {
        Map<ProbeTarget, HealthStatus> h = new HashMap<>();
        for (int i = 0; i < SERVERS.length; i++) {
            h.put(target(SERVERS[i]), i < up ? healthy() : failed("timeout"));
        }
        return h;
    }

    private static DesiredState build(ServiceSpec spec, Map<ProbeTarget, HealthStatus> health, DesiredState before,
            Instant at) {
        return DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(),
                before == null ? Map.of() : before.drainStarts(), before == null ? Map.of() : before.quorumMemory(), at);
    }

    private static Map<String, Disposition> dispositions(DesiredState s) {
        Map<String, Disposition> out = new java.util.TreeMap<>();
        s.services().get(WEB).realServers().values()
                .forEach(d -> out.put(d.key().address().getHostAddress(), d.disposition()));
        return out;
    }

    @Test
    void exactlyMinHealthyIsInQuorum() {
        DesiredState s = build(web(WhenAllDown.FAIL_OPEN, new Quorum(3, 0)), up(3), null, T0);

        DesiredService ds = s.services().get(WEB);
        assertThat(ds.allDown()).isFalse();
        assertThat(ds.belowQuorumSince()).isNull();
        assertThat(s.belowQuorum()).isEmpty();
        assertThat(dispositions(s)).containsValues(Disposition.ACTIVE, Disposition.ACTIVE, Disposition.ACTIVE,
                Disposition.FAILED);
    }

    @Test
    void oneBelowMinHealthyFailsOpenEveryServerAtItsWeight() {
        DesiredState s = build(web(WhenAllDown.FAIL_OPEN, new Quorum(3, 0)), up(2), null, T0);

        DesiredService ds = s.services().get(WEB);
        assertThat(ds.allDown()).isTrue();
        assertThat(ds.belowQuorumSince()).isEqualTo(T0);
        assertThat(s.belowQuorum()).containsEntry(WEB, T0);
        assertThat(dispositions(s)).containsExactly(Map.entry("10.0.1.1", Disposition.ACTIVE),
                Map.entry("10.0.1.2", Disposition.ACTIVE), Map.entry("10.0.1.3", Disposition.FAIL_OPEN),
                Map.entry("10.0.1.4", Disposition.FAIL_OPEN));
        assertThat(ds.realServers().values()).extracting(DesiredRealServer::desiredWeight)
                .containsOnly(100);
        assertThat(ds.realServers().get(dest("10.0.1.3", 80)).reason())
                .isEqualTo("fail-open: below quorum, 2 healthy of minHealthy 3 (timeout)");
    }

    @Test
    void hysteresisKeepsThePolicyUntilMinHealthyPlusHysteresisAndTheSinceDoesNotMove() {
        ServiceSpec spec = web(WhenAllDown.FAIL_OPEN, new Quorum(2, 1));
        Instant t1 = T0.plusSeconds(1);
        Instant t2 = T0.plusSeconds(2);
        Instant t3 = T0.plusSeconds(3);

        DesiredState s0 = build(spec, up(2), null, T0);
        assertThat(s0.services().get(WEB).allDown()).as("2 of minHealthy 2: in quorum").isFalse();
        DesiredState s1 = build(spec, up(1), s0, t1);
        assertThat(s1.services().get(WEB).belowQuorumSince()).isEqualTo(t1);
        // Back at 2 (= minHealthy) is not enough: without hysteresis this would flap in and out.
        DesiredState s2 = build(spec, up(2), s1, t2);
        assertThat(s2.services().get(WEB).allDown()).isTrue();
        assertThat(s2.services().get(WEB).belowQuorumSince()).as("since stays the first loss").isEqualTo(t1);
        assertThat(dispositions(s2)).containsValue(Disposition.FAIL_OPEN);
        // 3 = minHealthy + hysteresis: back.
        DesiredState s3 = build(spec, up(3), s2, t3);
        assertThat(s3.services().get(WEB).allDown()).isFalse();
        assertThat(s3.belowQuorum()).isEmpty();
        assertThat(dispositions(s3)).doesNotContainValue(Disposition.FAIL_OPEN);
        // And in quorum again, 2 healthy keeps it in: the band is above minHealthy, not around it.
        assertThat(build(spec, up(2), s3, t3.plusSeconds(1)).services().get(WEB).allDown()).isFalse();
    }

    @Test
    void withoutTheLastBuildsMemoryTheSameHealthIsInQuorum() {
        // What makes the hysteresis depend on belowQuorum being passed on (a restart starts in quorum).
        ServiceSpec spec = web(WhenAllDown.FAIL_OPEN, new Quorum(2, 1));
        assertThat(build(spec, up(2), null, T0).services().get(WEB).allDown()).isFalse();
    }

    @Test
    void minHealthyAboveTheCandidatesKeepsTheServiceBelowQuorumEvenAllHealthy() {
        DesiredState s = build(web(WhenAllDown.FAIL_OPEN, new Quorum(5, 0)), up(4), null, T0);

        DesiredService ds = s.services().get(WEB);
        assertThat(ds.allDown()).isTrue();
        assertThat(ds.minHealthy()).isEqualTo(5);
        assertThat(dispositions(s)).containsOnlyKeys(SERVERS).doesNotContainValue(Disposition.FAILED);
        ServiceStatus st = StatusBuilder.services(s, KernelTable.EMPTY).get(0);
        assertThat(st.allDown()).isTrue();
        assertThat(st.minHealthy()).isEqualTo(5);
        assertThat(st.belowQuorumSince()).isEqualTo(T0);
    }

    @Test
    void drainingServersDoNotCountAsHealthyButUnprobedOnesDo() {
        ServiceSpec spec = web(WhenAllDown.FAIL_OPEN, new Quorum(3, 0));
        Map<ProbeTarget, HealthStatus> h = up(4);
        h.put(target("10.0.1.3"), draining());
        DesiredState s = DesiredStateBuilder.build(List.of(spec), List.of(), h,
                List.of(new ManualDrain("web", ip("10.0.1.4"))), Map.of(), Map.of(), T0);
        assertThat(s.services().get(WEB).allDown()).as("2 healthy, 2 draining").isTrue();
        assertThat(dispositions(s).get("10.0.1.3")).isEqualTo(Disposition.FAIL_OPEN);
        assertThat(s.drainStarts()).as("a fail-open server is not draining").isEmpty();

        // Not probed yet counts as healthy, so a restart changes nothing before the first probe.
        Map<ProbeTarget, HealthStatus> unprobed = up(2);
        unprobed.remove(target("10.0.1.3"));
        assertThat(build(spec, unprobed, null, T0).services().get(WEB).allDown()).isFalse();
    }

    @Test
    void belowQuorumASorryServerIsAddedAndTheHealthyOnesDrain() {
        ServiceSpec spec = web(new WhenAllDown.SorryServer(ip("10.0.9.9"), 1), new Quorum(3, 0));
        DesiredState s = build(spec, up(2), null, T0);

        DesiredService ds = s.services().get(WEB);
        assertThat(ds.allDown()).isTrue();
        assertThat(ds.realServers().get(dest("10.0.9.9", 80)).disposition()).isEqualTo(Disposition.SORRY);
        assertThat(dispositions(s)).containsEntry("10.0.1.1", Disposition.DRAINING)
                .containsEntry("10.0.1.2", Disposition.DRAINING).containsEntry("10.0.1.3", Disposition.FAILED);
        DesiredRealServer d = ds.realServers().get(dest("10.0.1.1", 80));
        assertThat(d.reason()).isEqualTo("sorry-server: below quorum, 2 healthy of minHealthy 3");
        assertThat(d.drainDeadline()).isEqualTo(T0.plus(spec.drainTimeout()));
        assertThat(s.drainStarts()).hasSize(2);

        // Quorum back: the sorry server goes, the drained ones are active again.
        DesiredState back = build(spec, up(3), s, T0.plusSeconds(5));
        assertThat(back.services().get(WEB).realServers()).doesNotContainKey(dest("10.0.9.9", 80));
        assertThat(dispositions(back)).containsEntry("10.0.1.1", Disposition.ACTIVE);
        assertThat(back.drainStarts()).isEmpty();
    }

    @Test
    void belowQuorumEmptyDrainsTheHealthyOnes() {
        DesiredState s = build(web(WhenAllDown.EMPTY, new Quorum(3, 0)), up(2), null, T0);
        assertThat(dispositions(s)).containsExactly(Map.entry("10.0.1.1", Disposition.DRAINING),
                Map.entry("10.0.1.2", Disposition.DRAINING), Map.entry("10.0.1.3", Disposition.FAILED),
                Map.entry("10.0.1.4", Disposition.FAILED));
    }

    @Test
    void theDefaultQuorumIsTheAllDownRule() {
        ServiceSpec spec = web(WhenAllDown.FAIL_OPEN, null);
        assertThat(spec.quorum()).isEqualTo(Quorum.DEFAULT);
        assertThat(build(spec, up(1), null, T0).services().get(WEB).allDown()).isFalse();
        DesiredState down = build(spec, up(0), null, T0);
        assertThat(down.services().get(WEB).allDown()).isTrue();
        assertThat(down.services().get(WEB).realServers().get(dest("10.0.1.1", 80)).reason())
                .isEqualTo("fail-open: all down (timeout)");
    }

    @Test
    void keepLastHealthyKeepsTheRotationOfTheMomentQuorumWasLost() {
        ServiceSpec spec = web(WhenAllDown.KEEP_LAST_HEALTHY, new Quorum(2, 0));
        // .4 is out before quorum goes; .1, .2, .3 are in rotation.
        DesiredState s0 = build(spec, up(3), null, T0);
        assertThat(s0.services().get(WEB).allDown()).isFalse();
        // .2 and .3 fail in one pass: 1 healthy of 2. The three that were in stay in, .4 stays out.
        DesiredState s1 = build(spec, up(1), s0, T0.plusSeconds(1));
        assertThat(s1.services().get(WEB).allDown()).isTrue();
        assertThat(dispositions(s1)).containsExactly(Map.entry("10.0.1.1", Disposition.ACTIVE),
                Map.entry("10.0.1.2", Disposition.FAIL_OPEN), Map.entry("10.0.1.3", Disposition.FAIL_OPEN),
                Map.entry("10.0.1.4", Disposition.FAILED));
        assertThat(s1.services().get(WEB).realServers().get(dest("10.0.1.2", 80)).reason())
                .isEqualTo("keep-last-healthy: below quorum, 1 healthy of minHealthy 2 (timeout)");
        // Still below, the kept set does not shrink with the next failure.
        DesiredState s2 = build(spec, up(0), s1, T0.plusSeconds(2));
        assertThat(dispositions(s2)).containsEntry("10.0.1.1", Disposition.FAIL_OPEN)
                .containsEntry("10.0.1.4", Disposition.FAILED);
        assertThat(s2.services().get(WEB).belowQuorumSince()).isEqualTo(T0.plusSeconds(1));
        // Back in quorum: the ordinary rules.
        DesiredState s3 = build(spec, up(2), s2, T0.plusSeconds(3));
        assertThat(dispositions(s3)).containsExactly(Map.entry("10.0.1.1", Disposition.ACTIVE),
                Map.entry("10.0.1.2", Disposition.ACTIVE), Map.entry("10.0.1.3", Disposition.FAILED),
                Map.entry("10.0.1.4", Disposition.FAILED));
        assertThat(s3.belowQuorum()).isEmpty();
    }

    @Test
    void keepLastHealthyKeepsOnlyWhatIsStillACandidate() {
        ServiceSpec spec = web(WhenAllDown.KEEP_LAST_HEALTHY, new Quorum(3, 0));
        DesiredState s0 = build(spec, up(4), null, T0);
        // .4 leaves the spec while quorum is lost: it is no candidate, so it is not kept.
        ServiceSpec smaller = staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2", "10.0.1.3");
        smaller = new ServiceSpec(smaller.service(), smaller.realServers(), smaller.healthCheck(),
                WhenAllDown.KEEP_LAST_HEALTHY, smaller.drainTimeout(), false, null, new Quorum(3, 0));
        DesiredState s1 = build(smaller, up(1), s0, T0.plusSeconds(1));
        assertThat(dispositions(s1)).containsOnlyKeys("10.0.1.1", "10.0.1.2", "10.0.1.3")
                .containsEntry("10.0.1.2", Disposition.FAIL_OPEN);
    }

    @Test
    void keepLastHealthyWithoutMemoryKeepsWhatIsHealthyNow() {
        // A new process below quorum: no rotation to keep but the healthy one, the failed stay out.
        DesiredState s = build(web(WhenAllDown.KEEP_LAST_HEALTHY, new Quorum(2, 0)), up(1), null, T0);
        assertThat(dispositions(s)).containsEntry("10.0.1.1", Disposition.ACTIVE)
                .containsEntry("10.0.1.2", Disposition.FAILED);
    }

    @Test
    void quorumBoundsAreChecked() {
        assertThatThrownBy(() -> new Quorum(0, 0)).hasMessageContaining("minHealthy");
        assertThatThrownBy(() -> new Quorum(65536, 0)).hasMessageContaining("minHealthy");
        assertThatThrownBy(() -> new Quorum(1, -1)).hasMessageContaining("hysteresis");
    }
}
