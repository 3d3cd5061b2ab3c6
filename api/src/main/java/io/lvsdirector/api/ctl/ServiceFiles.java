package io.lvsdirector.api.ctl;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The services a file for {@code apply -f} / {@code plan -f} names, in file order, as NAME → spec
 * (the API's JSON shape). JSON or YAML (by the name's extension; otherwise a file starting with
 * {@code {} is JSON). Three shapes, so that what {@code get} and {@code services -o json} print can be
 * applied again:
 * <ul>
 *   <li>one service: {@code {"name": "web", "spec": {...}}} ({@code status} is ignored);</li>
 *   <li>several: {@code {"services": {"web": {...}, "api": {...}}}} (the plan body, the state file's map);</li>
 *   <li>a listing: {@code {"services": [{"name", "spec", "status"}, ...]}} ({@code services -o json}).</li>
 * </ul>
 * Duplicate keys are refused, as the API refuses them.
 */
final class ServiceFiles {

    private static final Set<String> SINGLE = Set.of("name", "spec", "status");
    private static final Set<String> LISTING = Set.of("services", "version", "kernelReadAt", "kernelAgeSeconds");

    private ServiceFiles() {
    }

    static Map<String, JsonNode> read(String file, InputStream stdin) throws CtlException {
        String text;
        try {
            text = file.equals("-") ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw CtlException.usage("file " + file + " does not exist");
        } catch (IOException e) {
            throw CtlException.usage("cannot read " + file + ": " + e.getMessage());
        }
        String lower = file.toLowerCase(Locale.ROOT);
        boolean yaml = lower.endsWith(".yaml") || lower.endsWith(".yml")
                || (!lower.endsWith(".json") && !text.stripLeading().startsWith("{"));
        ObjectMapper mapper = yaml ? new ObjectMapper(new YAMLFactory()) : JsonMapper.builder().build();
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // The parser's own message, without its dump of the source.
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw CtlException.usage(file + " is not " + (yaml ? "YAML" : "JSON") + ": "
                    + ClientConfig.firstLine(e.getOriginalMessage()) + line);
        } catch (IOException e) {
            throw CtlException.usage("cannot read " + file + ": " + e.getMessage());
        }
        return services(file, root);
    }

    static Map<String, JsonNode> services(String file, JsonNode root) throws CtlException {
        String shapes = " (expected {\"name\": NAME, \"spec\": {...}} or {\"services\": {NAME: spec, ...}})";
        if (root == null || !root.isObject()) {
            throw CtlException.usage(file + " must hold an object" + shapes);
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (root.has("spec") || root.has("name")) {
            onlyKeys(file, root, SINGLE, shapes);
            JsonNode name = root.get("name");
            JsonNode spec = root.get("spec");
            if (name == null || !name.isTextual() || spec == null || !spec.isObject()) {
                throw CtlException.usage(file + ": a single service needs a string name and an object spec" + shapes);
            }
            out.put(name.asText(), spec);
        } else if (root.has("services")) {
            onlyKeys(file, root, LISTING, shapes);
            JsonNode services = root.get("services");
            if (services.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isObject()) {
                        throw CtlException.usage(file + ": services." + e.getKey() + " must be an object (a spec)");
                    }
                    out.put(e.getKey(), e.getValue());
                }
            } else if (services.isArray()) {
                int i = 0;
                for (JsonNode v : services) {
                    if (!v.isObject() || !v.path("name").isTextual() || !v.path("spec").isObject()) {
                        throw CtlException.usage(file + ": services[" + i + "] needs a string name and an object spec");
                    }
                    if (out.put(v.get("name").asText(), v.get("spec")) != null) {
                        throw CtlException.usage(file + ": service " + v.get("name").asText() + " appears twice");
                    }
                    i++;
                }
            } else {
                throw CtlException.usage(file + ": services must be an object or a list" + shapes);
            }
        } else {
            throw CtlException.usage(file + " names no service" + shapes);
        }
        if (out.isEmpty()) {
            throw CtlException.usage(file + " names no service");
        }
        return out;
    }

    private static void onlyKeys(String file, JsonNode root, Set<String> known, String shapes) throws CtlException {
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!known.contains(k)) {
                throw CtlException.usage(file + ": unknown top-level key '" + k + "'" + shapes);
            }
        }
    }
}
