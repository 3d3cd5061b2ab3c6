package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.TestDirector;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.glassfish.jersey.uri.UriComponent;

/**
 * Thousands of random and malformed requests against the API as the server registers it: none may
 * answer 5xx, and the durable state may change only through a request that was answered 2xx by a
 * writing endpoint.
 */
class ApiFuzzTest {

    static final TestDirector T = new TestDirector();
    static final ResourceExtension API = T.extension(true);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String VALID = ServicesResourceTest.WEB;

    @BeforeContainer
    static void start() throws Throwable {
        API.before();
    }

    @AfterContainer
    static void stop() throws Throwable {
        API.after();
    }

    /** One request: method, path, content type, authorization, body. */
    record Request(String method, String path, String contentType, String auth, String body) {}

    @Property(tries = 3000)
    void noRequestIsA5xxAndOnlyAcceptedWritesChangeState(@ForAll("requests") Request req) throws Exception {
        long version = T.store.version();
        byte[] file = Files.readAllBytes(T.store.file());
        Invocation.Builder b = API.target(req.path()).request();
        if (req.auth() != null) {
            b = b.header("Authorization", req.auth());
        }
        Response r;
        // The client refuses an entity on GET and DELETE and wants one on the others (null: empty).
        if (req.method().equals("GET") || req.method().equals("DELETE")) {
            r = b.method(req.method());
        } else {
            r = b.method(req.method(), Entity.entity(req.body() == null ? "" : req.body(), req.contentType()));
        }
        int status = r.getStatus();
        String text = r.readEntity(String.class);
        assertThat(status).as("%s %s %s", req.method(), req.path(), req.body()).isLessThan(500);
        if (status >= 400) {
            JsonNode err = JSON.readTree(text);
            assertThat(err.get("code").asInt()).isEqualTo(status);
            assertThat(err.get("message").asText()).isNotEmpty();
        }
        boolean writes = !req.method().equals("GET") && !req.path().startsWith("/v1/plan");
        if (status >= 300 || !writes) {
            assertThat(T.store.version()).as("state changed by %s %s -> %d", req.method(), req.path(), status)
                    .isEqualTo(version);
            assertThat(Files.readAllBytes(T.store.file())).isEqualTo(file);
        }
        // The run must exercise both sides: writes that succeed and requests refused.
        Statistics.collect(status < 300 ? (writes ? "accepted write" : "read") : "refused");
        Statistics.coverage(c -> {
            c.check("accepted write").count(n -> n >= 20);
            c.check("refused").percentage(p -> p >= 20);
        });
        if (T.store.services().size() > 20) {
            T.reset();
        }
    }

