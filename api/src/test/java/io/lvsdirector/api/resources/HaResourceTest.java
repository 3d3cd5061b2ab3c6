package io.lvsdirector.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.ApiRegistration;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.TokenFileAccess;
import io.lvsdirector.api.auth.TokenFile;
import io.lvsdirector.api.ha.HaStateFile;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.HaMeasurements;
import io.lvsdirector.core.ha.HaSettings;
import io.lvsdirector.core.ha.InstanceState;
import io.lvsdirector.core.ha.VrrpState;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.SyncDaemon;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class HaResourceTest {

    static final String NOTIFY_TOKEN = "notify-token-0123456789abcdef";
    static final String ADMIN = "Bearer " + TestDirector.ADMIN_TOKEN;
    static final String READ = "Bearer " + TestDirector.READ_TOKEN;
    static final String NOTIFY = "Bearer " + NOTIFY_TOKEN;
    static final HaSettings SETTINGS = HaSettings.of("eth0", 5);
    static final ObjectMapper JSON = new ObjectMapper();

    static final TestDirector T = new TestDirector();
    static final Path STATE = T.dir.resolve("ha.json");
    static final HaController HA = new HaController(SETTINGS, new HaStateFile(STATE), HaMeasurements.NONE,
            Clock.systemUTC());
    static final ResourceExtension API = extension(T, HA);

    static final TestDirector OFF = new TestDirector();
    static final ResourceExtension API_OFF = extension(OFF, null);

    static TokenFile tokens() {
        return TokenFileAccess.parse(List.of("admin ops " + TestDirector.ADMIN_TOKEN,
                "read grafana " + TestDirector.READ_TOKEN, "notify keepalived " + NOTIFY_TOKEN));
    }

    static ResourceExtension extension(TestDirector t, HaController ha) {
        ResourceExtension.Builder b = ResourceExtension.builder().setRegisterDefaultExceptionMappers(false)
                .bootstrapLogging(false);
        for (Object c : ApiRegistration.components(t.director, ha, tokens(), TestDirector.MAX_BODY)) {
            if (c instanceof Class<?> k) {
                b.addProvider(k);
            } else if (c.getClass().isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                b.addResource(c);
            } else {
                b.addProvider(c);
            }
        }
        return b.build();
    }

    static Invocation.Builder as(ResourceExtension api, String path, String authorization) {
        Invocation.Builder b = api.target(path).request(MediaType.APPLICATION_JSON);
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    static Response put(String name, String body, String auth) {
        return as(API, "/v1/ha/instances/" + name, auth).put(Entity.json(body));
    }

    static JsonNode json(Response r) throws Exception {
        return JSON.readTree(r.readEntity(String.class));
    }

    @BeforeEach
    void reset() throws Exception {
        // Every instance back to BACKUP and the daemons to match.
        for (String name : HA.instances().keySet()) {
            HA.report(name, VrrpState.BACKUP, null);
        }
        T.ipvs.flush();
        for (SyncDaemon d : T.ipvs.daemons()) {
            T.ipvs.stopDaemon(d.state());
        }
        HA.reconcile(T.ipvs);
    }

    @Test
    void notifyMayReportAndReadHaAndNothingElse() throws Exception {
        Response r = put("VI_1", "{\"state\": \"MASTER\", \"priority\": 150}", NOTIFY);
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode v = json(r);
        assertThat(v.get("role").asText()).isEqualTo("master");
        assertThat(v.at("/syncDaemons/wanted").toString()).isEqualTo("[\"backup\",\"master\"]");
        assertThat(as(API, "/v1/ha", NOTIFY).get().getStatus()).isEqualTo(200);

        for (Response denied : new Response[] {
            as(API, "/v1/services", NOTIFY).get(),
            as(API, "/v1/services/web", NOTIFY).get(),
            as(API, "/v1/services/web", NOTIFY).put(Entity.json(ServicesResourceTest.WEB)),
            as(API, "/v1/services/web", NOTIFY).delete(),
            as(API, "/v1/services/web/real-servers/198.18.0.21/drain", NOTIFY).post(Entity.json("")),
            as(API, "/v1/plan", NOTIFY).post(Entity.json("{\"services\": {}}")),
        }) {
            assertThat(denied.getStatus()).isEqualTo(403);
            assertThat(json(denied).get("code").asInt()).isEqualTo(403);
        }
        assertThat(T.store.services()).isEmpty();
    }

    @Test
    void readMayOnlyReadAdminMayDoBoth() {
        assertThat(as(API, "/v1/ha", READ).get().getStatus()).isEqualTo(200);
        assertThat(put("VI_1", "{\"state\": \"MASTER\"}", READ).getStatus()).isEqualTo(403);
        assertThat(HA.instances().get("VI_1")).isNull();
        assertThat(put("VI_1", "{\"state\": \"MASTER\"}", ADMIN).getStatus()).isEqualTo(200);
        assertThat(as(API, "/v1/ha", ADMIN).get().getStatus()).isEqualTo(200);
        assertThat(HA.instances().get("VI_1").state()).isEqualTo(VrrpState.MASTER);
        assertThat(put("VI_1", "{\"state\": \"BACKUP\"}", null).getStatus()).isEqualTo(401);
        assertThat(as(API, "/v1/ha", null).get().getStatus()).isEqualTo(401);
        assertThat(put("VI_1", "{\"state\": \"BACKUP\"}", "Bearer " + NOTIFY_TOKEN + "x").getStatus()).isEqualTo(401);
        assertThat(HA.instances().get("VI_1").state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void badInputIs400WithTheField() throws Exception {
        Map<String, InstanceState> before = HA.instances();
        Map<String, String[]> cases = Map.of(
                "{\"state\": \"PRIMARY\"}", new String[] {"VI_1", "state"},
                "{\"priority\": 100}", new String[] {"VI_1", "state"},
                "{\"state\": 1}", new String[] {"VI_1", "state"},
                "{\"state\": \"MASTER\", \"priority\": 256}", new String[] {"VI_1", "priority"},
                "{\"state\": \"MASTER\", \"priority\": -1}", new String[] {"VI_1", "priority"},
                "{\"state\": \"MASTER\", \"priority\": \"high\"}", new String[] {"VI_1", "priority"},
                "{\"state\": \"MASTER\", \"priority\": 1.5}", new String[] {"VI_1", "priority"},
                "{\"state\": \"MASTER\", \"vip\": \"x\"}", new String[] {"VI_1", "vip"},
                "{\"state\": \"MASTER\"}", new String[] {"x".repeat(65), "name"},
                "{\"state\": \"MASTER\" }", new String[] {"VI%201", "name"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Response r = put(c.getValue()[0], c.getKey(), NOTIFY);
            assertThat(r.getStatus()).as(c.getKey()).isEqualTo(400);
            JsonNode b = json(r);
            assertThat(b.get("code").asInt()).isEqualTo(400);
            assertThat(b.get("field").asText()).as(c.getKey()).isEqualTo(c.getValue()[1]);
        }
        for (String body : new String[] {"{\"state\": \"MASTER\", \"at\": -5}", "{\"state\": \"MASTER\", \"at\": \"now\"}",
                "{\"state\": \"MASTER\", \"at\": 1.5}"}) {
            Response r = put("VI_1", body, NOTIFY);
            assertThat(r.getStatus()).as(body).isEqualTo(400);
            assertThat(json(r).get("field").asText()).as(body).isEqualTo("at");
        }
        for (String body : new String[] {"", "[]", "\"MASTER\"", "{\"state\": \"MASTER\""}) {
            assertThat(put("VI_1", body, NOTIFY).getStatus()).as(body).isEqualTo(400);
        }
        assertThat(HA.instances()).isEqualTo(before);
    }

    @Test
    void theOpenApiDocumentHasTheHaEndpoints() throws Exception {
        JsonNode doc = json(as(API, "/v1/openapi.json", null).get());
        assertThat(doc.at("/paths/~1v1~1ha/get/responses/200").isMissingNode()).isFalse();
        assertThat(doc.at("/paths/~1v1~1ha~1instances~1{instance}/put/responses/409").isMissingNode()).isFalse();
        assertThat(doc.at("/components/schemas/HaView/properties/syncDaemons").isMissingNode()).isFalse();
    }

    @Test
    void aReportOlderThanOneTakenIsIgnored() throws Exception {
        // keepalived's hooks for MASTER (started at 2,000) and BACKUP (started at 1,000) both retried
        // while the service restarted, and the older one arrived last.
        assertThat(put("VI_ORDER", "{\"state\": \"MASTER\", \"at\": 2000}", NOTIFY).getStatus()).isEqualTo(200);
        Response stale = put("VI_ORDER", "{\"state\": \"BACKUP\", \"at\": 1000}", NOTIFY);
        assertThat(stale.getStatus()).isEqualTo(200);
        assertThat(HA.instances().get("VI_ORDER").state()).isEqualTo(VrrpState.MASTER);
        assertThat(put("VI_ORDER", "{\"state\": \"BACKUP\", \"at\": 3000}", NOTIFY).getStatus()).isEqualTo(200);
        assertThat(HA.instances().get("VI_ORDER").state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void lowerCaseStatesAreTaken() {
        assertThat(put("VI_2", "{\"state\": \"master\"}", NOTIFY).getStatus()).isEqualTo(200);
        assertThat(HA.instances().get("VI_2").state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void theViewAgreesWithTheKernel() throws Exception {
        put("VI_1", "{\"state\": \"MASTER\", \"priority\": 150}", NOTIFY);
        JsonNode before = json(as(API, "/v1/ha", READ).get());
        // The answer does not wait for the loop: the kernel still has the backup daemon only.
        assertThat(before.get("inStep").asBoolean()).isFalse();
        assertThat(before.at("/syncDaemons/kernel").size()).isEqualTo(1);
        HA.reconcile(T.ipvs);
        JsonNode v = json(as(API, "/v1/ha", READ).get());
        assertThat(v.get("enabled").asBoolean()).isTrue();
        assertThat(v.get("inStep").asBoolean()).isTrue();
        assertThat(v.get("lastError").isNull()).isTrue();
        assertThat(v.get("syncInterface").asText()).isEqualTo("eth0");
        assertThat(v.get("syncId").asInt()).isEqualTo(5);
        assertThat(v.at("/instances/0/name").asText()).isEqualTo("VI_1");
        assertThat(v.at("/instances/0/state").asText()).isEqualTo("MASTER");
        assertThat(v.at("/instances/0/priority").asInt()).isEqualTo(150);
        assertThat(v.at("/instances/0/since").asText()).isNotEmpty();
        JsonNode kernel = v.at("/syncDaemons/kernel");
        assertThat(kernel.size()).isEqualTo(2);
        assertThat(kernel.get(0).get("state").asText()).isEqualTo("backup");
        assertThat(kernel.get(1).get("state").asText()).isEqualTo("master");
        assertThat(kernel.get(1).get("interface").asText()).isEqualTo("eth0");
        assertThat(kernel.get(1).get("syncId").asInt()).isEqualTo(5);
    }

    @Test
    void withHaOffReportsAre409AndTheViewShowsTheKernel() throws Exception {
        Response r = as(API_OFF, "/v1/ha/instances/VI_1", NOTIFY).put(Entity.json("{\"state\": \"MASTER\"}"));
        assertThat(r.getStatus()).isEqualTo(409);
        JsonNode b = json(r);
        assertThat(b.get("error").asText()).isEqualTo("ha_disabled");
        assertThat(b.get("code").asInt()).isEqualTo(409);

        OFF.ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.BACKUP, "lo", 9));
        // Shown as the loop's thread last read it: a GET does not read the kernel.
        int reads = OFF.ipvs.count(FakeIpvs.Call.DAEMONS);
        json(as(API_OFF, "/v1/ha", READ).get());
        assertThat(OFF.ipvs.count(FakeIpvs.Call.DAEMONS)).isEqualTo(reads);
        OFF.director.loop().runOnce();
        JsonNode v = json(as(API_OFF, "/v1/ha", READ).get());
        assertThat(OFF.ipvs.count(FakeIpvs.Call.DAEMONS)).isEqualTo(reads + 1);
        assertThat(v.at("/syncDaemons/kernelAgeSeconds").isNumber()).isTrue();
        assertThat(v.get("enabled").asBoolean()).isFalse();
        assertThat(v.has("role")).isFalse();
        assertThat(v.at("/syncDaemons/kernel/0/interface").asText()).isEqualTo("lo");
        OFF.ipvs.stopDaemon(SyncDaemon.State.BACKUP);
    }

    @Test
    void theStateSurvivesARestartAndTheRestartWritesNothingToTheKernel() throws Exception {
        assertThat(put("VI_1", "{\"state\": \"MASTER\", \"priority\": 150}", NOTIFY).getStatus()).isEqualTo(200);
        HA.reconcile(T.ipvs);
        InstanceState saved = HA.instances().get("VI_1");
        int writes = T.ipvs.count(FakeIpvs.Call.START_DAEMON) + T.ipvs.count(FakeIpvs.Call.STOP_DAEMON);

        // The service restarted: a new controller on the same file, keepalived silent.
        HaController again = new HaController(SETTINGS, new HaStateFile(STATE), HaMeasurements.NONE,
                Clock.systemUTC());
        assertThat(again.instances()).containsEntry("VI_1", saved);
        assertThat(again.reconcile(T.ipvs)).isTrue();
        assertThat(T.ipvs.count(FakeIpvs.Call.START_DAEMON) + T.ipvs.count(FakeIpvs.Call.STOP_DAEMON))
                .isEqualTo(writes);
        assertThat(T.ipvs.daemons()).hasSize(2);
    }

    @Test
    void aStateThatCannotBeSavedIs503AndChangesNothing() throws Exception {
        TestDirector t = new TestDirector();
        Path notADirectory = t.dir.resolve("file");
        Files.writeString(notADirectory, "x");
        HaController ha = new HaController(SETTINGS, new HaStateFile(notADirectory.resolve("ha.json")),
                HaMeasurements.NONE, Clock.systemUTC());
        HaResource resource = new HaResource(t.director::daemons, ha, TestDirector.MAX_BODY, Clock.systemUTC());
        try {
            resource.report("VI_1", new java.io.ByteArrayInputStream("{\"state\": \"MASTER\"}".getBytes()),
                    null);
            org.junit.jupiter.api.Assertions.fail("expected a StateWriteException");
        } catch (io.lvsdirector.api.state.StateWriteException e) {
            Response mapped = new io.lvsdirector.api.errors.ApiExceptionMapper().toResponse(e);
            assertThat(mapped.getStatus()).isEqualTo(503);
        }
        assertThat(ha.instances()).isEmpty();
    }
}
