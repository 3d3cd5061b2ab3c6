package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(DropwizardExtensionsSupport.class)
class ServicesResourceTest {

    static final TestDirector T = new TestDirector();
    static final ResourceExtension API = T.extension(true);
    static final ObjectMapper JSON = new ObjectMapper();

    static final String WEB = """
            {"vip": "198.18.0.100", "port": 80, "protocol": "tcp", "scheduler": "rr",
             "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1},
                                        {"address": "198.18.0.22", "port": 80, "weight": 2}]}}
            """;

    @BeforeEach
    void reset() {
        T.reset();
    }

    static Invocation.Builder admin(String path) {
        return API.target(path).request(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN);
    }

    static JsonNode body(Response r) throws Exception {
        return JSON.readTree(r.readEntity(String.class));
    }

    static Response put(String name, String json) {
        return admin("/v1/services/" + name).put(Entity.entity(json, MediaType.APPLICATION_JSON));
    }

    @Test
    void listIsEmptyAtFirst() throws Exception {
        Response r = admin("/v1/services").get();
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode b = body(r);
        assertThat(b.get("services")).isEmpty();
        assertThat(b.get("version").asLong()).isPositive();
    }

    @Test
    void putCreatesThenReplacesAndTheLoopProgramsTheKernel() throws Exception {
        Response created = put("web", WEB);
        assertThat(created.getStatus()).isEqualTo(201);
        assertThat(body(created).at("/spec/vip").asText()).isEqualTo("198.18.0.100");
        // Stored before the kernel hears of it; the loop applies on its next pass.
        assertThat(T.ipvs.services()).isEmpty();
        T.director.loop().runOnce();
        VirtualServerKey key = VirtualServerKey.tcp("198.18.0.100", 80);
        assertThat(T.ipvs.realServers(key)).extracting(rs -> rs.spec().weight()).containsExactlyInAnyOrder(1, 2);
        // Counters come from the loop's last kernel read (a GET never reads the kernel): the next pass.
        T.director.loop().runOnce();

        JsonNode got = body(admin("/v1/services/web").get());
        assertThat(got.at("/status/kernelAgeSeconds").isNumber()).isTrue();
        assertThat(got.at("/status/applyError").isNull()).isTrue();
        assertThat(got.at("/status/inKernel").asBoolean()).isTrue();
        JsonNode rs = got.at("/status/realServers");
        assertThat(rs).hasSize(2);
        assertThat(rs.get(0).get("address").asText()).isEqualTo("198.18.0.21");
        assertThat(rs.get(0).get("desiredWeight").asInt()).isEqualTo(1);
        assertThat(rs.get(0).get("kernelWeight").asInt()).isEqualTo(1);
        assertThat(rs.get(1).get("kernelWeight").asInt()).isEqualTo(2);
        assertThat(rs.get(0).has("health")).isTrue();
        assertThat(rs.get(0).has("reason")).isTrue();
        assertThat(rs.get(0).has("since")).isTrue();
        assertThat(rs.get(0).has("activeConnections")).isTrue();
        assertThat(rs.get(0).at("/counters/connections").isNumber()).isTrue();

        Response same = put("web", WEB);
        assertThat(same.getStatus()).isEqualTo(200);
        long version = T.store.version();
        Response replaced = put("web", WEB.replace("\"weight\": 2", "\"weight\": 5"));
        assertThat(replaced.getStatus()).isEqualTo(200);
        assertThat(T.store.version()).isEqualTo(version + 1);
        T.director.loop().runOnce();
        assertThat(T.ipvs.realServers(key)).extracting(r -> r.spec().weight()).containsExactlyInAnyOrder(1, 5);

        JsonNode list = body(admin("/v1/services").get());
        assertThat(list.get("services")).hasSize(1);
        assertThat(list.at("/services/0/name").asText()).isEqualTo("web");
    }

    @Test
    void putIsDurable() throws Exception {
        assertThat(put("web", WEB).getStatus()).isEqualTo(201);
        JsonNode file = JSON.readTree(Files.readAllBytes(T.store.file()));
        assertThat(file.at("/services/web/vip").asText()).isEqualTo("198.18.0.100");
        assertThat(file.get("version").asLong()).isEqualTo(T.store.version());
    }

    @Test
    void deleteRemovesFromStateAndKernel() throws Exception {
        put("web", WEB);
        T.director.loop().runOnce();
        assertThat(admin("/v1/services/web").delete().getStatus()).isEqualTo(204);
        assertThat(T.store.get("web")).isEmpty();
        T.director.loop().runOnce();
        assertThat(T.ipvs.services()).isEmpty();
        Response again = admin("/v1/services/web").delete();
        assertThat(again.getStatus()).isEqualTo(404);
        assertThat(body(again).get("field").asText()).isEqualTo("name");
    }

