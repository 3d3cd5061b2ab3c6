package io.lvsdirector.api.app;

import io.lvsdirector.api.LvsDirectorApplication;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.core.status.Measurements;

/**
 * The whole application (connectors, admin port, auth, request log) as {@code server} runs it, with the
 * kernel replaced by a {@link io.lvsdirector.ipvs.FakeIpvs}: the host running the unit tests has no IPVS.
 */
public class FakeKernelApplication extends LvsDirectorApplication {

    @Override
    protected Director buildDirector(LvsDirectorConfiguration config, Measurements measurements) {
        return new TestDirector().director;
    }
}
