package io.lvsdirector.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The catalogue is what the parser reads and writes: every catalogued field is accepted and written
 * back, every object refuses a field outside its list. The CRD and OpenAPI tests compare their
 * schemas with this same catalogue, so the four cannot drift apart.
 */
class SpecFieldsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ServiceSpecJson JSON = new ServiceSpecJson();

    /** Every catalogued field, the static-list alternatives. */
    static final String FULL_STATIC = """
            {"vip": "198.18.0.100", "port": 80, "protocol": "tcp", "scheduler": "sh", "schedulerFlags": ["flag-1"],
             "persistenceSeconds": 60, "persistenceNetmask": 24, "forwarding": "dr",
             "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 2}]},
             "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "host": "web", "expectStatus": [200],
                             "drainStatus": 503, "intervalMs": 100, "timeoutMs": 50, "rise": 2, "fall": 3},
             "whenAllDown": {"sorryServer": {"address": "198.18.0.99", "weight": 1}},
             "minHealthy": 2, "minHealthyHysteresis": 1,
             "drainTimeoutSeconds": 30, "adopt": true,
             "realServerLimits": {"upperConnections": 100, "lowerConnections": 10}}
            """;

    /**
     * The other alternatives: Kubernetes nodes, whenAllDown as a word, an HTTPS check (its CA file is
     * the system bundle that the JDK's own packages install, readable on any machine that builds this).
     */
    static final String FULL_KUBERNETES = """
            {"vip": "198.18.0.100", "port": 80,
             "realServers": {"kubernetes": {"nodeSelector": {"edge": "true"}, "port": 80, "addressType": "InternalIP",
                                            "weight": 1}},
             "healthCheck": {"type": "https", "caFile": "/etc/ssl/certs/ca-certificates.crt",
                             "insecureSkipVerify": false, "via": "vip"},
             "whenAllDown": "empty"}
            """;

    /** The third alternative: the nodes serving a Kubernetes Service (its EndpointSlices). */
    static final String FULL_SERVICE = """
            {"vip": "198.18.0.100", "port": 443,
             "realServers": {"kubernetes": {"service": {"namespace": "ingress", "name": "traefik", "port": "https"},
                                            "port": 443, "addressType": "InternalIP", "weight": 1}}}
            """;

    /** The catalogue paths a document mentions; free-form maps (nodeSelector's labels) are leaves. */
    static SortedSet<String> pathsIn(JsonNode doc) {
        SortedSet<String> out = new TreeSet<>();
        collect(doc, "", out);
        return out;
    }

    private static void collect(JsonNode n, String at, SortedSet<String> out) {
        if (n.isArray()) {
            n.forEach(e -> collect(e, at, out));
        } else if (n.isObject() && SpecFields.OBJECTS.containsKey(at)) {
            n.fieldNames().forEachRemaining(f -> {
                String p = at.isEmpty() ? f : at + "." + f;
                out.add(p);
                collect(n.get(f), p, out);
            });
        }
    }

    private static SortedSet<String> union(SortedSet<String> a, SortedSet<String> b) {
        SortedSet<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    @Test
    void everyCatalogueObjectIsAFieldOfTheSpec() {
        for (String object : SpecFields.OBJECTS.keySet()) {
            if (!object.isEmpty()) {
                assertThat(SpecFields.paths()).as(object).contains(object);
            }
        }
        assertThat(SpecFields.paths()).contains("vip", "realServers.static.address", "whenAllDown.sorryServer.weight");
    }

    @Test
    void theFullSpecsNameEveryCataloguedFieldAndTheParserTakesThem() throws Exception {
        JsonNode a = MAPPER.readTree(FULL_STATIC);
        JsonNode b = MAPPER.readTree(FULL_KUBERNETES);
        JsonNode c = MAPPER.readTree(FULL_SERVICE);
        // A field added to the catalogue without a value here fails: the three documents are the
        // parser's acceptance test for every field.
        assertThat(union(union(pathsIn(a), pathsIn(b)), pathsIn(c))).isEqualTo(SpecFields.paths());
        JSON.fromRequest("web", a);
        JSON.fromRequest("web", b);
        JSON.fromRequest("web", c);
    }

    @Test
    void toJsonWritesEveryCataloguedFieldAndNoOther() throws Exception {
        ObjectNode a = JSON.toJson(JSON.fromRequest("web", FULL_STATIC));
        ObjectNode b = JSON.toJson(JSON.fromRequest("web", FULL_KUBERNETES));
        ObjectNode c = JSON.toJson(JSON.fromRequest("web", FULL_SERVICE));
        assertThat(union(union(pathsIn(a), pathsIn(b)), pathsIn(c))).isEqualTo(SpecFields.paths());
        // Written in catalogue order at the top.
        assertThat(List.copyOf(iterable(a))).isEqualTo(ServiceSpecJson.FIELDS.stream().filter(a::has).toList());
    }

    private static List<String> iterable(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Each catalogued object, with a field it does not know, is refused on exactly that field. */
    @Test
    void everyObjectRefusesAFieldOutsideItsList() throws Exception {
        for (String object : SpecFields.OBJECTS.keySet()) {
            for (String doc : List.of(FULL_STATIC, FULL_KUBERNETES)) {
                JsonNode root = MAPPER.readTree(doc);
                StringBuilder where = new StringBuilder();
                JsonNode target = find(root, object, where);
                if (target == null) {
                    continue;
                }
                ((ObjectNode) target).put("bogus", 1);
                String expected = where.length() == 0 ? "bogus" : where + ".bogus";
                assertThatThrownBy(() -> JSON.fromRequest("web", root)).as(object)
                        .isInstanceOfSatisfying(SpecValidationException.class, e ->
                                assertThat(e.errors()).extracting(SpecValidationException.FieldError::field)
                                        .contains(expected));
            }
        }
    }

    /** The object at a catalogue path in {@code root}, first element of arrays; its field path in {@code where}. */
    private static JsonNode find(JsonNode root, String path, StringBuilder where) {
        JsonNode n = root;
        if (path.isEmpty()) {
            return n;
        }
        for (String seg : path.split("\\.")) {
            n = n.get(seg);
            if (n == null) {
                return null;
            }
            where.append(where.length() == 0 ? "" : ".").append(seg);
            if (n.isArray()) {
                n = n.get(0);
                where.append("[0]");
            }
        }
        return n.isObject() ? n : null;
    }

    @Test
    void schemaFieldsReadsPropertiesItemsAndAlternatives() throws Exception {
        JsonNode schema = MAPPER.readTree("""
                {"type": "object", "properties": {
                  "a": {"type": "array", "items": {"type": "object", "properties": {"b": {"type": "string"}}}},
                  "c": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"d": {"type": "integer"}}}]},
                  "m": {"type": "object", "additionalProperties": {"type": "string"}},
                  "o": {"x-kubernetes-preserve-unknown-fields": true}}}
                """);
        SchemaFields.Declared d = SchemaFields.of(schema);
        assertThat(d.paths()).containsExactly("a", "a.b", "c", "c.d", "m", "o");
        assertThat(d.opaque()).containsExactly("o");
        assertThatThrownBy(() -> SchemaFields.of(MAPPER.readTree("{\"properties\": {\"x\": {\"$ref\": \"#/y\"}}}")))
                .hasMessageContaining("$ref");
    }
}