    @Test
    void unknownServiceIs404InErrorShape() throws Exception {
        Response r = admin("/v1/services/nope").get();
        assertThat(r.getStatus()).isEqualTo(404);
        JsonNode b = body(r);
        assertThat(b.get("code").asInt()).isEqualTo(404);
        assertThat(b.get("message").asText()).contains("nope");
        assertThat(b.get("field").asText()).isEqualTo("name");
    }

    @Test
    void unknownPathIs404Json() throws Exception {
        Response r = admin("/v1/nothing-here").get();
        assertThat(r.getStatus()).isEqualTo(404);
        assertThat(body(r).get("code").asInt()).isEqualTo(404);
    }

    @ParameterizedTest
    @CsvSource({"Web", "-web", "web-", "a_b", "x..................................................................y"})
    void badNamesAre400(String name) throws Exception {
        Response r = put(name, WEB);
        assertThat(r.getStatus()).isEqualTo(400);
        assertThat(body(r).get("field").asText()).isEqualTo("name");
        assertThat(T.store.services()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "\"vip\": \"127.0.0.1\"|vip",
        "\"vip\": \"224.0.0.1\"|vip",
        "\"vip\": \"169.254.1.1\"|vip",
        "\"vip\": \"0.0.0.0\"|vip",
        "\"vip\": \"::1\"|vip",
        "\"vip\": \"fe80::1\"|vip",
        "\"vip\": \"ff02::1\"|vip",
        "\"vip\": \"::\"|vip",
        "\"vip\": \"not-an-ip\"|vip",
        "\"vip\": \"198.18.0.300\"|vip",
        "\"port\": 0|port",
        "\"port\": 65536|port",
        "\"port\": -1|port",
        "\"port\": \"80\"|port",
        "\"port\": 80.5|port",
        "\"scheduler\": \"roundrobin\"|scheduler",
        "\"protocol\": \"icmp\"|protocol",
        "\"forwarding\": \"gre\"|forwarding",
        "\"persistenceSeconds\": -5|persistenceSeconds",
        "\"bogus\": 1|bogus",
        "\"whenAllDown\": \"panic\"|whenAllDown",
        "\"minHealthy\": 0|minHealthy",
        "\"minHealthyHysteresis\": 65536|minHealthyHysteresis",
        "\"healthCheck\": {\"type\": \"icmp\"}|healthCheck.type",
        "\"healthCheck\": {\"type\": \"http\", \"intervalMs\": 50, \"timeoutMs\": 100}|healthCheck.timeoutMs",
        "\"healthCheck\": {\"type\": \"tcp\", \"port\": 70000}|healthCheck.port",
    })
    void invalidFieldsAre422WithTheField(String override, String field) throws Exception {
        String key = override.substring(1, override.indexOf('"', 1));
        String json = WEB.replaceFirst("\\{", "{" + override + ", ");
        // The override comes first; remove the original key if the body already had one.
        if (List.of("vip", "port", "scheduler", "protocol").contains(key)) {
            json = "{" + override + ", " + WEB.substring(WEB.indexOf('{') + 1).replaceFirst(
                    "\"" + key + "\": (\"[^\"]*\"|\\d+),\\s*", "");
        }
        Response r = put("web", json);
        assertThat(r.getStatus()).as(json).isEqualTo(422);
        JsonNode b = body(r);
        assertThat(b.get("code").asInt()).isEqualTo(422);
        assertThat(b.get("field").asText()).isEqualTo(field);
        assertThat(T.store.services()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"0", "65536", "-1", "100000"})
    void realServerWeightsOutOfRangeAre422(int weight) throws Exception {
        Response r = put("web", WEB.replace("\"weight\": 1", "\"weight\": " + weight));
        assertThat(r.getStatus()).isEqualTo(422);
        assertThat(body(r).get("field").asText()).isEqualTo("realServers.static[0].weight");
    }

