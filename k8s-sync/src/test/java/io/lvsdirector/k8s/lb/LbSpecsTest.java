package io.lvsdirector.k8s.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Protocol;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LbSpecsTest {

    /** A Kubernetes object name (DNS-1123 subdomain): what an LvsService can be called. */
    private static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private static LbService svc(String ns, String name, boolean local, int hcnp, List<LbService.Port> ports) {
        return new LbService(ns, name, "u", Instant.EPOCH, true, ports, local, hcnp, List.of(true), false, List.of(),
                null, List.of());
    }

    @Test
    void onePerPortAndAddressDirectRoutingWithTheConfiguredScheduler() {
        LbService s = svc("shop", "web", false, 0, List.of(new LbService.Port("http", "TCP", 80, 30080),
                new LbService.Port("", "UDP", 443, 30443)));
        LbSpecs.Result r = LbSpecs.build(s, List.of(IpAddresses.parse("198.18.0.9"),
                IpAddresses.parse("2001:db8::9")), "mh");
        assertThat(r.problems()).isEmpty();
        assertThat(r.specs()).extracting(ServiceSpec::name).containsExactly(
                "lb..shop.web.tcp-80", "lb..shop.web.tcp-80-v6", "lb..shop.web.udp-443", "lb..shop.web.udp-443-v6");
        ServiceSpec tcp = r.specs().get(0);
        assertThat(tcp.service().forwarding()).isEqualTo(Forwarding.DIRECT_ROUTE);
        assertThat(tcp.service().scheduler()).isEqualTo("mh");
        assertThat(tcp.realServers()).isEqualTo(new RealServerSource.ServiceEndpoints("shop", "web", "http", 1));
        assertThat(tcp.healthCheck()).isEqualTo(new HealthCheck.Tcp(30080, HealthCheck.Timing.DEFAULTS));
        // An unnamed port is found by number; UDP has no probe under Cluster.
        ServiceSpec udp = r.specs().get(2);
        assertThat(udp.realServers()).isEqualTo(new RealServerSource.ServiceEndpoints("shop", "web", "443", 1));
        assertThat(udp.healthCheck()).isNull();
        assertThat(udp.service().protocol()).isEqualTo(Protocol.UDP);
    }

    @Test
    void localProbesKubeProxysHealthzOnTheHealthCheckNodePort() {
        LbService s = svc("shop", "web", true, 32123, List.of(new LbService.Port("dns", "UDP", 53, 0)));
        ServiceSpec spec = LbSpecs.build(s, List.of(IpAddresses.parse("198.18.0.9")), "wrr").specs().get(0);
        assertThat(spec.healthCheck()).isEqualTo(new HealthCheck.Http(32123, "/healthz", null,
                java.util.Set.of(200), java.util.Set.of(503), HealthCheck.Timing.DEFAULTS));
    }

    @Test
    void sctpIsAProblemOfThatPortOnly() {
        LbService s = svc("shop", "web", false, 0, List.of(new LbService.Port("sig", "SCTP", 3868, 0),
                new LbService.Port("http", "TCP", 80, 0)));
        LbSpecs.Result r = LbSpecs.build(s, List.of(IpAddresses.parse("198.18.0.9")), "wrr");
        assertThat(r.specs()).extracting(ServiceSpec::name).containsExactly("lb..shop.web.tcp-80");
        assertThat(r.problems()).singleElement().asString().contains("sig 3868/SCTP");
        // No node port (allocateLoadBalancerNodePorts: false): no probe.
        assertThat(r.specs().get(0).healthCheck()).isNull();
    }

    @Test
    void namesCannotBeLvsServiceNamesAndLongOnesStayUniqueWithinTheLimit() {
        String n = LbSpecs.name("shop", "web", Protocol.TCP, 80, false);
        assertThat(K8S_NAME.matcher(n).matches()).isFalse();
        String ns = "a".repeat(63);
        String a = LbSpecs.name(ns, "b".repeat(63), Protocol.TCP, 65535, true);
        String b = LbSpecs.name(ns, "b".repeat(62) + "c", Protocol.TCP, 65535, true);
        assertThat(a).hasSizeLessThanOrEqualTo(63).startsWith("lb..aaa").endsWith(".tcp-65535-v6").isNotEqualTo(b);
        assertThat(K8S_NAME.matcher(a).matches()).isFalse();
        // A valid director name: the VirtualService constructor takes it.
        LbService s = svc(ns, "b".repeat(63), false, 0, List.of(new LbService.Port("", "TCP", 65535, 0)));
        assertThat(LbSpecs.build(s, List.of(IpAddresses.parse("198.18.0.9")), "wrr").specs()).hasSize(1);
    }
}
