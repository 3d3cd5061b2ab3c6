package io.lvsdirector.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The field catalogue of a service spec: every JSON object the parser reads, with the fields it
 * knows in that object. {@link ServiceSpecJson} refuses any other field with these very lists, and
 * writes no other field; the CRD schema ({@code k8s-sync/manifests/crd-lvsservice.yaml}) and the
 * REST API's {@code openapi.json} are tested against {@link #paths()}, so none of the four can
 * name a field the others do not.
 *
 * <p>Paths are dotted names from the spec's top; an array is transparent ({@code realServers.static}
 * is the list and its elements alike, so a static real server's address is
 * {@code realServers.static.address}). A field of free-form keys ({@code nodeSelector}'s labels) is
 * a leaf. An object that is one alternative of a field ({@code whenAllDown} is a string or
 * {@code {"sorryServer": ...}}) is listed under that field's path.
 *
 * <p>To add a field: add its name to its object's list here (or to {@link ServiceSpecJson#FIELDS}
 * and the other lists the parser already had), read and write it in {@link ServiceSpecJson}, and
 * describe it in the CRD and in {@code openapi.json}; the tests name whichever is missing.
 */
public final class SpecFields {

    /** {@code realServers}: exactly one of the two sources. */
    public static final List<String> REAL_SERVERS_FIELDS = List.of("static", "kubernetes");

    /** {@code whenAllDown} as an object (its other form is the string fail-open, empty or keep-last-healthy). */
    public static final List<String> WHEN_ALL_DOWN_FIELDS = List.of("sorryServer");

    public static final List<String> SORRY_SERVER_FIELDS = List.of("address", "weight");

    /** {@code realServerLimits}: connection thresholds given to every real server of the service. */
    public static final List<String> REAL_SERVER_LIMITS_FIELDS = List.of("upperConnections", "lowerConnections");

    /** Object path ({@code ""} for the spec itself) to the fields the parser knows there, in write order. */
    public static final Map<String, List<String>> OBJECTS = objects();

    private SpecFields() {
    }

    private static Map<String, List<String>> objects() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("", ServiceSpecJson.FIELDS);
        m.put("realServers", REAL_SERVERS_FIELDS);
        m.put("realServers.static", ServiceSpecJson.STATIC_FIELDS);
        m.put("realServers.kubernetes", ServiceSpecJson.KUBERNETES_FIELDS);
        m.put("realServers.kubernetes.service", ServiceSpecJson.SERVICE_FIELDS);
        m.put("healthCheck", ServiceSpecJson.HEALTH_CHECK_FIELDS);
        m.put("whenAllDown", WHEN_ALL_DOWN_FIELDS);
        m.put("whenAllDown.sorryServer", SORRY_SERVER_FIELDS);
        m.put("realServerLimits", REAL_SERVER_LIMITS_FIELDS);
        return Collections.unmodifiableMap(m);
    }

    /**
     * Every field path of the spec, nested objects' fields included, sorted: for example
     * {@code adopt}, {@code realServers}, {@code realServers.static}, {@code realServers.static.address}.
     */
    public static SortedSet<String> paths() {
        SortedSet<String> out = new TreeSet<>();
        OBJECTS.forEach((object, fields) -> fields.forEach(f -> out.add(object.isEmpty() ? f : object + "." + f)));
        return Collections.unmodifiableSortedSet(out);
    }
}
