package io.lvsdirector.core.plan;

import static io.lvsdirector.core.plan.Fixtures.T0;
import static io.lvsdirector.core.plan.Fixtures.ip;
import static io.lvsdirector.core.plan.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceEndpointsView.EndpointState;
import io.lvsdirector.core.model.ServiceEndpointsView.IpFamily;
import io.lvsdirector.core.model.ServiceEndpointsView.TrafficPolicy;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.ipvs.RealServerKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Real servers of a {@code realServers.kubernetes.service} spec, from a Service's view. */
class ServiceEndpointsBuildTest {

    private static final RealServerSource.ServiceEndpoints TRAEFIK =
            new RealServerSource.ServiceEndpoints("ingress", "traefik", "https", 5);

    /** Dual-stack nodes n1..n3, and n4 with IPv4 only. */
    private static final List<NodeView> NODES = List.of(
            new NodeView("n1", List.of(ip("10.0.1.1"), ip("2001:db8:1::1")), Map.of(), true, false, false),
            new NodeView("n2", List.of(ip("10.0.1.2"), ip("2001:db8:1::2")), Map.of(), true, false, false),
            new NodeView("n3", List.of(ip("10.0.1.3"), ip("2001:db8:1::3")), Map.of(), true, false, false),
            new NodeView("n4", List.of(ip("10.0.1.4")), Map.of(), true, false, false));

    private static ServiceSpec spec(String name, String vip, RealServerSource source) {
        return ServiceSpec.of(VirtualService.tcp(name, ip(vip), 443), source, null);
    }

    private static ServiceEndpointsView view(TrafficPolicy policy, Map<String, EndpointState> v4,
            Map<String, EndpointState> v6) {
        return new ServiceEndpointsView("ingress", "traefik", policy, Set.of(IpFamily.IPV4, IpFamily.IPV6),
                Map.of("https", 443, "http", 80), Map.of(IpFamily.IPV4, v4, IpFamily.IPV6, v6), null, List.of());
    }

    private static DesiredState build(List<ServiceSpec> specs, ServiceEndpointsView v, Instant at,
            Map<DrainKey, Instant> drainStarts) {
        Map<String, ServiceEndpointsView> views = v == null ? Map.of() : Map.of("ingress/traefik", v);
        return DesiredStateBuilder.build(specs, NODES, views, Map.of(), List.of(), drainStarts, Map.of(), at);
    }

    /** address -> desired weight (0 draining) of one service. */
    private static Map<String, Integer> weights(DesiredState s, String vip) {
        return s.services().get(key(vip, 443)).realServers().values().stream()
                .collect(Collectors.toMap(d -> d.key().address().getHostAddress(), DesiredRealServer::desiredWeight,
                        (a, b) -> a, TreeMap::new));
    }

    @Test
    void localGivesTheNodesWithEndpointsAndClusterEveryNode() {
        Map<String, EndpointState> v4 = Map.of("n1", EndpointState.READY, "n3", EndpointState.READY);
        ServiceSpec web = spec("web", "198.18.0.100", TRAEFIK);

        DesiredState local = build(List.of(web), view(TrafficPolicy.LOCAL, v4, Map.of()), T0, Map.of());
        assertThat(weights(local, "198.18.0.100")).containsExactly(Map.entry("10.0.1.1", 5), Map.entry("10.0.1.3", 5));
        assertThat(local.problems()).isEmpty();
        assertThat(local.services().get(key("198.18.0.100", 443)).realServers().values())
                .extracting(DesiredRealServer::node).containsExactly("n1", "n3");

        DesiredState cluster = build(List.of(web), view(TrafficPolicy.CLUSTER, v4, Map.of()), T0, Map.of());
        assertThat(weights(cluster, "198.18.0.100")).containsOnlyKeys("10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4");
        // The real-server port is the virtual port: DR delivers VIP:443 to the node unchanged.
        assertThat(cluster.services().get(key("198.18.0.100", 443)).realServers().keySet())
                .allSatisfy(k -> assertThat(k.port()).isEqualTo(443));
    }

