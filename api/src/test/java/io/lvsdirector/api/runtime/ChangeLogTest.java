package io.lvsdirector.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.logging.json.EventJsonLayoutBaseFactory;
import io.lvsdirector.api.state.FileOwnershipStore;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.spec.ServiceSpecJson;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The change log sits between the loop and the Prometheus measurements, so whatever it does not
 * forward never reaches {@code /metrics}: the per-service series ({@code apply_failures_total},
 * {@code service_in_step}) were missing from the packaged service because the interface gained them
 * as default methods and this class kept the no-op defaults.
 */
class ChangeLogTest {

    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"scheduler\": \"rr\","
            + " \"healthCheck\": {\"type\": \"tcp\", \"port\": 80},"
            + " \"realServers\": {\"static\": [{\"address\": \"198.18.0.21\"}, {\"address\": \"198.18.0.22\","
            + " \"weight\": 3}]}}";

    @Test
    void everyMeasurementsMethodIsForwardedNotLeftToItsDefault() {
        List<String> notForwarded = Arrays.stream(Measurements.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> declaredBy(m).equals(Measurements.class))
                .map(Method::getName).toList();
        assertThat(notForwarded).as("Measurements methods ChangeLog leaves to the interface's default").isEmpty();
    }

    @Test
    void perServiceCallsReachTheNextMeasurements() {
        CountingMeasurements next = new CountingMeasurements();
        ChangeLog log = new ChangeLog(next);
        log.applyFailed("bad", "add_service", "ENOENT");
        log.serviceInStep("bad", false);
        log.passCompleted(Duration.ofMillis(1), true);
        assertThat(next.applyFailures()).containsEntry("bad add_service ENOENT", 1L);
        assertThat(next.inStep()).containsEntry("bad", false);
        log.serviceGone("bad");
        assertThat(next.inStep()).doesNotContainKey("bad");
    }

    /** A restart: a second director on the same kernel, state file and ownership file, nothing probed yet. */
    static final class Restart {
        final Path dir;
        final FakeIpvs ipvs = new FakeIpvs();

        Restart(Path dir) {
            this.dir = dir;
        }

        Director start(HealthBoard health, Measurements m) throws Exception {
            FileServiceStore store = FileServiceStore.load(dir.resolve("state.json"), new ServiceSpecJson(), true);
            return new Director(ipvs, store, InMemoryNodeSource.empty(), health, new ServiceSpecJson(), m,
                    Clock.systemUTC(), LoopSettings.DEFAULTS, List.of(),
                    FileOwnershipStore.open(dir.resolve("owned.json")));
        }
    }

