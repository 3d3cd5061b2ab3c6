package io.lvsdirector.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.Quorum;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceSpecJsonTest {

    private final ServiceSpecJson json = new ServiceSpecJson();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A new write (every rule); single quotes for readability. */
    private ServiceSpec parse(String name, String q) {
        return json.fromRequest(name, q.replace('\'', '"'));
    }

    private SpecValidationException failure(String q) {
        try {
            parse("web", q);
        } catch (SpecValidationException e) {
            return e;
        }
        throw new AssertionError("accepted: " + q);
    }

    @Test
    void minimalSpecGetsTheDocumentedDefaults() {
        ServiceSpec s = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21'}]}}");
        VirtualService vs = s.service();
        assertThat(vs.name()).isEqualTo("web");
        assertThat(vs.protocol()).isEqualTo(Protocol.TCP);
        assertThat(vs.scheduler()).isEqualTo("wrr");
        assertThat(vs.forwarding()).isEqualTo(Forwarding.DIRECT_ROUTE);
        assertThat(vs.persistence()).isEqualTo(Persistence.NONE);
        assertThat(vs.flags()).isEmpty();
        assertThat(s.healthCheck()).isNull();
        assertThat(s.whenAllDown()).isEqualTo(WhenAllDown.FAIL_OPEN);
        assertThat(s.drainTimeout()).isEqualTo(ServiceSpec.DEFAULT_DRAIN_TIMEOUT);
        assertThat(s.realServers()).isEqualTo(new RealServerSource.StaticList(
                List.of(new StaticRealServer(ip("198.18.0.21"), 1))));
    }

    @Test
    void everyFieldMapsToServiceSpec() {
        ServiceSpec s = parse("dns", "{'vip':'2001:db8::100','port':53,'protocol':'udp','scheduler':'mh',"
                + "'schedulerFlags':['mh-fallback','mh-port','ops'],'persistenceSeconds':300,'persistenceNetmask':64,"
                + "'forwarding':'tun','realServers':{'kubernetes':{'nodeSelector':{'node-role.kubernetes.io/edge':'true'},"
                + "'port':53,'addressType':'InternalIP','weight':7}},"
                + "'healthCheck':{'type':'http','port':8080,'path':'/ping','host':'edge.local','expectStatus':[200,204],"
                + "'drainStatus':503,'intervalMs':500,'timeoutMs':200,'rise':3,'fall':4},"
                + "'whenAllDown':{'sorryServer':{'address':'2001:db8::99','weight':5}},'drainTimeoutSeconds':60}");
        VirtualService vs = s.service();
        assertThat(vs.vip()).isEqualTo(ip("2001:db8::100"));
        assertThat(vs.port()).isEqualTo(53);
        assertThat(vs.protocol()).isEqualTo(Protocol.UDP);
        assertThat(vs.scheduler()).isEqualTo("mh");
        assertThat(vs.flags()).containsExactlyInAnyOrder(ServiceFlag.SCHED_FLAG_1, ServiceFlag.SCHED_FLAG_2,
                ServiceFlag.ONE_PACKET);
        assertThat(vs.persistence()).isEqualTo(new Persistence(Duration.ofSeconds(300), 64));
        assertThat(vs.forwarding()).isEqualTo(Forwarding.TUNNEL);
        assertThat(s.realServers()).isEqualTo(new RealServerSource.NodeSelector(
                Map.of("node-role.kubernetes.io/edge", "true"), 7));
        assertThat(s.healthCheck()).isInstanceOf(HealthCheck.Http.class);
        HealthCheck.Http c = (HealthCheck.Http) s.healthCheck();
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.host()).isEqualTo("edge.local");
        assertThat(c.expectedStatuses()).containsExactly(200, 204);
        assertThat(c.drainStatuses()).containsExactly(503);
        assertThat(c.interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.rise()).isEqualTo(3);
        assertThat(c.fall()).isEqualTo(4);
        assertThat(s.whenAllDown()).isEqualTo(new WhenAllDown.SorryServer(ip("2001:db8::99"), 5));
        assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aServiceSourceNamesTheServiceAndItsPortByNameOrNumber() {
        ServiceSpec byName = parse("web", "{'vip':'2001:db8::100','port':443,'realServers':{'kubernetes':"
                + "{'service':{'namespace':'ingress','name':'traefik','port':'https'},'weight':3}}}");
        assertThat(byName.realServers()).isEqualTo(new RealServerSource.ServiceEndpoints("ingress", "traefik", "https", 3));
        ServiceSpec byNumber = parse("web", "{'vip':'198.18.0.100','port':443,'realServers':{'kubernetes':"
                + "{'service':{'namespace':'ingress','name':'traefik','port':443}}}}");
        assertThat(byNumber.realServers()).isEqualTo(new RealServerSource.ServiceEndpoints("ingress", "traefik", "443", 1));
        // Written back as read: a number stays a number, a name a string.
        for (ServiceSpec s : List.of(byName, byNumber)) {
            String written = json.toJson(s).toString();
            assertThat(json.fromJson("web", written)).isEqualTo(s);
        }
        assertThat(json.toJson(byNumber).at("/realServers/kubernetes/service/port").isInt()).isTrue();
        assertThat(json.toJson(byName).at("/realServers/kubernetes/service/port").asText()).isEqualTo("https");
    }

    @Test
    void aStoredSpecIsNotRefusedForRulesOnlyNewWritesMeet() {
        // Each was accepted before these rules: a state file or LvsService holding it must still load.
        List<String> stored = List.of(
                "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'127.0.0.1'}]}}",
                "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.100'}]}}",
                "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'224.0.0.1'}]}}",
                "{'vip':'198.18.0.100','port':80,'schedulerFlags':['flag-1'],'realServers':{'static':[]}}",
                "{'vip':'198.18.0.100','port':80,'persistenceSeconds':99999999,'realServers':{'static':[]}}",
                "{'vip':'198.18.0.100','port':80,'persistenceNetmask':24,'realServers':{'static':[]}}",
                "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'whenAllDown':{'sorryServer':{'address':'127.0.0.1'}}}");
        for (String q : stored) {
            String text = q.replace('\'', '"');
            assertThat(json.fromJson("web", text)).as(q).isNotNull();
            assertThatThrownBy(() -> json.fromRequest("web", text)).as(q).isInstanceOf(SpecValidationException.class);
        }
        // What a ServiceSpec cannot be is refused either way.
        for (String q : List.of("{'vip':'0.0.0.0','port':80,'realServers':{'static':[]}}",
                "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'2001:db8::1'}]}}")) {
            assertThatThrownBy(() -> json.fromJson("web", q.replace('\'', '"'))).as(q)
                    .isInstanceOf(SpecValidationException.class);
        }
    }

    @Test
    void adoptIsReadWrittenAndFalseByDefault() {
        ServiceSpec plain = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]}}");
        assertThat(plain.adopt()).isFalse();
        assertThat(json.toJson(plain).get("adopt").asBoolean(true)).isFalse();
        ServiceSpec adopting = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'adopt':true}");
        assertThat(adopting.adopt()).isTrue();
        assertThat(adopting).isNotEqualTo(plain);
        var node = json.toJson(adopting);
        assertThat(node.get("adopt").asBoolean(false)).isTrue();
        assertThat(json.fromJson("web", node)).isEqualTo(adopting);
    }

    @Test
    void theStoredFormLeavesOutNewFieldsAtTheirDefaultsAndLoadsBackTheSame() {
        ServiceSpec plain = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]}}");
        var stored = json.toStoredJson(plain);
        // What a build without these fields can read: neither is there while unused.
        assertThat(stored.has("adopt")).isFalse();
        assertThat(stored.has("realServerLimits")).isFalse();
        assertThat(json.fromJson("web", stored)).isEqualTo(plain);
        ServiceSpec used = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'adopt':true,"
                + "'realServerLimits':{'upperConnections':10,'lowerConnections':0}}");
        var storedUsed = json.toStoredJson(used);
        assertThat(storedUsed.get("adopt").asBoolean(false)).isTrue();
        assertThat(storedUsed.get("realServerLimits").get("upperConnections").asLong()).isEqualTo(10);
        assertThat(json.fromJson("web", storedUsed)).isEqualTo(used);
    }

    @Test
    void minHealthyAndItsHysteresisAreReadWrittenAndLeftOutOfTheStoredFormAtTheirDefaults() {
        ServiceSpec plain = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]}}");
        assertThat(plain.quorum()).isEqualTo(Quorum.DEFAULT);
        assertThat(json.toJson(plain).get("minHealthy").asInt()).isEqualTo(1);
        assertThat(json.toJson(plain).get("minHealthyHysteresis").asInt()).isEqualTo(0);
        // A spec without the fields is stored as before they existed.
        var stored = json.toStoredJson(plain);
        assertThat(stored.has("minHealthy")).isFalse();
        assertThat(stored.has("minHealthyHysteresis")).isFalse();
        assertThat(json.fromJson("web", stored)).isEqualTo(plain);

        // Above the one static server: allowed (the service is then below quorum, and status says so).
        ServiceSpec used = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21'}]},"
                + "'minHealthy':3,'minHealthyHysteresis':1}");
        assertThat(used.quorum()).isEqualTo(new Quorum(3, 1));
        assertThat(used).isNotEqualTo(plain);
        var storedUsed = json.toStoredJson(used);
        assertThat(storedUsed.get("minHealthy").asInt()).isEqualTo(3);
        assertThat(storedUsed.get("minHealthyHysteresis").asInt()).isEqualTo(1);
        assertThat(json.fromJson("web", storedUsed)).isEqualTo(used);
        assertThat(json.fromJson("web", json.toJson(used))).isEqualTo(used);
        // Only one of them away from its default: the other is still left out.
        var onlyMin = json.toStoredJson(parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'minHealthy':65535}"));
        assertThat(onlyMin.get("minHealthy").asInt()).isEqualTo(65535);
        assertThat(onlyMin.has("minHealthyHysteresis")).isFalse();
    }

    @Test
    void keepLastHealthyIsAWhenAllDownWord() {
        ServiceSpec kept = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'whenAllDown':'keep-last-healthy','minHealthy':2}");
        assertThat(kept.whenAllDown()).isEqualTo(WhenAllDown.KEEP_LAST_HEALTHY);
        assertThat(json.toJson(kept).get("whenAllDown").asText()).isEqualTo("keep-last-healthy");
        assertThat(json.fromJson("web", json.toStoredJson(kept))).isEqualTo(kept);
        SpecValidationException e = failure("{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'whenAllDown':'keep-last'}");
        assertThat(e.field()).isEqualTo("whenAllDown");
        assertThat(e.reason()).contains("keep-last-healthy");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "minHealthy           | 0     | from 1 to 65535: 0",
        "minHealthy           | 65536 | from 1 to 65535: 65536",
        "minHealthy           | -1    | from 1 to 65535",
        "minHealthy           | \"3\" | whole number",
        "minHealthy           | 2.5   | whole number",
        "minHealthyHysteresis | -1    | from 0 to 65535: -1",
        "minHealthyHysteresis | 65536 | from 0 to 65535",
        "minHealthyHysteresis | true  | whole number",
        "minhealthy           | 3     | unknown field",
    })
    void badQuorumNamesTheField(String field, String value, String reason) {
        String body = "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'" + field + "':" + value + "}";
        SpecValidationException e = failure(body);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.reason()).contains(reason);
        // A stored spec meets the same rules.
        assertThatThrownBy(() -> json.fromJson("web", body.replace('\'', '"')))
                .isInstanceOf(SpecValidationException.class);
    }

    @Test
    void realServerLimitsAreReadWrittenAndNoneByDefault() {
        ServiceSpec plain = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]}}");
        assertThat(plain.realServerLimits()).isEqualTo(RealServerLimits.NONE);
        assertThat(json.toJson(plain).get("realServerLimits").toString())
                .isEqualTo("{\"upperConnections\":0,\"lowerConnections\":0}");
        ServiceSpec limited = parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'realServerLimits':{'upperConnections':1000,'lowerConnections':800}}");
        assertThat(limited.realServerLimits()).isEqualTo(new RealServerLimits(1000, 800));
        assertThat(json.fromJson("web", json.toJson(limited))).isEqualTo(limited);
        // Only an upper threshold: the lower one is 0 (the server takes new connections again at 0).
        assertThat(parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'realServerLimits':{'upperConnections':5}}").realServerLimits()).isEqualTo(new RealServerLimits(5, 0));
        // ipvsadm's largest -x, equal thresholds.
        assertThat(parse("web", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'realServerLimits':{'upperConnections':2147483647,'lowerConnections':2147483647}}")
                .realServerLimits().lowerConnections()).isEqualTo(2147483647L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // lower above upper: the kernel's ERANGE, also with no upper threshold at all
        "{'upperConnections':10,'lowerConnections':11}    | realServerLimits.lowerConnections | must not exceed upperConnections (10)",
        "{'lowerConnections':1}                           | realServerLimits.lowerConnections | a lower threshold needs an upper one",
        "{'upperConnections':2147483648}                  | realServerLimits.upperConnections | 0 to 2147483647",
        "{'upperConnections':-1}                          | realServerLimits.upperConnections | from 0 to 2147483647",
        "{'upperConnections':'100'}                       | realServerLimits.upperConnections | whole number",
        "{'upperConnections':1.5}                         | realServerLimits.upperConnections | whole number",
        "{'upper':100}                                    | realServerLimits.upper            | unknown field",
        "100                                              | realServerLimits                  | must be an object",
    })
    void badRealServerLimitsNameTheField(String limits, String field, String reason) {
        SpecValidationException e = failure("{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'realServerLimits':" + limits + "}");
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.reason()).contains(reason);
        // A stored spec meets the same rules: the kernel would refuse it at every pass.
        assertThatThrownBy(() -> json.fromJson("web", ("{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},"
                + "'realServerLimits':" + limits + "}").replace('\'', '"'))).isInstanceOf(SpecValidationException.class);
    }

    @Test
    void valuesAtTheKernelsLimitsAreAccepted() {
        ServiceSpec s = parse("web", "{'vip':'198.18.0.100','port':65535,'scheduler':'sh','schedulerFlags':['sh-fallback',"
                + "'flag-2'],'persistenceSeconds':2678400,'persistenceNetmask':32,'realServers':{'static':["
                + "{'address':'198.18.0.21','weight':65535},{'address':'240.0.0.1'},{'address':'10.255.255.255'}]},"
                + "'whenAllDown':{'sorryServer':{'address':'198.18.0.99'}}}");
        assertThat(s.service().persistence().timeout()).isEqualTo(Duration.ofSeconds(2_678_400));
        assertThat(s.service().flags()).containsExactlyInAnyOrder(ServiceFlag.SCHED_FLAG_1, ServiceFlag.SCHED_FLAG_2);
        ServiceSpec v6 = parse("web6", "{'vip':'2001:db8::100','port':80,'scheduler':'mh','schedulerFlags':['flag-1'],"
                + "'persistenceSeconds':1,'persistenceNetmask':128,'realServers':{'static':[{'address':'fec0::1'},"
                + "{'address':'fd00::21'},{'address':'2001:db8::21'}]}}");
        assertThat(v6.service().persistence().netmaskPrefix()).isZero(); // /128 is the whole address: stored as 0
        // twos is a kernel scheduler (6.2+): the mapper takes it; whether this kernel has it is the API's check.
        assertThat(parse("t", "{'vip':'198.18.0.100','port':80,'scheduler':'twos','realServers':{'static':[]}}")
                .service().scheduler()).isEqualTo("twos");
    }

    @Test
    void addressRefusalsSayWhatTheAddressIs() {
        assertThat(failure("{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'224.0.0.1'}]}}")
                .reason()).contains("multicast").contains("224.0.0.1");
        assertThat(failure("{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.100'}]}}")
                .reason()).contains("VIP itself");
        assertThat(failure("{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'0.0.0.0'}]}}")
                .reason()).contains("unspecified");
        assertThat(failure("{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'255.255.255.255'}]}}")
                .reason()).contains("broadcast");
        assertThat(failure("{'vip':'198.18.0.100','port':80,'scheduler':'wrr','schedulerFlags':['mh-port'],"
                + "'realServers':{'static':[]}}").reason()).contains("mh scheduler");
    }

    @Test
    void toJsonAndBackIsTheSameSpec() {
        List<ServiceSpec> specs = List.of(
                parse("a", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21','weight':3},"
                        + "{'address':'198.18.0.22'}]},'healthCheck':{'type':'tcp','intervalMs':250,'timeoutMs':250},"
                        + "'whenAllDown':'empty'}"),
                parse("b", "{'vip':'198.18.0.101','port':443,'scheduler':'sh','schedulerFlags':['sh-port'],"
                        + "'forwarding':'nat','persistenceSeconds':60,'realServers':{'kubernetes':{}},"
                        + "'healthCheck':{'type':'http','path':'/healthz'}}"),
                parse("c", "{'vip':'2001:db8::1','port':8443,'protocol':'sctp','realServers':{'static':[]},"
                        + "'whenAllDown':{'sorryServer':{'address':'2001:db8::2'}}}"));
        for (ServiceSpec s : specs) {
            var node = json.toJson(s);
            assertThat(json.fromJson(s.name(), node)).isEqualTo(s);
            // The written text parses too, and names only known fields.
            assertThat(json.fromJson(s.name(), node.toString())).isEqualTo(s);
            node.fieldNames().forEachRemaining(f -> assertThat(ServiceSpecJson.FIELDS).contains(f));
        }
        assertThat(json.toJson(specs.get(2)).get("vip").asText()).isEqualTo("2001:db8::1");
        assertThat(json.toJson(specs.get(1)).get("forwarding").asText()).isEqualTo("nat");
        assertThat(json.toJson(specs.get(1)).get("schedulerFlags").get(0).asText()).isEqualTo("flag-2");
    }

    // A self-signed CA certificate (EC P-256, valid to 2126), as an HTTPS check's caFile holds.
    private static final String CA_PEM = """
            -----BEGIN CERTIFICATE-----
            MIIBlDCCATugAwIBAgIUYhIFPrfEDHwe+PdBJlM5lvW5hPYwCgYIKoZIzj0EAwIw
            HzEdMBsGA1UEAwwUbHZzLWRpcmVjdG9yLXRlc3QtY2EwIBcNMjYxMjA2MTMwNjA1
            WhgPMjEyNjExMTIxMzA2MDVaMB8xHTAbBgNVBAMMFGx2cy1kaXJlY3Rvci10ZXN0
            LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWo43Umkv+pbmXDKo5d7xREpX
            G2tHayJ371fmnrhUpZnmUEMN9I+rlmbNJOkgDVyufvhcXsJI2LpozkyRCqDN36NT
            MFEwHQYDVR0OBBYEFEaRn856WBld3AXlEJec3EX2egVGMB8GA1UdIwQYMBaAFEaR
            n856WBld3AXlEJec3EX2egVGMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
            RwAwRAIgQx1mMDBPMg6jkAkAQtPB74aq7wfkHeYmhp6I+A33lXYCIDB9jE8pgd8D
            XUVi6E6F7uP9Zxj7rqyXErSzz6eu4uwj
            -----END CERTIFICATE-----
            """;

    @Test
    void viaVipRoundTripsAndIsForDirectRoutingOnly() {
        String base = "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21'}]},";
        ServiceSpec vip = parse("a", base + "'healthCheck':{'type':'http','port':8080,'via':'vip'}}");
        assertThat(vip.healthCheck().via()).isEqualTo(HealthCheck.Via.VIP);
        assertThat(vip.healthCheck()).isEqualTo(HealthCheck.http().withPort(8080).withVia(HealthCheck.Via.VIP));
        ServiceSpec tcp = parse("b", base + "'healthCheck':{'type':'tcp','via':'vip'}}");
        assertThat(tcp.healthCheck().via()).isEqualTo(HealthCheck.Via.VIP);
        ServiceSpec https = parse("c", base + "'healthCheck':{'type':'https','insecureSkipVerify':true,'via':'vip'}}");
        assertThat(https.healthCheck().via()).isEqualTo(HealthCheck.Via.VIP);
        ServiceSpec node = parse("d", base + "'healthCheck':{'type':'http','via':'node'}}");
        ServiceSpec absent = parse("d", base + "'healthCheck':{'type':'http'}}");
        assertThat(node).isEqualTo(absent);
        assertThat(node.healthCheck().via()).isEqualTo(HealthCheck.Via.NODE);
        for (ServiceSpec s : List.of(vip, tcp, https, node)) {
            assertThat(json.fromJson(s.name(), json.toJson(s).toString())).isEqualTo(s);
            assertThat(json.fromJson(s.name(), json.toStoredJson(s).toString())).isEqualTo(s);
        }
        assertThat(json.toJson(vip).get("healthCheck").get("via").asText()).isEqualTo("vip");
        assertThat(json.toJson(node).get("healthCheck").get("via").asText()).isEqualTo("node");
        // A stored spec keeps its old shape while via is the default: an older build can still load it.
        assertThat(json.toStoredJson(node).get("healthCheck").has("via")).isFalse();
        assertThat(json.toStoredJson(vip).get("healthCheck").get("via").asText()).isEqualTo("vip");

        SpecValidationException bad = failure(base + "'healthCheck':{'type':'http','via':'both'}}");
        assertThat(bad.field()).isEqualTo("healthCheck.via");
        assertThat(bad.reason()).contains("node or vip");
        SpecValidationException nat = failure(base + "'forwarding':'nat','healthCheck':{'type':'http','via':'vip'}}");
        assertThat(nat.field()).isEqualTo("healthCheck.via");
        assertThat(nat.reason()).contains("direct routing");
        // NAT with a check via the node stays as it was.
        assertThat(parse("e", base + "'forwarding':'nat','healthCheck':{'type':'http','via':'node'}}").healthCheck()
                .via()).isEqualTo(HealthCheck.Via.NODE);
    }

    @Test
    void httpsChecksRoundTripAndTheirCaFileIsCheckedAtTheWrite(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path ca = java.nio.file.Files.writeString(dir.resolve("ca.pem"), CA_PEM);
        java.nio.file.Path junk = java.nio.file.Files.writeString(dir.resolve("junk.pem"), "not a certificate\n");
        String base = "{'vip':'198.18.0.100','port':443,'realServers':{'static':[{'address':'198.18.0.21'}]},";
        ServiceSpec verified = parse("a", base + "'healthCheck':{'type':'https','port':8443,'host':'edge.example',"
                + "'caFile':'" + ca + "'}}");
        HealthCheck.Https c = (HealthCheck.Https) verified.healthCheck();
        assertThat(c.caFile()).isEqualTo(ca.toString());
        assertThat(c.insecureSkipVerify()).isFalse();
        assertThat(c.host()).isEqualTo("edge.example");
        assertThat(c.path()).isEqualTo("/ping");
        assertThat(c.expectedStatuses()).containsExactly(200);
        ServiceSpec skip = parse("b", base + "'healthCheck':{'type':'https','insecureSkipVerify':true}}");
        assertThat(((HealthCheck.Https) skip.healthCheck()).insecureSkipVerify()).isTrue();
        ServiceSpec defaults = parse("c", base + "'healthCheck':{'type':'https'}}");
        assertThat(defaults.healthCheck()).isEqualTo(HealthCheck.https());
        for (ServiceSpec s : List.of(verified, skip, defaults)) {
            var node = json.toJson(s);
            assertThat(json.fromJson(s.name(), node.toString())).isEqualTo(s);
            node.get("healthCheck").fieldNames()
                    .forEachRemaining(f -> assertThat(ServiceSpecJson.HEALTH_CHECK_FIELDS).contains(f));
        }
        assertThat(json.toJson(verified).get("healthCheck").get("type").asText()).isEqualTo("https");

        // A CA file the director cannot read, or that holds no certificate, is refused at the write.
        String missing = base + "'healthCheck':{'type':'https','caFile':'" + dir.resolve("gone.pem") + "'}}";
        assertThat(failure(missing).field()).isEqualTo("healthCheck.caFile");
        assertThat(failure(missing).reason()).contains("cannot be read");
        SpecValidationException notPem = failure(base + "'healthCheck':{'type':'https','caFile':'" + junk + "'}}");
        assertThat(notPem.field()).isEqualTo("healthCheck.caFile");
        assertThat(notPem.reason()).contains("no").contains("certificate");
        // A stored spec is not held to the file (restored before it): its probes say what is wrong.
        assertThat(((HealthCheck.Https) json.fromJson("a", missing.replace('\'', '"')).healthCheck()).caFile())
                .endsWith("gone.pem");
        assertThat(failure(base + "'healthCheck':{'type':'https','caFile':'ca.pem'}}").field())
                .isEqualTo("healthCheck.caFile");
        assertThat(failure(base + "'healthCheck':{'type':'https','caFile':'" + ca + "','insecureSkipVerify':true}}")
                .field()).isEqualTo("healthCheck.caFile");
        assertThat(failure(base + "'healthCheck':{'type':'https','insecureSkipVerify':'yes'}}").field())
                .isEqualTo("healthCheck.insecureSkipVerify");
        assertThat(failure(base + "'healthCheck':{'type':'http','insecureSkipVerify':true}}").reason())
                .contains("only means something for an https check");
        assertThat(failure(base + "'healthCheck':{'type':'tcp','caFile':'" + ca + "'}}").field())
                .isEqualTo("healthCheck.caFile");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{'port':80,'realServers':{'static':[]}}                                       | vip",
        "{'vip':'127.0.0.1','port':80,'realServers':{'static':[]}}                     | vip",
        "{'vip':'224.0.0.1','port':80,'realServers':{'static':[]}}                     | vip",
        "{'vip':'169.254.1.1','port':80,'realServers':{'static':[]}}                   | vip",
        "{'vip':'0.0.0.0','port':80,'realServers':{'static':[]}}                       | vip",
        "{'vip':'fe80::1','port':80,'realServers':{'static':[]}}                       | vip",
        "{'vip':'web1','port':80,'realServers':{'static':[]}}                          | vip",
        "{'vip':'198.18.0.100','realServers':{'static':[]}}                            | port",
        "{'vip':'198.18.0.100','port':0,'realServers':{'static':[]}}                   | port",
        "{'vip':'198.18.0.100','port':65536,'realServers':{'static':[]}}               | port",
        "{'vip':'198.18.0.100','port':'80','realServers':{'static':[]}}                | port",
        "{'vip':'198.18.0.100','port':80.5,'realServers':{'static':[]}}                | port",
        "{'vip':'198.18.0.100','port':80,'protocol':'icmp','realServers':{'static':[]}} | protocol",
        "{'vip':'198.18.0.100','port':80,'scheduler':'fastest','realServers':{'static':[]}} | scheduler",
        "{'vip':'198.18.0.100','port':80,'schedulerFlags':['ops'],'realServers':{'static':[]}} | schedulerFlags",
        "{'vip':'198.18.0.100','port':80,'schedulerFlags':['turbo'],'realServers':{'static':[]}} | schedulerFlags[0]",
        "{'vip':'198.18.0.100','port':80,'persistenceSeconds':-1,'realServers':{'static':[]}} | persistenceSeconds",
        "{'vip':'198.18.0.100','port':80,'persistenceSeconds':60,'persistenceNetmask':33,'realServers':{'static':[]}} | persistenceNetmask",
        "{'vip':'198.18.0.100','port':80,'forwarding':'snat','realServers':{'static':[]}} | forwarding",
        "{'vip':'198.18.0.100','port':80}                                              | realServers",
        "{'vip':'198.18.0.100','port':80,'realServers':{}}                             | realServers",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[],'kubernetes':{}}}  | realServers",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21'},{'address':'198.18.0.21'}]}} | realServers.static[1].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21','port':8080}]}} | realServers.static[0].port",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'2001:db8::21'}]}} | realServers.static[0].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21','weight':0}]}} | realServers.static[0].weight",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21','wieght':2}]}} | realServers.static[0].wieght",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'addressType':'ExternalIP'}}} | realServers.kubernetes.addressType",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'addressType':'Hostname'}}} | realServers.kubernetes.addressType",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'port':443}}}    | realServers.kubernetes.port",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'nodeSelector':{'edge':'a b'}}}} | realServers.kubernetes.nodeSelector.edge",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'nodeSelector':{'bad key!':'x'}}}} | realServers.kubernetes.nodeSelector",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'nodeSelector':{},'service':{'namespace':'a','name':'b','port':80}}}} | realServers.kubernetes",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'name':'b','port':80}}}} | realServers.kubernetes.service.namespace",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'namespace':'A','name':'b','port':80}}}} | realServers.kubernetes.service.namespace",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'namespace':'a','name':'1b','port':80}}}} | realServers.kubernetes.service.name",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'namespace':'a','name':'b'}}}} | realServers.kubernetes.service.port",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'namespace':'a','name':'b','port':0}}}} | realServers.kubernetes.service.port",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'namespace':'a','name':'b','port':'Web_1'}}}} | realServers.kubernetes.service.port",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'namespace':'a','name':'b','port':'99999'}}}} | realServers.kubernetes.service.port",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':{'namespace':'a','name':'b','port':80,'ns':'x'}}}} | realServers.kubernetes.service.ns",
        "{'vip':'198.18.0.100','port':80,'realServers':{'kubernetes':{'service':'a/b'}}} | realServers.kubernetes.service",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'port':80}} | healthCheck.type",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'icmp'}} | healthCheck.type",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'http','intervalMs':100,'timeoutMs':200}} | healthCheck.timeoutMs",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'http','intervalMs':5}} | healthCheck.intervalMs",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'http','path':'ping'}} | healthCheck.path",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'http','expectStatus':700}} | healthCheck.expectStatus",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'http','rise':0}} | healthCheck.rise",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'tcp','path':'/x'}} | healthCheck.path",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'healthCheck':{'type':'http','expectStatus':503,'drainStatus':503}} | healthCheck",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'whenAllDown':'fail-closed'} | whenAllDown",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'whenAllDown':{'sorryServer':{'address':'2001:db8::9'}}} | whenAllDown.sorryServer.address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'drainTimeoutSeconds':-5} | drainTimeoutSeconds",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'timeout':5}      | timeout",
        "{'vip':'255.255.255.255','port':80,'realServers':{'static':[]}}               | vip",
        "{'vip':'0.1.2.3','port':80,'realServers':{'static':[]}}                       | vip",
        "{'vip':'::','port':80,'realServers':{'static':[]}}                            | vip",
        "{'vip':'::1','port':80,'realServers':{'static':[]}}                           | vip",
        "{'vip':'ff02::1','port':80,'realServers':{'static':[]}}                       | vip",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21'},{'address':'0.0.0.0'}]}} | realServers.static[1].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'0.0.0.7'}]}} | realServers.static[0].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.21'},{'address':'198.18.0.22'},{'address':'224.0.0.1'}]}} | realServers.static[2].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'239.255.255.250'}]}} | realServers.static[0].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'255.255.255.255'}]}} | realServers.static[0].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'127.0.0.1'}]}} | realServers.static[0].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'169.254.0.9'}]}} | realServers.static[0].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[{'address':'198.18.0.100'}]}} | realServers.static[0].address",
        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'::'}]}} | realServers.static[0].address",
        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'::1'}]}} | realServers.static[0].address",
        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'ff05::2'}]}} | realServers.static[0].address",
        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'fe80::21'}]}} | realServers.static[0].address",
        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'::198.18.0.21'}]}} | realServers.static[0].address",
        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'2001:DB8:0::100'}]}} | realServers.static[0].address",
        "{'vip':'2001:db8::100','port':80,'realServers':{'static':[{'address':'198.18.0.21'}]}} | realServers.static[0].address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'whenAllDown':{'sorryServer':{'address':'224.0.0.9'}}} | whenAllDown.sorryServer.address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'whenAllDown':{'sorryServer':{'address':'0.0.0.0'}}} | whenAllDown.sorryServer.address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'whenAllDown':{'sorryServer':{'address':'198.18.0.100'}}} | whenAllDown.sorryServer.address",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'whenAllDown':{'sorryServer':{'address':'127.0.0.53'}}} | whenAllDown.sorryServer.address",
        "{'vip':'198.18.0.100','port':80,'persistenceSeconds':2678401,'realServers':{'static':[]}} | persistenceSeconds",
        "{'vip':'198.18.0.100','port':80,'persistenceNetmask':24,'realServers':{'static':[]}} | persistenceNetmask",
        "{'vip':'198.18.0.100','port':80,'persistenceSeconds':0,'persistenceNetmask':24,'realServers':{'static':[]}} | persistenceNetmask",
        "{'vip':'2001:db8::100','port':80,'persistenceSeconds':60,'persistenceNetmask':129,'realServers':{'static':[]}} | persistenceNetmask",
        "{'vip':'198.18.0.100','port':80,'scheduler':'wrr','schedulerFlags':['flag-1'],'realServers':{'static':[]}} | schedulerFlags[0]",
        "{'vip':'198.18.0.100','port':80,'schedulerFlags':['sh-port'],'realServers':{'static':[]}} | schedulerFlags[0]",
        "{'vip':'198.18.0.100','port':80,'scheduler':'mh','schedulerFlags':['mh-port','sh-fallback'],'realServers':{'static':[]}} | schedulerFlags[1]",
        "{'vip':'198.18.0.100','port':80,'scheduler':'sh','schedulerFlags':['mh-port'],'realServers':{'static':[]}} | schedulerFlags[0]",
        "{'vip':'198.18.0.100','port':80,'scheduler':'sh','schedulerFlags':['flag-3'],'realServers':{'static':[]}} | schedulerFlags[0]",
        "{'vip':'198.18.0.100','port':80,'scheduler':'twos ','realServers':{'static':[]}} | scheduler",
        "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]},'adopt':'yes'}   | adopt",
        "[1,2]                                                                          | ''",
        "{'vip':                                                                        | ''",
    })
    void badInputNamesTheField(String body, String field) {
        SpecValidationException e = failure(body);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.reason()).isNotBlank();
        assertThat(e.getMessage()).contains(e.reason());
    }

    @Test
    void everyProblemIsReportedNotOnlyTheFirst() {
        SpecValidationException e = failure("{'vip':'localhost','port':0,'protocol':'icmp','realServers':{'static':[]},"
                + "'extra':1}");
        assertThat(e.errors()).extracting(SpecValidationException.FieldError::field)
                .containsExactly("extra", "vip", "port", "protocol");
    }

    @Test
    void badNameIsRefused() {
        assertThatThrownBy(() -> parse("Web_1", "{'vip':'198.18.0.100','port':80,'realServers':{'static':[]}}"))
                .isInstanceOfSatisfying(SpecValidationException.class, e -> assertThat(e.field()).isEqualTo("name"));
    }

    @Test
    void externalIpDirectorAcceptsItsOwnAddressType() throws Exception {
        ServiceSpecJson ext = new ServiceSpecJson(AddressType.EXTERNAL_IP);
        ServiceSpec s = ext.fromJson("web", MAPPER.readTree(("{'vip':'198.18.0.100','port':80,"
                + "'realServers':{'kubernetes':{'addressType':'ExternalIP'}}}").replace('\'', '"')));
        assertThat(s.realServers()).isEqualTo(new RealServerSource.NodeSelector(Map.of(), 1));
        assertThat(ext.toJson(s).at("/realServers/kubernetes/addressType").asText()).isEqualTo("ExternalIP");
        assertThat(Set.copyOf(ServiceSpecJson.KUBERNETES_FIELDS)).contains("addressType");
    }

    @Test
    void serviceFlagsParseIpvsadmNames() {
        assertThat(ServiceSpecJson.parseFlag("sh-fallback")).isEqualTo(ServiceFlag.SCHED_FLAG_1);
        assertThat(ServiceSpecJson.parseFlag("mh-port")).isEqualTo(ServiceFlag.SCHED_FLAG_2);
        assertThat(ServiceSpecJson.parseFlag("OPS")).isEqualTo(ServiceFlag.ONE_PACKET);
        assertThatThrownBy(() -> ServiceSpecJson.parseFlag("nope")).hasMessageContaining("nope");
    }
}
