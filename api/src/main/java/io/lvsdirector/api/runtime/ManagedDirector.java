package io.lvsdirector.api.runtime;

import io.dropwizard.lifecycle.Managed;
import java.util.Objects;

/**
 * The director in Dropwizard's lifecycle: the reconcile loop starts once Jetty is set up and stops
 * (leaving the kernel table as it is) before the process exits. Probes and informers stop with it.
 */
public final class ManagedDirector implements Managed {

    private final Director director;

    public ManagedDirector(Director director) {
        this.director = Objects.requireNonNull(director, "director");
    }

    @Override
    public void start() {
        director.start();
    }

    @Override
    public void stop() {
        director.close();
    }
}