    static ListAppender<ILoggingEvent> capture() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.lvsdirector.changes");
        logger.setLevel(Level.INFO);
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.start();
        logger.addAppender(list);
        return list;
    }

    static List<ILoggingEvent> changes(ListAppender<ILoggingEvent> list) {
        return list.list.stream().filter(e -> e.getFormattedMessage().startsWith("event=real_server_changed")).toList();
    }

    /**
     * Seen in the lab: after a restart that writes nothing, every real server was logged as
     * {@code weight=out->1 disposition=new->unknown} (the change log started from an empty view). Now the
     * first view is compared with the kernel as the first pass read it.
     */
    @Test
    void aRestartThatWritesNothingLogsNoChangeAndTheNextRealChangeIsLoggedWithItsFields(@TempDir Path dir)
            throws Exception {
        Restart r = new Restart(dir);
        HealthBoard before = HealthBoard.manual();
        Director first = r.start(before, Measurements.NONE);
        first.store().put(new ServiceSpecJson().fromJson("web", WEB));
        HealthCheck check = first.store().get("web").orElseThrow().healthCheck().resolvePort(80);
        for (String rs : List.of("198.18.0.21", "198.18.0.22")) {
            before.onHealth(new ProbeTarget(IpAddresses.parse(rs), check),
                    new HealthStatus(HealthState.HEALTHY, "ok", Instant.now()));
        }
        first.loop().runOnce();
        assertThat(r.ipvs.snapshot().entries().get(0).realServers()).hasSize(2);

        ListAppender<ILoggingEvent> log = capture();
        try {
            HealthBoard health = HealthBoard.manual();
            ChangeLog changes = new ChangeLog(Measurements.NONE);
            Director second = r.start(health, changes);
            changes.follow(second.loop()::status, second.loop()::kernelView);
            int writes = r.ipvs.writeCount();
            second.loop().runOnce();
            assertThat(r.ipvs.writeCount()).as("the restart wrote nothing").isEqualTo(writes);
            assertThat(changes(log)).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                    .contains("event=change_log_started real_servers=2 changed_at_start=0");

            health.onHealth(new ProbeTarget(IpAddresses.parse("198.18.0.22"), check),
                    new HealthStatus(HealthState.FAILED, "connect refused", Instant.now()));
            second.loop().runOnce();
            assertThat(changes(log)).singleElement().satisfies(e -> {
                assertThat(e.getFormattedMessage()).isEqualTo("event=real_server_changed service=web"
                        + " real_server=198.18.0.22:80 weight=3->out disposition=unknown->failed"
                        + " health=unknown->failed reason=\"connect refused\"");
                assertThat(e.getMDCPropertyMap()).containsEntry("event", "real_server_changed")
                        .containsEntry("service", "web").containsEntry("real_server", "198.18.0.22:80")
                        .containsEntry("weight_from", "3").containsEntry("weight_to", "out")
                        .containsEntry("disposition_to", "failed").containsEntry("reason", "connect refused");
                // Dropwizard's JSON layout as the config's "layout: {type: json, flattenMdc: true}" builds it.
                EventJsonLayoutBaseFactory factory = new EventJsonLayoutBaseFactory();
                factory.setFlattenMdc(true);
                String json = factory.build(new LoggerContext(), TimeZone.getTimeZone("UTC")).doLayout(e);
                JsonNode node = new ObjectMapper().readTree(json);
                assertThat(node.path("event").asText()).isEqualTo("real_server_changed");
                assertThat(node.path("service").asText()).isEqualTo("web");
                assertThat(node.path("weight_from").asText()).isEqualTo("3");
                assertThat(node.path("health_to").asText()).isEqualTo("failed");
            });
            assertThat(org.slf4j.MDC.getCopyOfContextMap()).as("the MDC is left clean").isNullOrEmpty();
        } finally {
            ((Logger) LoggerFactory.getLogger("io.lvsdirector.changes")).detachAppender(log);
        }
    }

    /** A first pass that does change the kernel still says so, from the weight the kernel had. */
    @Test
    void aChangeMadeByTheFirstPassIsLoggedFromWhatTheKernelHad(@TempDir Path dir) throws Exception {
        Restart r = new Restart(dir);
        Director first = r.start(HealthBoard.manual(), Measurements.NONE);
        first.store().put(new ServiceSpecJson().fromJson("web", WEB));
        HealthCheck check = first.store().get("web").orElseThrow().healthCheck().resolvePort(80);
        HealthBoard before = HealthBoard.manual();
        Director again = r.start(before, Measurements.NONE);
        for (String rs : List.of("198.18.0.21", "198.18.0.22")) {
            before.onHealth(new ProbeTarget(IpAddresses.parse(rs), check),
                    new HealthStatus(HealthState.HEALTHY, "ok", Instant.now()));
        }
        again.loop().runOnce();
        // Changed while the director was down: .22's weight 3 -> 5.
        again.store().put(new ServiceSpecJson().fromJson("web", WEB.replace("\"weight\": 3", "\"weight\": 5")));

        ListAppender<ILoggingEvent> log = capture();
        try {
            HealthBoard health = HealthBoard.manual();
            ChangeLog changes = new ChangeLog(Measurements.NONE);
            Director third = r.start(health, changes);
            changes.follow(third.loop()::status, third.loop()::kernelView);
            for (String rs : List.of("198.18.0.21", "198.18.0.22")) {
                health.onHealth(new ProbeTarget(IpAddresses.parse(rs), check),
                        new HealthStatus(HealthState.HEALTHY, "ok", Instant.now()));
            }
            third.loop().runOnce();
            assertThat(changes(log)).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "event=real_server_changed service=web real_server=198.18.0.22:80 weight=3->5"
                            + " disposition=start->active health=start->healthy reason=\"ok\"");
        } finally {
            ((Logger) LoggerFactory.getLogger("io.lvsdirector.changes")).detachAppender(log);
        }
    }

    private static Class<?> declaredBy(Method m) {
        try {
            return ChangeLog.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }
}
