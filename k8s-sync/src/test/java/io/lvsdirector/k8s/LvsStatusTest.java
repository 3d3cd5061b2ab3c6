package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.spec.SpecValidationException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status arithmetic, no cluster: conditions as meta.SetStatusCondition, the Applied aggregate. */
class LvsStatusTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-12-06T10:05:00Z");
    private static final Instant T2 = Instant.parse("2026-12-06T10:09:00Z");
    private static final SpecValidationException BAD_VIP = new SpecValidationException(
            List.of(new SpecValidationException.FieldError("vip", "must not be loopback")));

    private static DirectorReport report(String name, long generation, boolean applied) {
        return new DirectorReport(name, generation, applied,
                applied ? DirectorReport.APPLIED : DirectorReport.APPLY_FAILED, applied ? "" : "ENOENT", T0);
    }

    @Test
    void lastTransitionTimeMovesOnlyWhenTheStatusFlips() {
        ObjectNode status = MAPPER.createObjectNode();
        LvsStatus.setCondition(status, new LvsStatus.Condition("Applied", "True", "Applied", "a", 1, null), T0);
        LvsStatus.setCondition(status, new LvsStatus.Condition("Applied", "True", "Applied", "b", 2, null), T1);
        LvsStatus.Condition c = LvsStatus.condition(status, "Applied");
        assertThat(c.lastTransitionTime()).isEqualTo(T0);
        assertThat(c.message()).isEqualTo("b");
        assertThat(c.observedGeneration()).isEqualTo(2);

        LvsStatus.setCondition(status, new LvsStatus.Condition("Applied", "False", "ApplyFailed", "c", 2, null), T2);
        assertThat(LvsStatus.condition(status, "Applied").lastTransitionTime()).isEqualTo(T2);
        // Other conditions are left alone.
        LvsStatus.setCondition(status, new LvsStatus.Condition("Accepted", "True", "Valid", "", 2, null), T2);
        assertThat(status.path("conditions")).hasSize(2);
        assertThat(status.at("/conditions/0/lastTransitionTime").asText()).isEqualTo("2026-12-06T10:09:00Z");
    }

    @Test
    void appliedFollowsEveryDirectorThatReportedTheCurrentGeneration() {
        assertThat(LvsStatus.applied(3, null, List.of()).status()).isEqualTo("Unknown");
        assertThat(LvsStatus.applied(3, null, List.of(report("a", 2, true))).reason()).isEqualTo("Pending");

        LvsStatus.Condition one = LvsStatus.applied(3, null, List.of(report("a", 3, true), report("b", 2, true)));
        assertThat(one.status()).isEqualTo("True");
        assertThat(one.message()).isEqualTo("applied by a; not reported generation 3 yet: b");

        LvsStatus.Condition failed = LvsStatus.applied(3, null, List.of(report("a", 3, true), report("b", 3, false)));
        assertThat(failed.status()).isEqualTo("False");
        assertThat(failed.reason()).isEqualTo("ApplyFailed");
        assertThat(failed.message()).isEqualTo("b: ApplyFailed ENOENT");

        LvsStatus.Condition both = LvsStatus.applied(3, null, List.of(report("b", 3, true), report("a", 3, true)));
        assertThat(both.status()).isEqualTo("True");
        assertThat(both.message()).isEqualTo("applied by a, b");
        assertThat(both.observedGeneration()).isEqualTo(3);
    }

    @Test
    void anInvalidGenerationIsNotAcceptedNorAppliedAndSaysWhatStaysServed() {
        LvsStatus.Condition accepted = LvsStatus.accepted(4, BAD_VIP);
        assertThat(accepted.status()).isEqualTo("False");
        assertThat(accepted.reason()).isEqualTo("InvalidSpec");
        assertThat(accepted.message()).isEqualTo("vip: must not be loopback");
        LvsStatus.Condition applied = LvsStatus.applied(4, BAD_VIP, List.of(report("a", 3, true)));
        assertThat(applied.status()).isEqualTo("False");
        assertThat(applied.reason()).isEqualTo("InvalidSpec");
        assertThat(applied.message()).contains("vip: must not be loopback").contains("a serves generation 3");
        assertThat(LvsStatus.accepted(4, null).status()).isEqualTo("True");
    }

    @Test
    void withReportReplacesOnlyItsOwnEntryAndRecomputesTheAggregate() {
        ObjectNode status = LvsStatus.withReport(MAPPER.createObjectNode(), report("a", 1, true), 1, null, T0);
        status = LvsStatus.withReport(status, report("b", 1, false), 1, null, T1);
        status = LvsStatus.withReport(status, report("a", 1, true), 1, null, T2);
        assertThat(LvsStatus.reports(status)).extracting(DirectorReport::name).containsExactly("a", "b");
        assertThat(LvsStatus.reportOf(status, "b").applied()).isFalse();
        assertThat(status.path("observedGeneration").asLong()).isEqualTo(1);
        LvsStatus.Condition applied = LvsStatus.condition(status, "Applied");
        assertThat(applied.status()).isEqualTo("False");
        assertThat(applied.lastTransitionTime()).isEqualTo(T1);
        status = LvsStatus.withReport(status, report("b", 1, true), 1, null, T2);
        assertThat(LvsStatus.condition(status, "Applied").status()).isEqualTo("True");
        assertThat(LvsStatus.condition(status, "Applied").lastTransitionTime()).isEqualTo(T2);
        assertThat(LvsStatus.condition(status, "Accepted").lastTransitionTime()).isEqualTo(T0);
        // A malformed entry by someone else is skipped, not fatal.
        ((com.fasterxml.jackson.databind.node.ArrayNode) status.get("directors")).addObject().put("name", "Bad Name");
        assertThat(LvsStatus.reports(status)).hasSize(2);
        JsonNode copy = status.deepCopy();
        LvsStatus.withReport(status, report("a", 2, true), 2, null, T2);
        assertThat(status).isEqualTo(copy);
    }

    @Test
    void directorNamesAreDnsNamesAndTheHostDefaultIsOne() {
        assertThat(DirectorNames.sanitize("LB1_Edge.example.COM")).isEqualTo("lb1-edge.example.com");
        assertThat(DirectorNames.sanitize("-x-")).isEqualTo("x");
        assertThat(DirectorNames.sanitize(null)).isEqualTo("lvs-director");
        assertThat(DirectorNames.check(DirectorNames.hostDefault())).isNotEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DirectorNames.check("Dir 1"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
