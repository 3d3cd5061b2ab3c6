package io.lvsdirector.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.spec.SpecValidationException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The {@code status} of an {@code LvsService}, computed without I/O: each director's entry, the
 * top-level conditions and the drains. {@link LvsServiceStore#updateStatus} reads the newest
 * status, applies one of these functions and writes the result with optimistic concurrency, so a
 * director always recomputes the aggregate from the other director's newest entry.
 *
 * <pre>
 * status:
 *   observedGeneration: 3          # the generation the conditions speak of
 *   conditions:                    # metav1.Condition; kubectl wait --for=condition=Applied
 *   - {type: Accepted, status: "True", reason: Valid, message: "", observedGeneration: 3, lastTransitionTime: ...}
 *   - {type: Applied,  status: "True", reason: Applied, message: "applied by lvs-a, lvs-b", ...}
 *   directors:                     # one entry per director, each writes only its own
 *   - {name: lvs-a, observedGeneration: 3, applied: true, reason: Applied, message: "", lastUpdate: ...}
 *   drains:                        # manual drains, shared by the pair
 *   - {address: 198.18.0.21, since: ...}
 *   lastValidSpec: {generation: 3, spec: {...}}   # served after a restart while the spec is invalid
 * </pre>
 *
 * <p><b>Applied</b>, for the current generation {@code G}:
 * <ul>
 *   <li>{@code G} invalid: {@code False}, reason {@code InvalidSpec} (the last valid generation may
 *       still be served; the director entries say which);
 *   <li>no director has reported {@code G} yet: {@code Unknown}, reason {@code Pending};
 *   <li>a director that reported {@code G} did not apply it: {@code False}, reason
 *       {@code ApplyFailed}, naming it;
 *   <li>otherwise {@code True}: every director that has reported {@code G} applied it. A director still
 *       on an older generation (or gone) does not hold the aggregate back; the message names it.
 * </ul>
 */
public final class LvsStatus {

    public static final String ACCEPTED = "Accepted";
    public static final String APPLIED = "Applied";
    public static final String VALID = "Valid";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String PENDING = "Pending";
    public static final String APPLY_FAILED = "ApplyFailed";
    /** {@code status.lastValidSpec}: {generation, spec} of the last valid spec, read back after a restart. */
    public static final String LAST_VALID_SPEC = "lastValidSpec";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private LvsStatus() {
    }

    /**
     * One condition, as Kubernetes' {@code metav1.Condition}.
     *
     * @param status {@code True}, {@code False} or {@code Unknown}
     * @param lastTransitionTime when {@code status} last changed; {@code null} in a computed condition
     *     not yet merged into a status
     */
    public record Condition(String type, String status, String reason, String message, long observedGeneration,
            Instant lastTransitionTime) {
        public Condition {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(reason, "reason");
            message = message == null ? "" : message;
        }

        static Condition of(JsonNode n) {
            String t = n.path("lastTransitionTime").asText("");
            return new Condition(n.path("type").asText(), n.path("status").asText(), n.path("reason").asText(),
                    n.path("message").asText(""), n.path("observedGeneration").asLong(0),
                    t.isEmpty() ? null : Instant.parse(t));
        }

        ObjectNode toJson() {
            ObjectNode o = JSON.objectNode();
            o.put("type", type);
            o.put("status", status);
            o.put("reason", reason);
            o.put("message", message);
            o.put("observedGeneration", observedGeneration);
            o.put("lastTransitionTime", lastTransitionTime.truncatedTo(ChronoUnit.SECONDS).toString());
            return o;
        }
    }

    /** The {@code Accepted} condition for generation {@code generation}; {@code error} null when valid. */
    public static Condition accepted(long generation, SpecValidationException error) {
        return error == null
                ? new Condition(ACCEPTED, "True", VALID, "", generation, null)
                : new Condition(ACCEPTED, "False", INVALID_SPEC, error.getMessage(), generation, null);
    }

    /** The {@code Applied} condition for generation {@code generation} from every director's entry (rules above). */
    public static Condition applied(long generation, SpecValidationException error, List<DirectorReport> unsorted) {
        // Sorted by name: the message must not depend on which director wrote first.
        List<DirectorReport> reports = unsorted.stream().sorted(java.util.Comparator.comparing(DirectorReport::name))
                .toList();
        if (error != null) {
            String served = reports.stream().filter(DirectorReport::applied)
                    .map(r -> r.name() + " serves generation " + r.observedGeneration())
                    .collect(Collectors.joining(", "));
            return new Condition(APPLIED, "False", INVALID_SPEC, "generation " + generation + " is invalid ("
                    + error.getMessage() + ")" + (served.isEmpty() ? "" : "; the last valid spec stays: " + served),
                    generation, null);
        }
        List<DirectorReport> current = reports.stream().filter(r -> r.observedGeneration() == generation).toList();
        List<String> behind = reports.stream().filter(r -> r.observedGeneration() != generation)
                .map(DirectorReport::name).toList();
        String behindText = behind.isEmpty() ? ""
                : "; not reported generation " + generation + " yet: " + String.join(", ", behind);
        if (current.isEmpty()) {
            return new Condition(APPLIED, "Unknown", PENDING, "no director has reported generation " + generation
                    + " yet", generation, null);
        }
        List<DirectorReport> failed = current.stream().filter(r -> !r.applied()).toList();
        if (!failed.isEmpty()) {
            return new Condition(APPLIED, "False", APPLY_FAILED, failed.stream()
                    .map(r -> r.name() + ": " + r.reason() + (r.message().isEmpty() ? "" : " " + r.message()))
                    .collect(Collectors.joining("; ")) + behindText, generation, null);
        }
        return new Condition(APPLIED, "True", APPLIED, "applied by " + current.stream().map(DirectorReport::name)
                .collect(Collectors.joining(", ")) + behindText, generation, null);
    }

    /** Every director entry in a status (an entry that does not parse is skipped). */
    public static List<DirectorReport> reports(JsonNode status) {
        List<DirectorReport> out = new ArrayList<>();
        for (JsonNode d : status.path("directors")) {
            try {
                out.add(report(d));
            } catch (RuntimeException e) {
                // Someone else's malformed entry must not stop this director from writing its own.
            }
        }
        return out;
    }

    /** One director's entry, or null when it has none. */
    public static DirectorReport reportOf(JsonNode status, String director) {
        for (JsonNode d : status.path("directors")) {
            if (director.equals(d.path("name").asText())) {
                try {
                    return report(d);
                } catch (RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** A condition of a status by type, or null. */
    public static Condition condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return Condition.of(c);
            }
        }
        return null;
    }

    /**
     * {@code status} with this director's entry replaced (others kept as they are) and the top-level
     * {@code observedGeneration}, {@code Accepted} and {@code Applied} recomputed for
     * {@code generation}. Returns a new node; {@code status} is not changed.
     */
    public static ObjectNode withReport(JsonNode status, DirectorReport report, long generation,
            SpecValidationException error, Instant now) {
        ObjectNode out = status != null && status.isObject() ? ((ObjectNode) status).deepCopy() : JSON.objectNode();
        ArrayNode directors = JSON.arrayNode();
        boolean replaced = false;
        for (JsonNode d : out.path("directors")) {
            if (report.name().equals(d.path("name").asText())) {
                directors.add(toJson(report));
                replaced = true;
            } else {
                directors.add(d);
            }
        }
        if (!replaced) {
            directors.add(toJson(report));
        }
        out.set("directors", directors);
        out.put("observedGeneration", generation);
        List<DirectorReport> all = reports(out);
        setCondition(out, accepted(generation, error), now);
        setCondition(out, applied(generation, error, all), now);
        return out;
    }

    /**
     * Records the last valid spec in {@code status.lastValidSpec}, so a director that starts while the
     * object's current spec is invalid still serves the last valid one (see {@link LvsServiceStore}).
     */
    public static void setLastValidSpec(ObjectNode status, long generation, JsonNode spec) {
        ObjectNode lv = JSON.objectNode();
        lv.put("generation", generation);
        lv.set("spec", spec);
        status.set(LAST_VALID_SPEC, lv);
    }

    /**
     * Sets a condition as apimachinery's {@code meta.SetStatusCondition} does: {@code lastTransitionTime}
     * moves to {@code now} only when the condition is new or its {@code status} changed; reason,
     * message and observedGeneration are always taken.
     */
    public static void setCondition(ObjectNode status, Condition c, Instant now) {
        ArrayNode conditions = JSON.arrayNode();
        boolean found = false;
        for (JsonNode n : status.path("conditions")) {
            if (c.type().equals(n.path("type").asText())) {
                Condition old = Condition.of(n);
                Instant since = old.status().equals(c.status()) && old.lastTransitionTime() != null
                        ? old.lastTransitionTime() : now;
                conditions.add(new Condition(c.type(), c.status(), c.reason(), c.message(), c.observedGeneration(),
                        since).toJson());
                found = true;
            } else {
                conditions.add(n);
            }
        }
        if (!found) {
            conditions.add(new Condition(c.type(), c.status(), c.reason(), c.message(), c.observedGeneration(), now)
                    .toJson());
        }
        status.set("conditions", conditions);
    }

    static ObjectNode toJson(DirectorReport r) {
        ObjectNode o = JSON.objectNode();
        o.put("name", r.name());
        o.put("observedGeneration", r.observedGeneration());
        o.put("applied", r.applied());
        o.put("reason", r.reason());
        o.put("message", r.message());
        o.put("lastUpdate", r.lastUpdate().truncatedTo(ChronoUnit.SECONDS).toString());
        return o;
    }

    private static DirectorReport report(JsonNode d) {
        return new DirectorReport(d.path("name").asText(), d.path("observedGeneration").asLong(0),
                d.path("applied").asBoolean(false), d.path("reason").asText(""), d.path("message").asText(""),
                Instant.parse(d.path("lastUpdate").asText()));
    }
}
