package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.TestDirector;
import jakarta.ws.rs.client.Entity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code auth.enabled: false}: every caller may do everything, and validation still applies. */
@ExtendWith(DropwizardExtensionsSupport.class)
class NoAuthTest {

    static final TestDirector T = new TestDirector();
    static final ResourceExtension API = T.extension(false);

    @Test
    void everyCallerIsAdmin() {
        assertThat(API.target("/v1/services/web").request().put(Entity.json(ServicesResourceTest.WEB)).getStatus())
                .isEqualTo(201);
        assertThat(API.target("/v1/services/web").request().get().getStatus()).isEqualTo(200);
        assertThat(API.target("/v1/services/web2").request().put(Entity.json("{\"vip\": \"127.0.0.1\"}"))
                .getStatus()).isEqualTo(422);
        assertThat(API.target("/v1/services/web").request().delete().getStatus()).isEqualTo(204);
    }
}
