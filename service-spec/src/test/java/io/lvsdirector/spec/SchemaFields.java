package io.lvsdirector.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The field paths a JSON Schema declares (an OpenAPI 3 schema object or a CRD's
 * {@code openAPIV3Schema}), in {@link SpecFields}' notation, so that the CRD test in k8s-sync and
 * the OpenAPI test in api compare the same thing with {@link SpecFields#paths()}.
 *
 * <p>{@code properties} give paths, {@code items} is transparent, and the object alternatives of
 * {@code oneOf} / {@code anyOf} / {@code allOf} add their properties under the field's own path.
 * {@code additionalProperties} (a map of free keys) declares no path. A field marked
 * {@code x-kubernetes-preserve-unknown-fields} with nothing declared inside is <em>opaque</em>:
 * a structural CRD schema cannot say "a string or an object", so the parser alone checks inside it.
 */
public final class SchemaFields {

    /**
     * @param paths every declared field path, nested ones included
     * @param opaque the paths whose content the schema leaves undeclared
     */
    public record Declared(SortedSet<String> paths, SortedSet<String> opaque) {
    }

    private SchemaFields() {
    }

    /**
     * The paths {@code schema} declares below itself.
     *
     * @throws IllegalArgumentException on a {@code $ref}: resolve references before comparing, or a
     *     referenced object's fields would silently count as absent
     */
    public static Declared of(JsonNode schema) {
        SortedSet<String> paths = new TreeSet<>();
        SortedSet<String> opaque = new TreeSet<>();
        walk(schema, "", paths, opaque);
        return new Declared(Collections.unmodifiableSortedSet(paths), Collections.unmodifiableSortedSet(opaque));
    }

    private static void walk(JsonNode s, String at, SortedSet<String> paths, SortedSet<String> opaque) {
        if (s == null || !s.isObject()) {
            return;
        }
        if (s.has("$ref")) {
            throw new IllegalArgumentException("unresolved $ref at '" + at + "': " + s.get("$ref").asText());
        }
        JsonNode props = s.get("properties");
        boolean declaresInside = false;
        if (props != null && props.isObject()) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) props::fields) {
                String p = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
                paths.add(p);
                walk(e.getValue(), p, paths, opaque);
                declaresInside = true;
            }
        }
        if (s.has("items")) {
            walk(s.get("items"), at, paths, opaque);
            declaresInside = true;
        }
        for (String union : List.of("oneOf", "anyOf", "allOf")) {
            JsonNode alts = s.get(union);
            if (alts != null && alts.isArray()) {
                alts.forEach(alt -> walk(alt, at, paths, opaque));
                declaresInside = true;
            }
        }
        if (!declaresInside && s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            opaque.add(at);
        }
    }
}
