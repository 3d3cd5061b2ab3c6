package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.dest;
import static io.lvsdirector.core.plan.Fixtures.draining;
import static io.lvsdirector.core.plan.Fixtures.failed;
import static io.lvsdirector.core.plan.Fixtures.healthy;
import static io.lvsdirector.core.plan.Fixtures.ip;
import static io.lvsdirector.core.plan.Fixtures.key;
import static io.lvsdirector.core.plan.Fixtures.node;
import static io.lvsdirector.core.plan.Fixtures.staticService;
import static io.lvsdirector.core.plan.Fixtures.target;
import static io.lvsdirector.core.plan.Fixtures.withDrainTimeout;
import static io.lvsdirector.core.plan.Fixtures.withPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesiredStateBuilderTest {

    private static final Map<String, String> EDGE = Map.of("role", "edge");

    private static DesiredState build(List<ServiceSpec> services, List<NodeView> nodes,
            Map<ProbeTarget, HealthStatus> health) {
        return DesiredStateBuilder.build(services, nodes, health, List.of(), Map.of(), T0);
    }

    private static DesiredRealServer only(DesiredState s, String vip, int port, String rs) {
        return s.services().get(key(vip, port)).realServers().get(dest(rs, port));
    }

    @Test
    void healthyStaticServersAreActiveAtTheirWeights() {
        DesiredState s = build(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")), List.of(),
                Map.of(target("10.0.1.1"), healthy(), target("10.0.1.2"), healthy()));

        DesiredService web = s.services().get(key("10.0.0.100", 80));
        assertThat(web.realServers().values()).extracting(DesiredRealServer::disposition)
                .containsExactly(Disposition.ACTIVE, Disposition.ACTIVE);
        assertThat(web.realServers().values()).extracting(DesiredRealServer::desiredWeight)
                .containsExactly(100, 100);
        assertThat(web.allDown()).isFalse();
    }

    @Test
    void servicesCheckingTheSameNodeTheSameWayShareOneProbe() {
        // :80 and :443 both check /ping on :8080, the Traefik way: one probe per node, not two.
        DesiredState s = build(List.of(
                staticService("http", "10.0.0.100", 80, "10.0.1.1"),
                staticService("https", "10.0.0.100", 443, "10.0.1.1")), List.of(), Map.of());
        assertThat(s.probeTargets()).containsExactly(target("10.0.1.1"));
    }

    @Test
    void aCheckWithoutPortProbesTheServicePort() {
        ServiceSpec spec = ServiceSpec.of(VirtualService.tcp("web", ip("10.0.0.100"), 80),
                new RealServerSource.StaticList(List.of(new io.lvsdirector.core.model.StaticRealServer(
                        ip("10.0.1.1"), 1))), HealthCheck.tcp());
        DesiredState s = build(List.of(spec), List.of(), Map.of());
        assertThat(s.probeTargets()).singleElement().satisfies(t -> assertThat(t.check().port()).isEqualTo(80));
    }

    @Test
    void aNodeSelectorPicksMatchingNodesAtTheirAddressInTheVipFamily() {
        ServiceSpec spec = ServiceSpec.of(VirtualService.tcp("web", ip("10.0.0.100"), 80),
                new RealServerSource.NodeSelector(EDGE, 7), null);
        NodeView dual = new NodeView("n3", List.of(ip("fd00::3"), ip("10.0.1.3")), EDGE, true, false, false);
        DesiredState s = build(List.of(spec), List.of(
                node("n1", "10.0.1.1", EDGE),
                node("n2", "10.0.1.2", Map.of("role", "worker")),
                dual,
                node("n4", "fd00::4", EDGE)), Map.of());

        DesiredService web = s.services().get(key("10.0.0.100", 80));
        assertThat(web.realServers().keySet()).containsExactly(dest("10.0.1.1", 80), dest("10.0.1.3", 80));
        assertThat(web.realServers().values()).extracting(DesiredRealServer::node).containsExactly("n1", "n3");
        assertThat(web.realServers().values()).allSatisfy(d -> {
            assertThat(d.disposition()).isEqualTo(Disposition.ACTIVE);
            assertThat(d.spec().weight()).isEqualTo(7);
        });
        assertThat(s.problems()).singleElement().asString().contains("n4");
    }

    @Test
    void aFailedProbeTakesTheServerOutWithItsReason() {
        DesiredState s = build(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")), List.of(),
                Map.of(target("10.0.1.1"), failed("connect refused"), target("10.0.1.2"), healthy()));
        DesiredRealServer d = only(s, "10.0.0.100", 80, "10.0.1.1");
        assertThat(d.disposition()).isEqualTo(Disposition.FAILED);
        assertThat(d.reason()).isEqualTo("connect refused");
        assertThat(d.desiredWeight()).isEqualTo(-1);
    }

    @Test
    void a503DrainsRatherThanFails() {
        DesiredState s = build(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")), List.of(),
                Map.of(target("10.0.1.1"), draining(), target("10.0.1.2"), healthy()));
        DesiredRealServer d = only(s, "10.0.0.100", 80, "10.0.1.1");
        assertThat(d.disposition()).isEqualTo(Disposition.DRAINING);
        assertThat(d.reason()).isEqualTo("draining: 503");
        assertThat(d.desiredWeight()).isZero();
        assertThat(d.drainDeadline()).isEqualTo(T0.plus(ServiceSpec.DEFAULT_DRAIN_TIMEOUT));
    }

    @Test
    void cordonedExcludedNotReadyAndManualNodesDrainWithTheirReason() {
        ServiceSpec spec = ServiceSpec.of(VirtualService.tcp("web", ip("10.0.0.100"), 80),
                new RealServerSource.NodeSelector(Map.of(), 1), null);
        List<NodeView> nodes = List.of(
                node("a", "10.0.1.1", Map.of()).withUnschedulable(true),
                node("b", "10.0.1.2", Map.of()).withExcluded(true),
                node("c", "10.0.1.3", Map.of()).withReady(false),
                node("d", "10.0.1.4", Map.of()),
                node("e", "10.0.1.5", Map.of()));
        DesiredState s = DesiredStateBuilder.build(List.of(spec), nodes, Map.of(),
                List.of(ManualDrain.everywhere(ip("10.0.1.4")), new ManualDrain("other", ip("10.0.1.5"))),
                Map.of(), T0);

        DesiredService web = s.services().get(key("10.0.0.100", 80));
        assertThat(web.realServers().values()).extracting(DesiredRealServer::reason)
                .containsExactly("cordoned", "excluded from load balancers", "node not ready", "manual", "no check");
        assertThat(web.realServers().values()).extracting(DesiredRealServer::disposition)
                .containsExactly(Disposition.DRAINING, Disposition.DRAINING, Disposition.DRAINING,
                        Disposition.DRAINING, Disposition.ACTIVE);
    }

    @Test
    void aFailedProbeWinsOverADrain() {
        // A dead node cannot finish its connections: it goes out at once even when cordoned.
        ServiceSpec spec = ServiceSpec.of(VirtualService.tcp("web", ip("10.0.0.100"), 80),
                new RealServerSource.NodeSelector(Map.of(), 1), Fixtures.PING);
        DesiredState s = build(List.of(spec),
                List.of(node("a", "10.0.1.1", Map.of()).withUnschedulable(true), node("b", "10.0.1.2", Map.of())),
                Map.of(target("10.0.1.1"), failed("timeout"), target("10.0.1.2"), healthy()));
        assertThat(only(s, "10.0.0.100", 80, "10.0.1.1").disposition()).isEqualTo(Disposition.FAILED);
    }

    @Test
    void theDrainStartIsCarriedFromTheLastBuildSoTheDeadlineDoesNotMove() {
        ServiceSpec spec = withDrainTimeout(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2"),
                Duration.ofSeconds(30));
        Map<ProbeTarget, HealthStatus> health = Map.of(target("10.0.1.1"), draining(), target("10.0.1.2"), healthy());
        DesiredState first = DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(), Map.of(), T0);
        DesiredState later = DesiredStateBuilder.build(List.of(spec), List.of(), health, List.of(),
                first.drainStarts(), T0.plusSeconds(20));

        DesiredRealServer d = only(later, "10.0.0.100", 80, "10.0.1.1");
        assertThat(d.since()).isEqualTo(T0);
        assertThat(d.drainDeadline()).isEqualTo(T0.plusSeconds(30));

        DesiredState recovered = DesiredStateBuilder.build(List.of(spec), List.of(),
                Map.of(target("10.0.1.1"), healthy(), target("10.0.1.2"), healthy()), List.of(),
                later.drainStarts(), T0.plusSeconds(40));
        assertThat(recovered.drainStarts()).isEmpty();
    }

    @Test
    void anUnprobedServerIsUnknownAndKeepsTheServiceFromBeingAllDown() {
        DesiredState s = build(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")), List.of(),
                Map.of(target("10.0.1.2"), failed("timeout")));
        assertThat(only(s, "10.0.0.100", 80, "10.0.1.1").disposition()).isEqualTo(Disposition.UNKNOWN);
        assertThat(s.services().get(key("10.0.0.100", 80)).allDown()).isFalse();
    }

    @Test
    void failOpenKeepsEveryServerInAtItsWeightWhenAllAreDown() {
        DesiredState s = build(List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2")), List.of(),
                Map.of(target("10.0.1.1"), failed("timeout"), target("10.0.1.2"), draining()));
        DesiredService web = s.services().get(key("10.0.0.100", 80));
        assertThat(web.allDown()).isTrue();
        assertThat(web.whenAllDown()).isEqualTo(WhenAllDown.FAIL_OPEN);
        assertThat(web.realServers().values()).allSatisfy(d -> {
            assertThat(d.disposition()).isEqualTo(Disposition.FAIL_OPEN);
            assertThat(d.desiredWeight()).isEqualTo(100);
            assertThat(d.reason()).startsWith("fail-open");
        });
        assertThat(s.drainStarts()).isEmpty();
    }

    @Test
    void aSorryServerIsAddedOnlyWhileAllAreDown() {
        ServiceSpec spec = withPolicy(staticService("web", "10.0.0.100", 80, "10.0.1.1"),
                new WhenAllDown.SorryServer(ip("10.0.9.9"), 1));
        DesiredState down = build(List.of(spec), List.of(), Map.of(target("10.0.1.1"), failed("HTTP 500")));
        DesiredState up = build(List.of(spec), List.of(), Map.of(target("10.0.1.1"), healthy()));

        assertThat(down.services().get(key("10.0.0.100", 80)).realServers().values())
                .extracting(DesiredRealServer::disposition)
                .containsExactly(Disposition.FAILED, Disposition.SORRY);
        assertThat(up.services().get(key("10.0.0.100", 80)).realServers()).doesNotContainKey(dest("10.0.9.9", 80));
    }

    @Test
    void emptyLeavesTheServiceWithoutServersWhenAllAreDown() {
        ServiceSpec spec = withPolicy(staticService("web", "10.0.0.100", 80, "10.0.1.1"), WhenAllDown.EMPTY);
        DesiredState s = build(List.of(spec), List.of(), Map.of(target("10.0.1.1"), failed("HTTP 500")));
        DesiredService web = s.services().get(key("10.0.0.100", 80));
        assertThat(web.allDown()).isTrue();
        assertThat(web.realServers().values()).allSatisfy(d -> assertThat(d.desiredWeight()).isEqualTo(-1));
    }

    @Test
    void aSecondSpecForTheSameKernelServiceIsReportedAndIgnored() {
        DesiredState s = build(List.of(
                staticService("b-web", "10.0.0.100", 80, "10.0.1.2"),
                staticService("a-web", "10.0.0.100", 80, "10.0.1.1")), List.of(), Map.of());
        assertThat(s.services()).hasSize(1);
        assertThat(s.services().get(key("10.0.0.100", 80)).name()).isEqualTo("a-web");
        assertThat(s.problems()).singleElement().asString().contains("b-web");
    }

    @Test
    void withoutACheckEveryServerIsHealthy() {
        ServiceSpec spec = ServiceSpec.of(VirtualService.tcp("web", ip("10.0.0.100"), 80),
                new RealServerSource.StaticList(List.of(
                        new io.lvsdirector.core.model.StaticRealServer(ip("10.0.1.1"), 5))), null);
        DesiredState s = build(List.of(spec), List.of(), Map.of());
        DesiredRealServer d = only(s, "10.0.0.100", 80, "10.0.1.1");
        assertThat(d.disposition()).isEqualTo(Disposition.ACTIVE);
        assertThat(d.health()).isEqualTo(HealthState.HEALTHY);
        assertThat(s.probeTargets()).isEmpty();
    }

    @Test
    void theSameInputsGiveTheSameState() {
        List<ServiceSpec> specs = List.of(staticService("web", "10.0.0.100", 80, "10.0.1.1", "10.0.1.2"),
                staticService("api", "10.0.0.101", 443, "10.0.1.2"));
        Map<ProbeTarget, HealthStatus> health = Map.of(target("10.0.1.1"), draining());
        Instant now = T0.plusSeconds(5);
        assertThat(DesiredStateBuilder.build(specs, List.of(), health, List.of(), Map.of(), now))
                .isEqualTo(DesiredStateBuilder.build(List.of(specs.get(1), specs.get(0)), List.of(), health,
                        List.of(), Map.of(), now));
        assertThat(Set.copyOf(specs)).hasSize(2);
    }
}