    @Test
    void aNodeWhoseEndpointsAllTerminateDrainsThenLeaves() {
        ServiceSpec web = spec("web", "198.18.0.100", TRAEFIK);
        DesiredState before = build(List.of(web), view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY, "n2", EndpointState.READY), Map.of()), T0, Map.of());
        assertThat(weights(before, "198.18.0.100")).containsEntry("10.0.1.2", 5);

        Instant t1 = T0.plusSeconds(10);
        DesiredState terminating = build(List.of(web), view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY, "n2", EndpointState.TERMINATING), Map.of()), t1,
                before.drainStarts());
        DesiredRealServer n2 = terminating.services().get(key("198.18.0.100", 443)).realServers()
                .get(new RealServerKey(ip("10.0.1.2"), 443));
        assertThat(n2.disposition()).isEqualTo(Disposition.DRAINING);
        assertThat(n2.reason()).isEqualTo("endpoints terminating");
        assertThat(n2.since()).isEqualTo(t1);
        assertThat(n2.drainDeadline()).isEqualTo(t1.plus(ServiceSpec.DEFAULT_DRAIN_TIMEOUT));
        assertThat(weights(terminating, "198.18.0.100")).containsEntry("10.0.1.1", 5).containsEntry("10.0.1.2", 0);

        // The drain keeps its start across builds, as any drain does.
        DesiredState later = build(List.of(web), view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY, "n2", EndpointState.TERMINATING), Map.of()), t1.plusSeconds(30),
                terminating.drainStarts());
        assertThat(later.services().get(key("198.18.0.100", 443)).realServers()
                .get(new RealServerKey(ip("10.0.1.2"), 443)).since()).isEqualTo(t1);

        // Endpoint gone while draining: it keeps draining from the same start (weight 0, out at 0
        // connections or the deadline), so the connections it still has are not cut.
        DesiredState gone = build(List.of(web), view(TrafficPolicy.LOCAL, Map.of("n1", EndpointState.READY), Map.of()),
                t1.plusSeconds(60), later.drainStarts());
        DesiredRealServer goneN2 = gone.services().get(key("198.18.0.100", 443)).realServers()
                .get(new RealServerKey(ip("10.0.1.2"), 443));
        assertThat(goneN2.disposition()).isEqualTo(Disposition.DRAINING);
        assertThat(goneN2.reason()).isEqualTo("endpoints gone");
        assertThat(goneN2.since()).isEqualTo(t1);
        assertThat(goneN2.drainDeadline()).isEqualTo(t1.plus(ServiceSpec.DEFAULT_DRAIN_TIMEOUT));
        assertThat(weights(gone, "198.18.0.100")).containsExactly(Map.entry("10.0.1.1", 5), Map.entry("10.0.1.2", 0));

        // Past the deadline it is no candidate any more: the planner takes it out.
        DesiredState out = build(List.of(web), view(TrafficPolicy.LOCAL, Map.of("n1", EndpointState.READY), Map.of()),
                t1.plus(ServiceSpec.DEFAULT_DRAIN_TIMEOUT), gone.drainStarts());
        assertThat(weights(out, "198.18.0.100")).containsOnlyKeys("10.0.1.1");
        assertThat(out.drainStarts()).isEmpty();
    }

    @Test
    void aReadyNodeWhoseEndpointGoesLeavesAtOnce() {
        ServiceSpec web = spec("web", "198.18.0.100", TRAEFIK);
        DesiredState before = build(List.of(web), view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY, "n2", EndpointState.READY), Map.of()), T0, Map.of());
        // Not draining before (no drain start): nothing to wait for.
        DesiredState gone = build(List.of(web), view(TrafficPolicy.LOCAL, Map.of("n1", EndpointState.READY), Map.of()),
                T0.plusSeconds(1), before.drainStarts());
        assertThat(weights(gone, "198.18.0.100")).containsOnlyKeys("10.0.1.1");
        // A drain start of another service does not keep this one's node.
        ServiceSpec other = spec("other", "198.18.0.101", TRAEFIK);
        DesiredState otherDraining = build(List.of(web, other), view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY, "n2", EndpointState.TERMINATING), Map.of()), T0, Map.of());
        DesiredState bothGone = build(List.of(web, other), view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY), Map.of()), T0.plusSeconds(1),
                Map.of(new DrainKey(key("198.18.0.101", 443), new RealServerKey(ip("10.0.1.2"), 443)),
                        otherDraining.drainStarts().values().iterator().next()));
        assertThat(weights(bothGone, "198.18.0.100")).containsOnlyKeys("10.0.1.1");
        assertThat(weights(bothGone, "198.18.0.101")).containsEntry("10.0.1.2", 0);
    }

    @Test
    void theNodeRulesStillApply() {
        List<NodeView> nodes = List.of(NODES.get(0).withUnschedulable(true), NODES.get(1).withReady(false),
                NODES.get(2).withExcluded(true), NODES.get(3));
        ServiceSpec web = spec("web", "198.18.0.100", TRAEFIK);
        DesiredState s = DesiredStateBuilder.build(List.of(web), nodes,
                Map.of("ingress/traefik", view(TrafficPolicy.CLUSTER, Map.of(), Map.of())), Map.of(), List.of(),
                Map.of(), Map.of(), T0);
        assertThat(s.services().get(key("198.18.0.100", 443)).realServers().values())
                .extracting(DesiredRealServer::reason)
                .containsExactly("cordoned", "node not ready", "excluded from load balancers", "no check");
    }

    @Test
    void anIpv6VipGetsIpv6AddressesFromIpv6Endpoints() {
        ServiceSpec v6 = spec("web6", "2001:db8::100", TRAEFIK);
        ServiceSpec v4 = spec("web4", "198.18.0.100", TRAEFIK);
        // Pods of n1 have IPv4 and IPv6 endpoints, n2 only IPv4 ones, n4 (no IPv6 address) IPv6 ones.
        ServiceEndpointsView v = view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY, "n2", EndpointState.READY),
                Map.of("n1", EndpointState.READY, "n4", EndpointState.READY));
        DesiredState s = build(List.of(v6, v4), v, T0, Map.of());
        assertThat(weights(s, "2001:db8::100")).containsOnlyKeys("2001:db8:1:0:0:0:0:1");
        assertThat(weights(s, "198.18.0.100")).containsOnlyKeys("10.0.1.1", "10.0.1.2");
        assertThat(s.problems()).containsExactly("service web6: node n4 has no IPv6 address for the VIP, ignored");

        // Cluster: every node with an address of the family; the IPv4-only node is skipped with a reason.
        DesiredState c = build(List.of(v6), view(TrafficPolicy.CLUSTER, Map.of(), Map.of()), T0, Map.of());
        assertThat(weights(c, "2001:db8::100")).hasSize(3);
        assertThat(c.problems()).containsExactly("service web6: node n4 has no IPv6 address for the VIP, ignored");
    }

    @Test
    void aServiceThatCannotBeResolvedFailsAloneWithAReason() {
        ServiceSpec other = ServiceSpec.of(VirtualService.tcp("static", ip("198.18.0.9"), 443),
                new RealServerSource.StaticList(List.of(new StaticRealServer(ip("10.0.9.9"), 1))), null);
        ServiceEndpointsView ok = view(TrafficPolicy.CLUSTER, Map.of(), Map.of());
        record Case(RealServerSource.ServiceEndpoints ref, String vip, ServiceEndpointsView view, String problem) {}
        List<Case> all = List.of(
                new Case(TRAEFIK, "198.18.0.100", ServiceEndpointsView.failed("ingress", "traefik",
                        "Service ingress/traefik not found"), "service web: Service ingress/traefik not found"),
                new Case(TRAEFIK, "198.18.0.100", null, "service web: Service ingress/traefik is not known to the"
                        + " endpoint source"),
                new Case(new RealServerSource.ServiceEndpoints("ingress", "traefik", "grpc", 1), "198.18.0.100", ok,
                        "service web: Service ingress/traefik has no port 'grpc' (it has {http=80, https=443})"),
                new Case(new RealServerSource.ServiceEndpoints("ingress", "traefik", "http", 1), "198.18.0.100", ok,
                        "service web: Service ingress/traefik port 'http' is 80, not the virtual port 443 that direct"
                                + " routing delivers to the node"),
                new Case(TRAEFIK, "2001:db8::100", new ServiceEndpointsView("ingress", "traefik", TrafficPolicy.CLUSTER,
                        Set.of(IpFamily.IPV4), Map.of("https", 443), Map.of(), null, List.of()),
                        "service web: Service ingress/traefik has no IPv6 family (ipFamilies [IPv4]): kube-proxy serves"
                                + " no IPv6 LoadBalancer address for it"));
        for (Case c : all) {
            DesiredState s = build(List.of(spec("web", c.vip(), c.ref()), other), c.view(), T0, Map.of());
            assertThat(s.problems()).as(c.problem()).containsExactly(c.problem());
            assertThat(s.services().get(key(c.vip(), 443)).realServers()).as(c.problem()).isEmpty();
            assertThat(s.services().get(key("198.18.0.9", 443)).realServers()).hasSize(1);
        }
        // Port by number works as by name.
        DesiredState byNumber = build(List.of(spec("web", "198.18.0.100",
                new RealServerSource.ServiceEndpoints("ingress", "traefik", "443", 1))), ok, T0, Map.of());
        assertThat(byNumber.problems()).isEmpty();
        assertThat(weights(byNumber, "198.18.0.100")).hasSize(4);
    }

    @Test
    void notesAreShownAndDoNotStopTheView() {
        ServiceEndpointsView v = new ServiceEndpointsView("ingress", "traefik", TrafficPolicy.LOCAL,
                Set.of(IpFamily.IPV4), Map.of("https", 443), Map.of(IpFamily.IPV4, Map.of("n1", EndpointState.READY,
                        "gone", EndpointState.READY)), null, List.of("EndpointSlice ingress/traefik-x malformed, ignored"));
        DesiredState s = build(List.of(spec("web", "198.18.0.100", TRAEFIK)), v, T0, Map.of());
        assertThat(weights(s, "198.18.0.100")).containsOnlyKeys("10.0.1.1");
        assertThat(s.problems()).containsExactly("service web: EndpointSlice ingress/traefik-x malformed, ignored",
                "service web: Service ingress/traefik has endpoints on node gone, which the node source does not"
                        + " know, ignored");
    }

    @Test
    void anIncrementalRebuildEqualsAFullBuild() {
        ServiceSpec web = ServiceSpec.of(VirtualService.tcp("web", ip("198.18.0.100"), 443), TRAEFIK,
                Fixtures.PING);
        ServiceEndpointsView v = view(TrafficPolicy.LOCAL,
                Map.of("n1", EndpointState.READY, "n2", EndpointState.TERMINATING, "n3", EndpointState.READY), Map.of());
        Map<String, ServiceEndpointsView> views = Map.of("ingress/traefik", v);
        DesiredState first = DesiredStateBuilder.build(List.of(web), NODES, views, Map.of(), List.of(), Map.of(),
                Map.of(), T0);
        Map<ProbeTarget, HealthStatus> health = Map.of(new ProbeTarget(ip("10.0.1.1"), Fixtures.PING.resolvePort(443)),
                Fixtures.failed("refused"));
        Instant t1 = T0.plusSeconds(5);
        ServiceTargets targets = ServiceTargets.of(first, List.of(web), NODES);
        DesiredState incremental = DesiredStateBuilder.rebuild(first, List.of(web),
                targets.nodesOf(Set.of(key("198.18.0.100", 443))), views, health, List.of(),
                Set.of(key("198.18.0.100", 443)), t1);
        DesiredState full = DesiredStateBuilder.build(List.of(web), NODES, views, health, List.of(),
                first.drainStarts(), Map.of(), t1);
        assertThat(incremental.services()).isEqualTo(full.services());
        assertThat(incremental.services().get(key("198.18.0.100", 443)).realServers()
                .get(new RealServerKey(ip("10.0.1.1"), 443)).disposition()).isEqualTo(Disposition.FAILED);
    }
}
