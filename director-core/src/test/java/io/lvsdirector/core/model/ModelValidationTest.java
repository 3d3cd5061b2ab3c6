package io.lvsdirector.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.Forwarding;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelValidationTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aVirtualServiceRefusesBadValues() throws Exception {
        InetAddress vip = ip("198.18.0.100");
        assertThatThrownBy(() -> VirtualService.tcp("Web", vip, 80)).hasMessageContaining("DNS label");
        assertThatThrownBy(() -> VirtualService.tcp("web", vip, 0)).hasMessageContaining("port");
        assertThatThrownBy(() -> VirtualService.tcp("web", vip, 65536)).hasMessageContaining("port");
        assertThatThrownBy(() -> VirtualService.tcp("web", vip, 80).withScheduler("a-very-long-scheduler"))
                .hasMessageContaining("scheduler");
        assertThatThrownBy(() -> VirtualService.tcp("web", ip("0.0.0.0"), 80)).hasMessageContaining("unicast");
        assertThatThrownBy(() -> VirtualService.tcp("web", vip, 80).withFlags(Set.of(ServiceFlag.ONE_PACKET)))
                .hasMessageContaining("UDP");
        assertThatThrownBy(() -> VirtualService.tcp("web", vip, 80)
                .withPersistence(new Persistence(Duration.ofSeconds(60), 33))).hasMessageContaining("0..32");
    }

    @Test
    void directRoutingIsTheDefaultAndFlagsAreCopied() throws Exception {
        Set<ServiceFlag> flags = new java.util.HashSet<>(Set.of(ServiceFlag.SCHED_FLAG_1));
        VirtualService vs = VirtualService.tcp("web", ip("198.18.0.100"), 80).withScheduler("sh").withFlags(flags);
        flags.add(ServiceFlag.SCHED_FLAG_2);
        assertThat(vs.forwarding()).isEqualTo(Forwarding.DIRECT_ROUTE);
        assertThat(vs.flags()).containsExactly(ServiceFlag.SCHED_FLAG_1);
        assertThatThrownBy(() -> vs.flags().add(ServiceFlag.SCHED_FLAG_3))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void persistenceHasOneSpellingPerBehaviour() throws Exception {
        assertThat(new Persistence(Duration.ZERO, 24)).isEqualTo(Persistence.NONE);
        VirtualService v4 = VirtualService.tcp("web", ip("198.18.0.100"), 80)
                .withPersistence(new Persistence(Duration.ofSeconds(300), 32));
        VirtualService v6 = VirtualService.tcp("web", ip("fd00::100"), 80)
                .withPersistence(new Persistence(Duration.ofSeconds(300), 128));
        assertThat(v4.persistence()).isEqualTo(Persistence.of(Duration.ofSeconds(300)));
        assertThat(v6.persistence()).isEqualTo(Persistence.of(Duration.ofSeconds(300)));
        assertThatThrownBy(() -> Persistence.of(Duration.ofMillis(1500))).hasMessageContaining("whole seconds");
    }

    @Test
    void aHealthCheckValidatesAndNormalises() {
        HealthCheck.Http http = HealthCheck.http();
        assertThat(http.interval()).isEqualTo(Duration.ofMillis(100));
        assertThat(http.expectedStatuses()).containsExactly(200);
        assertThat(http.drainStatuses()).containsExactly(503);
        assertThatThrownBy(() -> http.withPath("ping")).hasMessageContaining("path");
        assertThatThrownBy(() -> http.withHost("a b")).hasMessageContaining("host");
        assertThatThrownBy(() -> http.withStatuses(Set.of(200, 503), Set.of(503))).hasMessageContaining("both");
        assertThatThrownBy(() -> http.withStatuses(Set.of(99), Set.of())).hasMessageContaining("status");
        assertThatThrownBy(() -> http.withTiming(Duration.ofMillis(100), Duration.ofMillis(200), 1, 1))
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> http.withTiming(Duration.ofMillis(100), Duration.ofMillis(50), 0, 1))
                .hasMessageContaining("rise");
        assertThat(new HealthCheck.Http(0, "/ping", null, null, null, HealthCheck.Timing.DEFAULTS)).isEqualTo(http);
        assertThatThrownBy(() -> http.withStatuses(Set.of(), Set.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> HealthCheck.tcp().withPort(65536)).hasMessageContaining("port");
        // A TCP check is a port and its timing: equal TCP checks are equal records, so one probe.
        assertThat(HealthCheck.tcp().withPort(80)).isEqualTo(new HealthCheck.Tcp(80, HealthCheck.Timing.DEFAULTS));
        assertThat(HealthCheck.tcp().withPort(80)).isNotEqualTo(HealthCheck.tcp().withPort(81));
        assertThat(HealthCheck.tcp().withTiming(Duration.ofSeconds(1), Duration.ofMillis(200), 1, 5).timing())
                .isEqualTo(new HealthCheck.Timing(Duration.ofSeconds(1), Duration.ofMillis(200), 1, 5));
        assertThat(HealthCheck.tcp().resolvePort(443)).isEqualTo(HealthCheck.tcp().withPort(443));
        assertThat(HealthCheck.tcp().withPort(80).describe("10.0.0.1")).isEqualTo("tcp://10.0.0.1:80");
        assertThat(http.withPort(8080).describe("[2001:db8::1]")).isEqualTo("http://[2001:db8::1]:8080/ping");
        // match picks the function of the record's own kind.
        assertThat(http.<String>match(h -> "http " + h.path(), s -> "https", t -> "tcp")).isEqualTo("http /ping");
        assertThat(HealthCheck.tcp().<String>match(h -> "http", s -> "https", t -> "tcp " + t.port())).isEqualTo("tcp 0");
        assertThat(HealthCheck.https().<String>match(h -> "http", s -> "https " + s.path(), t -> "tcp"))
                .isEqualTo("https /ping");
        // An HTTPS check: the HTTP rules, plus its trust.
        HealthCheck.Https https = HealthCheck.https().withPort(8443).withHost("edge.example");
        assertThat(https.describe("10.0.0.1")).isEqualTo("https://10.0.0.1:8443/ping");
        assertThat(https.asHttp()).isEqualTo(http.withPort(8443).withHost("edge.example"));
        assertThat(https.withCaFile("/etc/ca.pem").caFile()).isEqualTo("/etc/ca.pem");
        assertThat(https.withCaFile("/etc/ca.pem").withInsecureSkipVerify(true).caFile()).isNull();
        assertThatThrownBy(() -> https.withCaFile("ca.pem")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> new HealthCheck.Https(0, "/", null, null, null, "/ca.pem", true,
                HealthCheck.Timing.DEFAULTS)).hasMessageContaining("insecureSkipVerify");
        assertThatThrownBy(() -> https.withPath("ping")).hasMessageContaining("path");
        assertThat(https).isNotEqualTo(https.withInsecureSkipVerify(true));
        assertThat(http.resolvePort(80).port()).isEqualTo(80);
        assertThat(http.withPort(8080).resolvePort(80).port()).isEqualTo(8080);
    }

    @Test
    void sourcesCopyAndValidate() throws Exception {
        List<StaticRealServer> list = new ArrayList<>(List.of(new StaticRealServer(ip("10.0.0.1"), 1)));
        RealServerSource.StaticList s = new RealServerSource.StaticList(list);
        list.add(new StaticRealServer(ip("10.0.0.2"), 1));
        assertThat(s.servers()).hasSize(1);
        assertThatThrownBy(() -> new RealServerSource.StaticList(List.of(new StaticRealServer(ip("10.0.0.1"), 1),
                new StaticRealServer(ip("10.0.0.1"), 2)))).hasMessageContaining("distinct");
        assertThatThrownBy(() -> new StaticRealServer(ip("10.0.0.1"), 0)).hasMessageContaining("weight");

        Map<String, String> labels = new HashMap<>(Map.of("node-role.kubernetes.io/edge", ""));
        RealServerSource.NodeSelector sel = new RealServerSource.NodeSelector(labels, 1);
        labels.put("x", "y");
        assertThat(sel.labels()).hasSize(1);
        assertThat(sel.matches(Map.of("node-role.kubernetes.io/edge", "", "other", "1"))).isTrue();
        assertThat(sel.matches(Map.of("other", "1"))).isFalse();
        assertThatThrownBy(() -> new RealServerSource.NodeSelector(Map.of("bad key!", "v"), 1))
                .hasMessageContaining("label key");
    }

    @Test
    void aSpecDefaultsToFailOpenAndRefusesASorryServerOfAnotherFamily() throws Exception {
        ServiceSpec spec = new ServiceSpec(VirtualService.tcp("web", ip("198.18.0.100"), 80),
                new RealServerSource.StaticList(List.of()), null, null, null);
        assertThat(spec.whenAllDown()).isEqualTo(WhenAllDown.FAIL_OPEN);
        assertThat(spec.whenAllDown().label()).isEqualTo("fail-open");
        assertThat(spec.drainTimeout()).isEqualTo(ServiceSpec.DEFAULT_DRAIN_TIMEOUT);
        assertThatThrownBy(() -> new ServiceSpec(spec.service(), spec.realServers(), null,
                new WhenAllDown.SorryServer(ip("fd00::1"), 1), null)).hasMessageContaining("family");
    }

    @Test
    void aNodePicksTheAddressOfTheVipFamily() throws Exception {
        NodeView n = new NodeView("n1", List.of(ip("fd00::1"), ip("10.0.0.1")), Map.of(), true, false, false);
        assertThat(n.addressFor(ip("198.18.0.100"))).contains(ip("10.0.0.1"));
        assertThat(n.addressFor(ip("fd00::100"))).contains(ip("fd00::1"));
        assertThat(NodeView.of("n2", ip("10.0.0.2"), Map.of(NodeView.EXCLUDE_LABEL, "")).excludedFromLoadBalancers())
                .isTrue();
    }
}
