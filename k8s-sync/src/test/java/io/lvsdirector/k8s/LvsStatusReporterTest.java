package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.status.ApplyError;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.spec.ServiceSpecJson;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two directors' status reporters against fabric8's mock API server (CRUD mode), fed with loop
 * statuses built by hand: what each writes, that neither clobbers the other, the aggregate, and
 * that a failing API server never reaches the caller.
 */
class LvsStatusReporterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MockCluster cluster;
    private final ServiceSpecJson json = new ServiceSpecJson();
    private LvsServiceStore storeA;
    private LvsServiceStore storeB;
    private final AtomicReference<DirectorStatus> loopA = new AtomicReference<>(DirectorStatus.initial(List.of()));
    private final AtomicReference<DirectorStatus> loopB = new AtomicReference<>(DirectorStatus.initial(List.of()));
    private LvsStatusReporter a;
    private LvsStatusReporter b;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.installLvsServiceCrd();
        storeA = new LvsServiceStore(cluster.newClient(), json);
        storeB = new LvsServiceStore(cluster.newClient(), json);
        storeA.start();
        storeB.start();
        a = new LvsStatusReporter(storeA, "lvs-a", loopA::get, Clock.systemUTC(), Duration.ofMillis(200), 20);
        b = new LvsStatusReporter(storeB, "lvs-b", loopB::get, Clock.systemUTC(), Duration.ofMillis(200), 20);
        await().atMost(WAIT).until(() -> storeA.hasSynced() && storeB.hasSynced());
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        storeA.close();
        storeB.close();
        cluster.close();
    }

    private static ServiceSpec web(String vip, int port) throws Exception {
        return ServiceSpec.of(VirtualService.tcp("web", InetAddress.getByName(vip), port),
                new RealServerSource.NodeSelector(Map.of("edge", "true"), 1), HealthCheck.http().withPort(8080));
    }

    private void put(ServiceSpec spec) {
        cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT)
                .resource(LvsServiceStore.toResource(spec, json)).createOr(op -> op.update());
    }

    /** The loop's status after a pass that began now, with one service in the given state. */
    private static DirectorStatus pass(ServiceSpec spec, boolean inKernel, ApplyError error) {
        ServiceStatus s = new ServiceStatus(spec.name(), spec.service().key(), inKernel, "fail-open", false,
                List.of(), error);
        return new DirectorStatus(Instant.now(), Duration.ofMillis(1), error == null, null, List.of(), List.of(s),
                List.of());
    }

    private static ApplyError refused() {
        return new ApplyError("-A -t 198.18.0.100:80 -s twos", "ENOENT", "scheduler not found",
                Instant.parse("2026-12-06T10:00:00Z"), 3);
    }

    private GenericKubernetesResource object(String name) {
        return cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).withName(name).get();
    }

    private JsonNode status(String name) {
        return MAPPER.valueToTree(object(name).getAdditionalProperties().get("status"));
    }

    private JsonNode condition(String name, String type) {
        for (JsonNode c : status(name).path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        return MAPPER.missingNode();
    }

    private JsonNode entry(String name, String director) {
        for (JsonNode d : status(name).path("directors")) {
            if (d.path("name").asText().equals(director)) {
                return d;
            }
        }
        return MAPPER.missingNode();
    }

    /** What {@code kubectl wait --for=condition=TYPE} checks: status True for the object's current generation. */
    private boolean kubectlWait(String name, String type) {
        GenericKubernetesResource r = object(name);
        JsonNode c = condition(name, type);
        return c.path("status").asText().equals("True")
                && c.path("observedGeneration").asLong() >= r.getMetadata().getGeneration();
    }

    /** What the build left out of a service (its Kubernetes Service is missing, ...) is the entry's message. */
    @Test
    void aServicesBuildProblemsAreItsEntrysMessage() throws Exception {
        ServiceSpec v1 = web("198.18.0.100", 80);
        put(v1);
        await().atMost(WAIT).until(() -> storeA.services().contains(v1));
        DirectorStatus ok = pass(v1, true, null);
        loopA.set(new DirectorStatus(ok.lastPassAt(), ok.lastPassDuration(), true, null, List.of(), ok.services(),
                List.of("service web: Service ingress/traefik not found", "service webby: node n1 has no IPv6 address")));
        assertThat(a.reportOnce()).isEqualTo(1);
        assertThat(entry("web", "lvs-a").path("applied").asBoolean()).isTrue();
        assertThat(entry("web", "lvs-a").path("message").asText()).isEqualTo("Service ingress/traefik not found");
        // The Service appears: the message clears, in one write.
        loopA.set(pass(v1, true, null));
        assertThat(a.reportOnce()).isEqualTo(1);
        assertThat(entry("web", "lvs-a").path("message").asText()).isEmpty();

        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            many.add("service web: node n" + i + " has no IPv6 address for the VIP, ignored");
        }
        String message = LvsStatusReporter.problemsOf(new DirectorStatus(Instant.now(), Duration.ZERO, true, null,
                List.of(), List.of(), many), "web");
        assertThat(message).startsWith("node n0 has no IPv6 address for the VIP, ignored; node n1").endsWith("; and 3 more");
    }

    @Test
    void writesObservedGenerationAndConditionsOnceAndOnlyAfterAPassSawTheSpec() throws Exception {
        ServiceSpec v1 = web("198.18.0.100", 80);
        put(v1);
        await().atMost(WAIT).until(() -> storeA.services().contains(v1));
        // No pass yet: nothing to say about Applied, nothing written.
        assertThat(a.reportOnce()).isZero();
        assertThat(status("web").isMissingNode() || status("web").isNull() || status("web").isEmpty()).isTrue();

        loopA.set(pass(v1, true, null));
        assertThat(a.reportOnce()).isEqualTo(1);
        long generation = object("web").getMetadata().getGeneration();
        assertThat(status("web").path("observedGeneration").asLong()).isEqualTo(generation);
        assertThat(condition("web", "Accepted").path("status").asText()).isEqualTo("True");
        assertThat(condition("web", "Applied").path("reason").asText()).isEqualTo("Applied");
        assertThat(condition("web", "Applied").path("message").asText()).isEqualTo("applied by lvs-a");
        assertThat(condition("web", "Applied").path("lastTransitionTime").asText()).isNotEmpty();
        assertThat(entry("web", "lvs-a").path("applied").asBoolean()).isTrue();
        assertThat(entry("web", "lvs-a").path("observedGeneration").asLong()).isEqualTo(generation);
        assertThat(status("web").at("/lastValidSpec/generation").asLong()).isEqualTo(generation);
        assertThat(kubectlWait("web", "Applied")).isTrue();
        String since = condition("web", "Applied").path("lastTransitionTime").asText();

        // Pass after pass with the same outcome: no write.
        for (int i = 0; i < 5; i++) {
            loopA.set(pass(v1, true, null));
            assertThat(a.reportOnce()).isZero();
        }
        assertThat(a.writes()).isEqualTo(1);

        // A spec edit: until a pass has seen it, kubectl wait keeps waiting (the condition is about
        // the old generation) and the reporter writes nothing.
        ServiceSpec v2 = web("198.18.0.100", 8080);
        put(v2);
        await().atMost(WAIT).until(() -> storeA.services().contains(v2));
        assertThat(a.reportOnce()).isZero();
        assertThat(kubectlWait("web", "Applied")).isFalse();
        Thread.sleep(5);
        loopA.set(pass(v2, true, null));
        assertThat(a.reportOnce()).isEqualTo(1);
        assertThat(kubectlWait("web", "Applied")).isTrue();
        assertThat(entry("web", "lvs-a").path("observedGeneration").asLong())
                .isEqualTo(object("web").getMetadata().getGeneration());
        // Still True: the transition time did not move.
        assertThat(condition("web", "Applied").path("lastTransitionTime").asText()).isEqualTo(since);
    }

    @Test
    void twoDirectorsKeepTheirOwnEntriesAndTheAggregateFollowsBoth() throws Exception {
        ServiceSpec spec = web("198.18.0.100", 80);
        put(spec);
        await().atMost(WAIT).until(() -> storeA.services().contains(spec) && storeB.services().contains(spec));
        loopA.set(pass(spec, true, null));
        loopB.set(pass(spec, false, refused()));
        assertThat(a.reportOnce()).isEqualTo(1);
        assertThat(b.reportOnce()).isEqualTo(1);

        assertThat(entry("web", "lvs-a").path("applied").asBoolean()).isTrue();
        assertThat(entry("web", "lvs-b").path("applied").asBoolean()).isFalse();
        assertThat(entry("web", "lvs-b").path("reason").asText()).isEqualTo("ApplyFailed");
        assertThat(entry("web", "lvs-b").path("message").asText()).startsWith("-A -t 198.18.0.100:80 -s twos: ENOENT");
        JsonNode applied = condition("web", "Applied");
        assertThat(applied.path("status").asText()).isEqualTo("False");
        assertThat(applied.path("reason").asText()).isEqualTo("ApplyFailed");
        assertThat(applied.path("message").asText()).startsWith("lvs-b: ApplyFailed");
        String falseSince = applied.path("lastTransitionTime").asText();
        assertThat(kubectlWait("web", "Applied")).isFalse();

        // The failure count grows pass after pass: the entry does not change, nothing is written.
        loopB.set(pass(spec, false, new ApplyError(refused().op(), "ENOENT", "scheduler not found",
                refused().since(), 9)));
        assertThat(b.reportOnce()).isZero();

        Thread.sleep(1100);
        loopB.set(pass(spec, true, null));
        assertThat(b.reportOnce()).isEqualTo(1);
        applied = condition("web", "Applied");
        assertThat(applied.path("status").asText()).isEqualTo("True");
        assertThat(applied.path("message").asText()).isEqualTo("applied by lvs-a, lvs-b");
        assertThat(applied.path("lastTransitionTime").asText()).isNotEqualTo(falseSince);
        assertThat(entry("web", "lvs-a").path("applied").asBoolean()).isTrue();
        // lvs-a has nothing new to say.
        assertThat(a.reportOnce()).isZero();

        // Both write at the same time, many times: every write is conditional on what it read, so
        // the last values of both survive whatever the interleaving.
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (LvsStatusReporter r : List.of(a, b)) {
            AtomicReference<DirectorStatus> loop = r == a ? loopA : loopB;
            runs.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10; i++) {
                    loop.set(pass(spec, i % 2 == 0, i % 2 == 0 ? null : refused()));
                    r.reportOnce();
                }
            }));
        }
        runs.forEach(CompletableFuture::join);
        // A write that lost the race on every one of its tries (a loaded machine) counts as a failure
        // and is retried after the reporter's backoff; what must hold is that the last values of both
        // end up in the object, never one director's write erasing the other's.
        await().atMost(WAIT).untilAsserted(() -> {
            a.reportOnce();
            b.reportOnce();
            // Each ended on a failure (i = 9).
            assertThat(entry("web", "lvs-a").path("applied").asBoolean()).isFalse();
            assertThat(entry("web", "lvs-b").path("applied").asBoolean()).isFalse();
            assertThat(condition("web", "Applied").path("message").asText())
                    .contains("lvs-a: ApplyFailed").contains("lvs-b: ApplyFailed");
        });
        assertThat(status("web").path("directors")).hasSize(2);
        // Nothing is left to write once both are in.
        Thread.sleep(1100);
        assertThat(a.reportOnce() + b.reportOnce()).isZero();
    }

    @Test
    void anInvalidEditSaysWhyAndTheDirectorsKeepReportingTheLastValidGeneration() throws Exception {
        ServiceSpec spec = web("198.18.0.100", 80);
        put(spec);
        await().atMost(WAIT).until(() -> storeA.services().contains(spec) && storeB.services().contains(spec));
        loopA.set(pass(spec, true, null));
        loopB.set(pass(spec, true, null));
        a.reportOnce();
        b.reportOnce();
        long valid = object("web").getMetadata().getGeneration();
        assertThat(kubectlWait("web", "Applied")).isTrue();

        cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).withName("web").edit(r -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) r.getAdditionalProperties().get("spec");
            s.put("vip", "127.0.0.1");
            return r;
        });
        await().atMost(WAIT).until(() -> storeA.invalid().containsKey("web") && storeB.invalid().containsKey("web"));
        // The loop keeps the old spec (same service in the kernel); the reporters write the news.
        assertThat(a.reportOnce()).isEqualTo(1);
        assertThat(b.reportOnce()).isEqualTo(1);
        long invalid = object("web").getMetadata().getGeneration();
        JsonNode accepted = condition("web", "Accepted");
        assertThat(accepted.path("status").asText()).isEqualTo("False");
        assertThat(accepted.path("reason").asText()).isEqualTo("InvalidSpec");
        assertThat(accepted.path("message").asText()).startsWith("vip:");
        assertThat(accepted.path("observedGeneration").asLong()).isEqualTo(invalid);
        assertThat(condition("web", "Applied").path("reason").asText()).isEqualTo("InvalidSpec");
        assertThat(status("web").path("observedGeneration").asLong()).isEqualTo(invalid);
        assertThat(entry("web", "lvs-a").path("observedGeneration").asLong()).isEqualTo(valid);
        assertThat(entry("web", "lvs-a").path("applied").asBoolean()).isTrue();
        assertThat(status("web").at("/lastValidSpec/generation").asLong()).isEqualTo(valid);
        assertThat(kubectlWait("web", "Applied")).isFalse();
        assertThat(a.reportOnce()).isZero();

        // A never-valid object is reported as not served.
        GenericKubernetesResource broken = LvsServiceStore.toResource(web("198.18.0.101", 80), json);
        broken.getMetadata().setName("broken");
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) broken.getAdditionalProperties().get("spec");
        s.put("port", 70000);
        cluster.admin().genericKubernetesResources(LvsServiceStore.CONTEXT).resource(broken).create();
        await().atMost(WAIT).until(() -> storeA.invalid().containsKey("broken"));
        assertThat(a.reportOnce()).isEqualTo(1);
        assertThat(condition("broken", "Accepted").path("message").asText()).startsWith("port:");
        assertThat(entry("broken", "lvs-a").path("reason").asText()).isEqualTo("InvalidSpec");
        assertThat(entry("broken", "lvs-a").path("applied").asBoolean()).isFalse();
        assertThat(status("broken").has("lastValidSpec")).isFalse();

        // Fixed: accepted, and applied after the next pass.
        ServiceSpec fixed = web("198.18.0.100", 8080);
        put(fixed);
        await().atMost(WAIT).until(() -> storeA.services().contains(fixed));
        Thread.sleep(5);
        loopA.set(pass(fixed, true, null));
        a.reportOnce();
        assertThat(condition("web", "Accepted").path("status").asText()).isEqualTo("True");
        assertThat(kubectlWait("web", "Applied")).isTrue();
    }

    @Test
    void writesAreLimitedPerRoundAndARestartedReporterFindsItsEntryAndWritesNothing() throws Exception {
        List<ServiceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ServiceSpec s = ServiceSpec.of(VirtualService.tcp("web" + i, InetAddress.getByName("198.18.0.10" + i), 80),
                    new RealServerSource.NodeSelector(Map.of("edge", "true"), 1), HealthCheck.http().withPort(8080));
            specs.add(s);
            put(s);
        }
        await().atMost(WAIT).until(() -> storeA.services().size() == 3);
        List<ServiceStatus> all = specs.stream().map(s -> new ServiceStatus(s.name(), s.service().key(),
                true, "fail-open", false, List.of(), null)).toList();
        loopA.set(new DirectorStatus(Instant.now(), Duration.ZERO, true, null, List.of(), all, List.of()));
        LvsStatusReporter limited = new LvsStatusReporter(storeA, "lvs-a", loopA::get, Clock.systemUTC(),
                Duration.ofMillis(200), 2);
        assertThat(limited.reportOnce()).isEqualTo(2);
        assertThat(limited.reportOnce()).isEqualTo(1);
        assertThat(limited.reportOnce()).isZero();

        // A new process: it reads its entries back from the objects and has nothing to write.
        await().atMost(WAIT).until(() -> storeB.objects().stream()
                .allMatch(o -> LvsStatus.reportOf(o.status(), "lvs-a") != null));
        LvsStatusReporter restarted = new LvsStatusReporter(storeB, "lvs-a", loopA::get, Clock.systemUTC());
        assertThat(restarted.reportOnce()).isZero();
    }

    @Test
    void aFailingApiServerNeverReachesTheCallerAndTheWriteIsRetried() throws Exception {
        ServiceSpec spec = web("198.18.0.100", 80);
        put(spec);
        await().atMost(WAIT).until(() -> storeA.services().contains(spec) && storeA.connected());
        cluster.cut();
        loopA.set(pass(spec, true, null));
        // Called directly: the failed write is counted and logged, not thrown.
        assertThat(a.reportOnce()).isEqualTo(1);
        assertThat(a.failures()).isEqualTo(1);
        assertThat(a.writes()).isZero();
        // Backing off: the next round does not try again at once.
        assertThat(a.reportOnce()).isZero();
        assertThat(a.failures()).isEqualTo(1);

        // The reporter's own thread retries once the API server is back.
        a.start();
        cluster.restore();
        await().atMost(Duration.ofSeconds(120)).until(() -> a.writes() == 1);
        assertThat(kubectlWait("web", "Applied")).isTrue();
        assertThat(a.failures()).isPositive();
    }
}