    @Test
    void everyProblemIsListed() throws Exception {
        Response r = put("web", "{\"vip\": \"127.0.0.1\", \"port\": 0, \"realServers\": {\"static\": []}}");
        assertThat(r.getStatus()).isEqualTo(422);
        JsonNode b = body(r);
        assertThat(b.get("errors")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(b.get("errors").findValuesAsText("field")).contains("vip", "port");
    }

    @Test
    void malformedJsonIs400() throws Exception {
        for (String bad : List.of("{", "{\"vip\": }", "[1,2", "{} {}", "nul", "{\"port\": 80, \"port\": 81}")) {
            Response r = put("web", bad);
            assertThat(r.getStatus()).as(bad).isEqualTo(400);
            assertThat(body(r).get("code").asInt()).isEqualTo(400);
        }
        assertThat(T.store.services()).isEmpty();
    }

    /**
     * The 400 says what is wrong in words and where (line, column, and the field the parser was in), never
     * Jackson's internals: no "Source: REDACTED", no StreamReadFeature or DeserializationFeature, no class
     * names, no "(code 125)".
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "{\"vip\": \"198.18.0.100\", \"port\": 80 | the JSON ends before it is complete (an object, array or string is not closed) at line 1, column 35 | ",
        "{\"vip\": } | unexpected character '}': expected a value at line 1, column 9 | vip",
        "{\"realServers\": {\"static\": [{\"address\": ]}} | unexpected character ']': expected a value at line 1, column 41 | realServers.static[0].address",
        "{} {} | more than one JSON value in the body at line 1, column 4 | ",
        "nul | unrecognised token 'nul': expected a JSON value (true, false, null, a number, a string, an array or an object) at line 1, column 1 | ",
        "{\"port\": 80, \"port\": 81} | duplicate field 'port' at line 1, column 20 | port",
    })
    void malformedJsonIs400WithAPlainMessageAndTheField(String bad, String message, String field) throws Exception {
        Response r = put("web", bad);
        assertThat(r.getStatus()).as(bad).isEqualTo(400);
        JsonNode b = body(r);
        assertThat(b.get("code").asInt()).isEqualTo(400);
        assertThat(b.get("message").asText()).as(bad).isEqualTo("the body is not valid JSON: " + message);
        if (field == null) {
            assertThat(b.has("field")).as(bad).isFalse();
        } else {
            assertThat(b.path("field").asText()).as(bad).isEqualTo(field);
        }
        assertThat(b.toString()).doesNotContain("Source", "REDACTED", "Feature", "jackson", "code 1", "\\n");
    }

    @Test
    void emptyBodyIs400AndANonObjectIs422() throws Exception {
        assertThat(put("web", "").getStatus()).isEqualTo(400);
        assertThat(put("web", "[]").getStatus()).isEqualTo(422);
        assertThat(put("web", "42").getStatus()).isEqualTo(422);
    }

    @Test
    void oversizedBodyIs413AndNothingChanges() throws Exception {
        StringBuilder big = new StringBuilder("{\"vip\": \"198.18.0.100\", \"port\": 80, \"realServers\": {\"static\": [");
        for (int i = 0; i < 400; i++) {
            big.append(i == 0 ? "" : ",").append("{\"address\": \"10.0.").append(i / 250).append('.')
                    .append(i % 250 + 1).append("\"}");
        }
        big.append("]}}");
        assertThat(big.length()).isGreaterThan(TestDirector.MAX_BODY);
        Response r = put("web", big.toString());
        assertThat(r.getStatus()).isEqualTo(413);
        assertThat(body(r).get("code").asInt()).isEqualTo(413);
        assertThat(T.store.services()).isEmpty();
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        Response r = admin("/v1/services/web").put(Entity.entity(WEB, MediaType.TEXT_PLAIN));
        assertThat(r.getStatus()).isEqualTo(415);
        assertThat(body(r).get("code").asInt()).isEqualTo(415);
    }

    @Test
    void sameVipPortProtocolIs409AndNothingChanges() throws Exception {
        assertThat(put("web", WEB).getStatus()).isEqualTo(201);
        long version = T.store.version();
        byte[] file = Files.readAllBytes(T.store.file());
        Response r = put("web2", WEB);
        assertThat(r.getStatus()).isEqualTo(409);
        assertThat(body(r).get("message").asText()).contains("web");
        assertThat(T.store.version()).isEqualTo(version);
        assertThat(Files.readAllBytes(T.store.file())).isEqualTo(file);
        // Another protocol on the same VIP and port is another kernel service.
        assertThat(put("web-udp", WEB.replace("\"tcp\"", "\"udp\"")).getStatus()).isEqualTo(201);
    }

    @Test
    void drainSetsWeightZeroAndUndrainRestoresIt() throws Exception {
        put("web", WEB);
        T.director.loop().runOnce();
        VirtualServerKey key = VirtualServerKey.tcp("198.18.0.100", 80);
        // With connections open, a drained server stays in at weight 0 until they end.
        T.ipvs.setRealServerCounters(key, new RealServerKey(io.lvsdirector.ipvs.IpAddresses.parse("198.18.0.22"), 80),
                3, 0, 0, io.lvsdirector.ipvs.Stats.ZERO);
        Response d = admin("/v1/services/web/real-servers/198.18.0.22/drain").post(Entity.json(""));
        assertThat(d.getStatus()).isEqualTo(200);
        JsonNode b = body(d);
        assertThat(b.get("drained").asBoolean()).isTrue();
        assertThat(b.get("changed").asBoolean()).isTrue();
        T.director.loop().runOnce();
        assertThat(weight(key, "198.18.0.22")).isEqualTo(0);
        assertThat(weight(key, "198.18.0.21")).isEqualTo(1);
        // Durable: a restart must not undo it.
        assertThat(new String(Files.readAllBytes(T.store.file()))).contains("198.18.0.22");
        JsonNode view = body(admin("/v1/services/web").get());
        assertThat(view.at("/status/realServers/1/desiredWeight").asInt()).isEqualTo(0);
        assertThat(view.at("/status/realServers/1/disposition").asText()).isEqualTo("draining");

        Response again = admin("/v1/services/web/real-servers/198.18.0.22/drain").post(Entity.json(""));
        assertThat(body(again).get("changed").asBoolean()).isFalse();

        assertThat(admin("/v1/services/web/real-servers/198.18.0.22/drain").delete().getStatus()).isEqualTo(200);
        T.director.loop().runOnce();
        assertThat(weight(key, "198.18.0.22")).isEqualTo(2);
        assertThat(admin("/v1/services/web/real-servers/198.18.0.22/drain").delete().getStatus()).isEqualTo(404);
    }

    @Test
    void drainChecksServiceAndAddress() throws Exception {
        put("web", WEB);
        Response noService = admin("/v1/services/nope/real-servers/198.18.0.21/drain").post(Entity.json(""));
        assertThat(noService.getStatus()).isEqualTo(404);
        assertThat(body(noService).get("field").asText()).isEqualTo("name");
        Response notMember = admin("/v1/services/web/real-servers/198.18.0.99/drain").post(Entity.json(""));
        assertThat(notMember.getStatus()).isEqualTo(404);
        assertThat(body(notMember).get("field").asText()).isEqualTo("address");
        Response notIp = admin("/v1/services/web/real-servers/rs1/drain").post(Entity.json(""));
        assertThat(notIp.getStatus()).isEqualTo(400);
        assertThat(body(notIp).get("field").asText()).isEqualTo("address");
        assertThat(T.store.drains()).isEmpty();
    }

    @Test
    void aMinHealthyAboveTheRealServersIsAcceptedAndStatusSaysBelowQuorumSinceWhen() throws Exception {
        assertThat(put("web", WEB.replaceFirst("\\{", "{\"minHealthy\": 3, ")).getStatus()).isEqualTo(201);
        T.director.loop().runOnce();

        JsonNode got = body(admin("/v1/services/web").get());
        assertThat(got.at("/spec/minHealthy").asInt()).isEqualTo(3);
        assertThat(got.at("/status/minHealthy").asInt()).isEqualTo(3);
        assertThat(got.at("/status/allDown").asBoolean()).isTrue();
        assertThat(java.time.Instant.parse(got.at("/status/belowQuorumSince").asText())).isNotNull();
        // Fail-open below quorum: both real servers are in at their weights.
        assertThat(T.ipvs.realServers(VirtualServerKey.tcp("198.18.0.100", 80))).hasSize(2);

        put("web", WEB);
        T.director.loop().runOnce();
        got = body(admin("/v1/services/web").get());
        assertThat(got.at("/status/allDown").asBoolean()).isFalse();
        assertThat(got.at("/status/belowQuorumSince").isNull()).isTrue();
    }

    @Test
    void deletingAServiceEndsItsDrains() throws Exception {
        put("web", WEB);
        admin("/v1/services/web/real-servers/198.18.0.21/drain").post(Entity.json(""));
        assertThat(T.store.drains()).hasSize(1);
        admin("/v1/services/web").delete();
        assertThat(T.store.drains()).isEmpty();
    }

    @Test
    void aFailedKernelOpDoesNotFailTheRequest() throws Exception {
        T.ipvs.injectFailure(op -> true, 12, "ENOMEM");
        assertThat(put("web", WEB).getStatus()).isEqualTo(201);
        T.director.loop().runOnce();
        JsonNode got = body(admin("/v1/services/web").get());
        assertThat(got.at("/status/inKernel").asBoolean()).isFalse();
        assertThat(got.at("/status/realServers/0/kernelWeight").isNull()).isTrue();
    }

    private static int weight(VirtualServerKey key, String address) {
        return T.ipvs.realServers(key).stream()
                .filter(r -> r.key().equals(new RealServerKey(io.lvsdirector.ipvs.IpAddresses.parse(address), 80)))
                .map(RealServerStatus::spec).findFirst().orElseThrow().weight();
    }
}
