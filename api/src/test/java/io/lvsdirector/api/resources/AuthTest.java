package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.TestDirector;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(DropwizardExtensionsSupport.class)
class AuthTest {

    static final TestDirector T = new TestDirector();
    static final ResourceExtension API = T.extension(true);
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void reset() {
        T.reset();
    }

    static Invocation.Builder as(String path, String authorization) {
        Invocation.Builder b = API.target(path).request(MediaType.APPLICATION_JSON);
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer", "Bearer ", "Bearer wrong-token-0123456789abcdef", "Basic YWRtaW46YWRtaW4=",
        "bearer-" + TestDirector.ADMIN_TOKEN, "Bearer " + TestDirector.ADMIN_TOKEN + "x",
        "Bearer admin-token-0123456789abcdeF"})
    void withoutAValidTokenEveryEndpointIs401(String header) throws Exception {
        String h = header.isEmpty() ? null : header;
        for (Response r : new Response[] {
            as("/v1/services", h).get(),
            as("/v1/services/web", h).get(),
            as("/v1/services/web", h).put(Entity.json(ServicesResourceTest.WEB)),
            as("/v1/services/web", h).delete(),
            as("/v1/services/web/real-servers/198.18.0.21/drain", h).post(Entity.json("")),
            as("/v1/services/web/real-servers/198.18.0.21/drain", h).delete(),
            as("/v1/plan", h).post(Entity.json("{\"services\": {}}")),
        }) {
            assertThat(r.getStatus()).isEqualTo(401);
            assertThat(r.getHeaderString("WWW-Authenticate")).startsWith("Bearer");
            JsonNode b = JSON.readTree(r.readEntity(String.class));
            assertThat(b.get("code").asInt()).isEqualTo(401);
            // The presented credential is never echoed.
            assertThat(b.toString()).doesNotContain("token-0123456789");
        }
        assertThat(T.store.services()).isEmpty();
    }

    @Test
    void readTokenReadsAndPlansButCannotWrite() {
        String read = "Bearer " + TestDirector.READ_TOKEN;
        assertThat(as("/v1/services", read).get().getStatus()).isEqualTo(200);
        assertThat(as("/v1/plan", read).post(Entity.json("{\"services\": {}}")).getStatus()).isEqualTo(200);
        Response put = as("/v1/services/web", read).put(Entity.json(ServicesResourceTest.WEB));
        assertThat(put.getStatus()).isEqualTo(403);
        assertThat(put.readEntity(String.class)).contains("\"code\":403");
        assertThat(T.store.services()).isEmpty();

        String admin = "Bearer " + TestDirector.ADMIN_TOKEN;
        assertThat(as("/v1/services/web", admin).put(Entity.json(ServicesResourceTest.WEB)).getStatus())
                .isEqualTo(201);
        assertThat(as("/v1/services/web", read).get().getStatus()).isEqualTo(200);
        assertThat(as("/v1/services/web", read).delete().getStatus()).isEqualTo(403);
        assertThat(as("/v1/services/web/real-servers/198.18.0.21/drain", read).post(Entity.json("")).getStatus())
                .isEqualTo(403);
        assertThat(as("/v1/services/web/real-servers/198.18.0.21/drain", read).delete().getStatus()).isEqualTo(403);
        assertThat(T.store.get("web")).isPresent();
        assertThat(T.store.drains()).isEmpty();
    }

    @Test
    void openApiNeedsNoToken() throws Exception {
        Response r = as("/v1/openapi.json", null).get();
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.readEntity(String.class));
        assertThat(doc.get("openapi").asText()).startsWith("3.");
    }
}
