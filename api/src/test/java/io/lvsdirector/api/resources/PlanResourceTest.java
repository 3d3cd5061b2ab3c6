package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.TestDirector;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class PlanResourceTest {

    static final TestDirector T = new TestDirector();
    static final ResourceExtension API = T.extension(true);
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void reset() {
        T.reset();
    }

    static Response plan(String body) {
        return API.target("/v1/plan").request(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + TestDirector.READ_TOKEN).post(Entity.json(body));
    }

    @Test
    void listsTheOperationsAndAppliesNone() throws Exception {
        T.ipvs.resetCounts();
        Response r = plan("{\"services\": {\"web\": " + ServicesResourceTest.WEB + "}}");
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode ops = JSON.readTree(r.readEntity(String.class)).get("operations");
        assertThat(ops).hasSize(3);
        assertThat(ops.get(0).get("op").asText()).isEqualTo("add_service");
        assertThat(ops.get(0).get("service").asText()).isEqualTo("web");
        assertThat(ops.get(0).get("ipvsadm").asText()).isEqualTo("-A -t 198.18.0.100:80 -s rr");
        assertThat(ops.get(1).get("ipvsadm").asText()).startsWith("-a -t 198.18.0.100:80 -r 198.18.0.21:80 -g -w 1");
        assertThat(T.ipvs.writeCount()).isZero();
        assertThat(T.ipvs.services()).isEmpty();
        assertThat(T.store.services()).isEmpty();
    }

    @Test
    void anOwnedServiceLeftOutIsPlannedForDeletionAndAMatchingSetIsEmpty() throws Exception {
        assertThat(API.target("/v1/services/web").request()
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN)
                .put(Entity.json(ServicesResourceTest.WEB)).getStatus()).isEqualTo(201);
        T.director.loop().runOnce();
        T.ipvs.resetCounts();
        JsonNode same = JSON.readTree(plan("{\"services\": {\"web\": " + ServicesResourceTest.WEB + "}}")
                .readEntity(String.class));
        assertThat(same.get("operations")).isEmpty();
        JsonNode none = JSON.readTree(plan("{\"services\": {}}").readEntity(String.class));
        assertThat(none.get("operations")).hasSize(1);
        assertThat(none.at("/operations/0/ipvsadm").asText()).isEqualTo("-D -t 198.18.0.100:80");
        assertThat(T.ipvs.writeCount()).isZero();
        assertThat(T.ipvs.services()).hasSize(1);
    }

    @Test
    void theDryRunReadsNoKernelSaysHowOldItsTableIsAndLeavesAForeignServiceAlone() throws Exception {
        // Someone else's service on web's protocol:VIP:port (ownership is recorded by now).
        T.ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(
                io.lvsdirector.ipvs.VirtualServerKey.tcp("198.18.0.100", 80), "rr"));
        T.director.loop().runOnce();
        T.ipvs.resetCounts();
        JsonNode r = JSON.readTree(plan("{\"services\": {\"web\": " + ServicesResourceTest.WEB + "}}")
                .readEntity(String.class));
        assertThat(T.ipvs.count(io.lvsdirector.ipvs.FakeIpvs.Call.SNAPSHOT)).isZero();
        assertThat(r.get("operations")).isEmpty();
        assertThat(r.get("foreign")).hasSize(1);
        assertThat(r.at("/foreign/0").asText()).isEqualTo("web");
        assertThat(r.get("kernelReadAt").isTextual()).isTrue();
        assertThat(r.get("kernelAgeSeconds").asDouble()).isBetween(0.0, 60.0);
    }

    @Test
    void invalidSpecsAre422WithThePathToTheField() throws Exception {
        Response r = plan("{\"services\": {\"web\": {\"vip\": \"224.1.1.1\", \"port\": 80,"
                + " \"realServers\": {\"static\": []}}}}");
        assertThat(r.getStatus()).isEqualTo(422);
        assertThat(JSON.readTree(r.readEntity(String.class)).get("field").asText()).isEqualTo("services.web.vip");
        Response badName = plan("{\"services\": {\"Web\": " + ServicesResourceTest.WEB + "}}");
        assertThat(badName.getStatus()).isEqualTo(422);
        assertThat(JSON.readTree(badName.readEntity(String.class)).get("field").asText()).isEqualTo("services.Web");
    }

    @Test
    void duplicateIdentityIs409AndWrongShapesAreRefused() {
        assertThat(plan("{\"services\": {\"a\": " + ServicesResourceTest.WEB + ", \"b\": " + ServicesResourceTest.WEB
                + "}}").getStatus()).isEqualTo(409);
        assertThat(plan("{}").getStatus()).isEqualTo(400);
        assertThat(plan("[]").getStatus()).isEqualTo(400);
        assertThat(plan("{\"services\": []}").getStatus()).isEqualTo(422);
        assertThat(plan("{\"services\": {}, \"extra\": 1}").getStatus()).isEqualTo(422);
        assertThat(plan("{\"services\": {").getStatus()).isEqualTo(400);
    }
}
