package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A PUT checked against the running kernel as the loop last saw it: a scheduler the kernel lacks
 * (422 on {@code scheduler}), a foreign kernel service at the same protocol:VIP:port (409 unless
 * {@code adopt}), and a DELETE that leaves a service the director never owned in the kernel. The
 * fake kernel has Linux 6.1's schedulers, so {@code twos} is missing as in the lab.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelChecksResourceTest {

    static final TestDirector T = new TestDirector();
    static final ResourceExtension API = T.extension(true);
    static final ObjectMapper JSON = new ObjectMapper();

    static String spec(String vip, String scheduler, String extra) {
        return "{\"vip\": \"" + vip + "\", \"port\": 80, \"scheduler\": \"" + scheduler + "\","
                + " \"realServers\": {\"static\": [{\"address\": \"198.18.0.21\"}]}" + extra + "}";
    }

    static Response put(String name, String json) {
        return API.target("/v1/services/" + name).request(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN)
                .put(Entity.entity(json, MediaType.APPLICATION_JSON));
    }

    static Response delete(String name) {
        return API.target("/v1/services/" + name).request(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN).delete();
    }

    static JsonNode body(Response r) throws Exception {
        return JSON.readTree(r.readEntity(String.class));
    }

    @Test
    @Order(1)
    void aSchedulerTheKernelLacksIs422OnceProbedAndAcceptedBefore() throws Exception {
        // No pass yet: the catalog knows nothing, and the API does not guess.
        assertThat(put("early", spec("198.18.0.110", "twos", "")).getStatus()).isEqualTo(201);
        T.reset(); // empties the state; its pass probes the kernel's schedulers
        long version = T.store.version();
        byte[] file = Files.readAllBytes(T.store.file());

        Response r = put("web", spec("198.18.0.110", "twos", ""));
        assertThat(r.getStatus()).isEqualTo(422);
        JsonNode b = body(r);
        assertThat(b.get("code").asInt()).isEqualTo(422);
        assertThat(b.get("field").asText()).isEqualTo("scheduler");
        assertThat(b.get("message").asText()).contains("'twos'").contains("wlc").contains("mh").doesNotContain("twos,");
        assertThat(T.store.version()).isEqualTo(version);
        assertThat(Files.readAllBytes(T.store.file())).isEqualTo(file);

        assertThat(put("web", spec("198.18.0.110", "mh", "")).getStatus()).isEqualTo(201);
        // A kernel that gains the module is seen at the next probe round.
        T.ipvs.withSchedulers(io.lvsdirector.ipvs.FakeIpvs.STOCK_SCHEDULERS);
        T.director.schedulers().refresh();
        T.director.loop().runOnce();
        assertThat(put("web", spec("198.18.0.110", "twos", "")).getStatus()).isEqualTo(200);
        T.ipvs.withSchedulers(io.lvsdirector.ipvs.FakeIpvs.LINUX_6_1_SCHEDULERS);
        T.director.schedulers().refresh();
        T.reset();
    }

    @Test
    @Order(2)
    void addressesTheKernelRefusesOrCannotServeAre422WithTheirPath() throws Exception {
        String[][] cases = {
            {"0.0.0.0", "realServers.static[1].address"},
            {"224.0.0.1", "realServers.static[1].address"},
            {"255.255.255.255", "realServers.static[1].address"},
            {"127.0.0.1", "realServers.static[1].address"},
            {"198.18.0.120", "realServers.static[1].address"},
        };
        for (String[] c : cases) {
            String json = "{\"vip\": \"198.18.0.120\", \"port\": 80, \"realServers\": {\"static\": ["
                    + "{\"address\": \"198.18.0.21\"}, {\"address\": \"" + c[0] + "\"}]}}";
            Response r = put("bad", json);
            assertThat(r.getStatus()).as(c[0]).isEqualTo(422);
            assertThat(body(r).get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        Response r = put("bad", "{\"vip\": \"0.0.0.0\", \"port\": 80, \"realServers\": {\"static\": []}}");
        assertThat(r.getStatus()).isEqualTo(422);
        assertThat(body(r).get("field").asText()).isEqualTo("vip");
        assertThat(T.store.get("bad")).isEmpty();
    }

    @Test
    @Order(3)
    void aForeignKernelServiceIs409UnlessAdoptedAndDeleteLeavesIt() throws Exception {
        VirtualServerKey key = VirtualServerKey.tcp("198.18.0.130", 80);
        // Someone else's service: ipvsadm -A -t 198.18.0.130:80 -s wlc, two real servers.
        T.ipvs.addService(VirtualServer.of(key, "wlc"));
        T.ipvs.addRealServer(key, RealServer.directRoute("198.18.0.31", 80, 1));
        T.ipvs.addRealServer(key, RealServer.directRoute("198.18.0.32", 80, 1));
        T.director.loop().runOnce(); // the loop reads it: now in the published kernel view
        T.ipvs.resetCounts();
        long version = T.store.version();

        Response r = put("web", spec("198.18.0.130", "rr", ""));
        assertThat(r.getStatus()).isEqualTo(409);
        JsonNode b = body(r);
        assertThat(b.get("code").asInt()).isEqualTo(409);
        assertThat(b.get("field").asText()).isEqualTo("vip");
        assertThat(b.get("message").asText()).contains("TCP 198.18.0.130:80").contains("scheduler wlc")
                .contains("2 real servers").contains("adopt");
        assertThat(T.store.version()).isEqualTo(version);
        T.director.loop().runOnce();
        assertThat(T.ipvs.writeCount()).isZero();
        assertThat(T.ipvs.getService(key).orElseThrow().spec().scheduler()).isEqualTo("wlc");

        // Another protocol on that VIP:port is another kernel service: no clash.
        assertThat(put("web-udp", spec("198.18.0.130", "rr", ", \"protocol\": \"udp\"")).getStatus()).isEqualTo(201);

        // A foreign service whose settings cannot be read clashes just the same.
        VirtualServerKey odd = VirtualServerKey.tcp("198.18.0.131", 80);
        T.ipvs.addService(VirtualServer.of(odd, "rr"));
        T.ipvs.makeUnreadable(odd, "persistence netmask 255.0.255.0 is not a prefix");
        T.director.loop().runOnce();
        Response r2 = put("odd", spec("198.18.0.131", "rr", ""));
        assertThat(r2.getStatus()).isEqualTo(409);
        assertThat(body(r2).get("message").asText()).contains("255.0.255.0");

        // With adopt the operator says it is theirs to take: accepted, and adopt is written back.
        T.ipvs.resetCounts();
        Response adopted = put("web", spec("198.18.0.130", "rr", ", \"adopt\": true"));
        assertThat(adopted.getStatus()).isEqualTo(201);
        assertThat(body(adopted).at("/spec/adopt").asBoolean(false)).isTrue();
        assertThat(T.store.get("web").orElseThrow().adopt()).isTrue();
        // Deleted before the loop took it over: the director never owned it, and it stays.
        assertThat(delete("web").getStatus()).isEqualTo(204);
        T.director.loop().runOnce();
        assertThat(T.ipvs.getService(key).orElseThrow().spec().scheduler()).isEqualTo("wlc");
        assertThat(T.ipvs.realServers(key)).hasSize(2);
    }
}
