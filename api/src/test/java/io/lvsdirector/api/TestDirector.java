package io.lvsdirector.api;

import io.dropwizard.testing.junit5.ResourceExtension;
import io.lvsdirector.api.auth.TokenFile;
import io.lvsdirector.api.resources.OpenApiResource;
import io.lvsdirector.api.resources.PlanResource;
import io.lvsdirector.api.resources.ServicesResource;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.spec.ServiceSpecJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * A director on a {@link FakeIpvs} and a state file in a temp directory, with a health board fed by
 * hand and a loop that only runs when a test calls {@code runOnce()}: the API as the server runs it,
 * without a kernel or probes.
 */
public final class TestDirector {

    public static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    public static final String READ_TOKEN = "read-token-0123456789abcdef";
    public static final int MAX_BODY = 4096;

    public final Path dir;
    public final FakeIpvs ipvs = new FakeIpvs();
    public final FileServiceStore store;
    public final HealthBoard health = HealthBoard.manual();
    public final InMemoryNodeSource nodes = InMemoryNodeSource.empty();
    public final Director director;

    public TestDirector() {
        try {
            dir = Files.createTempDirectory("lvs-director-test");
            store = FileServiceStore.load(dir.resolve("state.json"), new ServiceSpecJson(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        director = new Director(ipvs, store, nodes, health, new ServiceSpecJson(), Measurements.NONE,
                Clock.systemUTC(), LoopSettings.DEFAULTS, List.of());
    }

    public static TokenFile tokens() {
        return TokenFileAccess.parse(List.of("admin ops " + ADMIN_TOKEN, "read grafana " + READ_TOKEN));
    }

    /** The API exactly as the application registers it. */
    public ResourceExtension extension(boolean auth) {
        ResourceExtension.Builder b = ResourceExtension.builder().setRegisterDefaultExceptionMappers(false)
                .bootstrapLogging(false);
        for (Object c : ApiRegistration.components(director, auth ? tokens() : null, MAX_BODY)) {
            if (c instanceof ServicesResource || c instanceof PlanResource || c instanceof OpenApiResource
                    || c instanceof io.lvsdirector.api.resources.UiResource) {
                b.addResource(c);
            } else if (c instanceof Class<?> k) {
                b.addProvider(k);
            } else {
                b.addProvider(c);
            }
        }
        return b.build();
    }

    /** Empties the state and the fake kernel between tests. */
    public void reset() {
        for (ServiceSpec s : store.services()) {
            store.delete(s.name());
        }
        for (ManualDrain d : store.drains()) {
            store.undrain(d);
        }
        ipvs.flush();
        ipvs.clearFailures();
        director.loop().runOnce();
    }
}