    @Provide
    Arbitrary<Request> requests() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, wild()),
                net.jqwik.api.Tuple.of(3, plausiblePuts()),
                net.jqwik.api.Tuple.of(2, plausibleDrainsAndDeletes()));
    }

    /** Admin PUTs of valid or nearly valid specs under a few names: most succeed, some clash (409). */
    Arbitrary<Request> plausiblePuts() {
        Arbitrary<String> name = Arbitraries.of("web", "api", "web-2", "a.b", "x", "y");
        Arbitrary<String> body = Combinators.combine(Arbitraries.integers().between(100, 103),
                Arbitraries.of(80, 443, 8080), Arbitraries.of("tcp", "udp"), Arbitraries.integers().between(1, 3))
                .as((vip, port, proto, w) -> VALID.replace("198.18.0.100", "198.18.0." + vip)
                        .replace("\"port\": 80", "\"port\": " + port).replace("\"port\": 80", "\"port\": " + port)
                        .replace("\"port\": 80", "\"port\": " + port).replace("\"tcp\"", "\"" + proto + "\"")
                        .replace("\"weight\": 2", "\"weight\": " + w));
        return Combinators.combine(name, Arbitraries.oneOf(body, mutatedSpecs()))
                .as((n, b) -> new Request("PUT", "/v1/services/" + n, "application/json",
                        "Bearer " + TestDirector.ADMIN_TOKEN, b));
    }

    /** Admin drains, undrains and deletes on the same few names and real servers. */
    Arbitrary<Request> plausibleDrainsAndDeletes() {
        Arbitrary<String> name = Arbitraries.of("web", "api", "web-2", "a.b", "x", "y");
        Arbitrary<String> rs = Arbitraries.of("198.18.0.21", "198.18.0.22", "198.18.0.23");
        return Combinators.combine(name, rs, Arbitraries.integers().between(0, 4)).as((n, a, k) -> switch (k) {
            case 0, 1 -> new Request("POST", "/v1/services/" + n + "/real-servers/" + a + "/drain", "application/json",
                    "Bearer " + TestDirector.ADMIN_TOKEN, "");
            case 2, 3 -> new Request("DELETE", "/v1/services/" + n + "/real-servers/" + a + "/drain",
                    "application/json", "Bearer " + TestDirector.ADMIN_TOKEN, null);
            default -> new Request("DELETE", "/v1/services/" + n, "application/json",
                    "Bearer " + TestDirector.ADMIN_TOKEN, null);
        });
    }

    /** Anything: method, path, content type, credentials and body all random. */
    Arbitrary<Request> wild() {
        Arbitrary<String> method = Arbitraries.of("GET", "PUT", "DELETE", "POST", "PATCH");
        Arbitrary<String> path = Combinators.combine(names(), addresses(),
                Arbitraries.of("/v1/services", "/v1/services/%s", "/v1/services/%s/real-servers/%s/drain", "/v1/plan",
                        "/v1/services/%s/real-servers", "/v1", "/v1/services/%s/x"))
                .as((n, a, tpl) -> String.format(tpl, enc(n), enc(a)));
        Arbitrary<String> contentType = Arbitraries.of("application/json", "application/json; charset=utf-8",
                "text/plain", "application/xml", "application/octet-stream");
        Arbitrary<String> auth = Arbitraries.of("Bearer " + TestDirector.ADMIN_TOKEN, "Bearer " + TestDirector.ADMIN_TOKEN,
                "Bearer " + TestDirector.READ_TOKEN, "Bearer nope-nope-nope-nope", "Basic eDp5", "Bearer").injectNull(0.05);
        Arbitrary<String> body = Arbitraries.oneOf(mutatedSpecs(), planBodies(), garbage()).injectNull(0.1);
        return Combinators.combine(method, path, contentType, auth, body).as(Request::new);
    }

    static String enc(String segment) {
        return UriComponent.encode(segment, UriComponent.Type.PATH_SEGMENT);
    }

    Arbitrary<String> names() {
        return Arbitraries.oneOf(Arbitraries.of("web", "api", "web-2", "a.b", "x"),
                Arbitraries.strings().withCharRange('a', 'z').withChars('-', '.', '_', 'A', '0').ofMinLength(1)
                        .ofMaxLength(70),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20));
    }

    Arbitrary<String> addresses() {
        return Arbitraries.oneOf(Arbitraries.of("198.18.0.21", "198.18.0.22", "198.18.0.99", "::1", "fe80::1",
                "256.1.1.1", "rs1", "198.18.0.021"), Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20));
    }

    /** The valid spec with one field replaced, removed, or added. */
    Arbitrary<String> mutatedSpecs() {
        // Every field the parser knows (a new one is fuzzed without an edit here), and one it does not.
        java.util.List<String> fields = new java.util.ArrayList<>(io.lvsdirector.spec.ServiceSpecJson.FIELDS);
        fields.add("unknown");
        Arbitrary<String> field = Arbitraries.of(fields);
        return Combinators.combine(field, jsonValues(), Arbitraries.of(true, false)).as((f, v, remove) -> {
            try {
                ObjectNode o = (ObjectNode) JSON.readTree(VALID);
                if (remove) {
                    o.remove(f);
                } else {
                    o.set(f, v);
                }
                return JSON.writeValueAsString(o);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    Arbitrary<String> planBodies() {
        return Combinators.combine(names(), mutatedSpecs()).as((n, s) -> "{\"services\": {" + JSON.valueToTree(n)
                + ": " + s + "}}");
    }

    Arbitrary<JsonNode> jsonValues() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return Arbitraries.oneOf(
                Arbitraries.integers().map(i -> (JsonNode) f.numberNode(i)),
                Arbitraries.longs().map(i -> (JsonNode) f.numberNode(i)),
                Arbitraries.doubles().map(d -> (JsonNode) f.numberNode(d)),
                Arbitraries.strings().all().ofMaxLength(30).map(s -> (JsonNode) f.textNode(s)),
                Arbitraries.of("198.18.0.100", "127.0.0.1", "::", "224.0.0.1", "rr", "wrr", "dr", "nat", "tcp", "udp",
                        "fail-open", "empty", "http", "tcp").map(s -> (JsonNode) f.textNode(s)),
                Arbitraries.of(true, false).map(x -> (JsonNode) f.booleanNode(x)),
                Arbitraries.just((JsonNode) f.nullNode()),
                Arbitraries.just((JsonNode) f.objectNode()),
                Arbitraries.just((JsonNode) f.arrayNode()),
                Arbitraries.of(
                        "{\"static\": [{\"address\": \"198.18.0.21\", \"weight\": 70000}]}",
                        "{\"static\": [{\"address\": \"198.18.0.21\"}, {\"address\": \"198.18.0.21\"}]}",
                        "{\"kubernetes\": {\"nodeSelector\": {\"a\": 1}}}",
                        "{\"static\": [], \"kubernetes\": {}}",
                        "{\"type\": \"http\", \"timeoutMs\": 1000}",
                        "{\"sorryServer\": {\"address\": \"::1\"}}",
                        "{\"upperConnections\": 5, \"lowerConnections\": 9}",
                        "{\"upperConnections\": 4294967295}").map(ApiFuzzTest::tree));
    }

    /** Not JSON, or truncated JSON, or JSON of the wrong shape. */
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.integers().between(0, VALID.length()).map(n -> VALID.substring(0, n)),
                Arbitraries.of("[]", "null", "42", "\"x\"", "{}", "{\"services\": []}", "{\"a\":1,\"a\":2}",
                        VALID + VALID, "\uFEFF" + VALID),
                Arbitraries.integers().between(4000, 9000).map(n -> {
                    char[] c = new char[n];
                    Arrays.fill(c, ' ');
                    return "{\"vip\": \"" + new String(c) + "\"}";
                }));
    }

    static JsonNode tree(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
