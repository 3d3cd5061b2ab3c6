package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.spec.SchemaFields;
import io.lvsdirector.spec.ServiceSpecJson;
import io.lvsdirector.spec.SpecFields;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * {@code openapi.json} (hand-written, served at {@code /v1/openapi.json}) describes the body the
 * parser reads: its {@code ServiceSpec} schema names, at every depth, exactly the fields of the
 * parser's catalogue ({@link SpecFields}). A field added to the parser and not to the document, or
 * left in the document after the parser dropped it, fails here with the path.
 */
class OpenApiDocumentTest {

    private static JsonNode document() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void serviceSpecSchemaDeclaresTheCatalogueAtEveryDepth() throws Exception {
        SchemaFields.Declared declared = SchemaFields.of(document().at("/components/schemas/ServiceSpec"));
        assertThat(declared.paths()).as("openapi.json ServiceSpec fields vs SpecFields.paths()")
                .containsExactlyInAnyOrderElementsOf(SpecFields.paths());
        // OpenAPI can say "a string or an object" (whenAllDown's oneOf), so nothing is left undeclared.
        assertThat(declared.opaque()).isEmpty();
    }

    @Test
    void limitsAndResponsesTheTestsOfThePutRelyOn() throws Exception {
        JsonNode doc = document();
        JsonNode spec = doc.at("/components/schemas/ServiceSpec/properties");
        assertThat(spec.at("/adopt/default").asBoolean(true)).isFalse();
        assertThat(spec.at("/minHealthy/minimum").asInt()).isEqualTo(1);
        assertThat(spec.at("/minHealthy/maximum").asInt()).isEqualTo(65535);
        assertThat(spec.at("/minHealthy/default").asInt()).isEqualTo(1);
        assertThat(spec.at("/minHealthyHysteresis/default").asInt(-1)).isEqualTo(0);
        assertThat(doc.at("/components/schemas/ServiceView/properties/status/properties/belowQuorumSince/format")
                .asText()).isEqualTo("date-time");
        assertThat(spec.at("/persistenceSeconds/maximum").asInt()).isEqualTo(ServiceSpecJson.MAX_PERSISTENCE_SECONDS);
        assertThat(doc.at("/paths/~1v1~1services~1{name}/put/responses/409/description").asText()).contains("own");
        assertThat(doc.at("/paths/~1v1~1services~1{name}/put/responses/422").isMissingNode()).isFalse();
    }
}
