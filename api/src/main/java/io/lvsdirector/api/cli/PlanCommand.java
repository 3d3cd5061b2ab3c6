package io.lvsdirector.api.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.runtime.Planning;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.ipvs.Ipvs;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code lvs-director plan CONFIG}: the operations a start with this config would apply to the
 * kernel now, as ipvsadm arguments, applying none. A start adopts what the kernel has and deletes
 * nothing it does not own, and real servers not probed yet are kept as the kernel has them; the
 * plan is made the same way, so on a running director's table it is empty when all is in place.
 */
public final class PlanCommand extends ConfiguredCommand<LvsDirectorConfiguration> {

    public PlanCommand() {
        super("plan", "Lists the kernel operations a start would apply (dry run)");
    }

    @Override
    protected void run(Bootstrap<LvsDirectorConfiguration> bootstrap, Namespace namespace,
            LvsDirectorConfiguration config) throws Exception {
        FileServiceStore store = LocalView.store(config);
        Planning.Result result;
        try (Ipvs ipvs = DirectorBuilder.openKernel(config)) {
            result = Planning.plan(store.services(), List.of(), Map.of(), store.drains(), ipvs.snapshot(), Set.of(),
                    Instant.now());
        }
        for (String p : result.problems()) {
            System.out.println("# problem: " + p);
        }
        for (Planning.Operation op : result.operations()) {
            System.out.println("ipvsadm " + op.ipvsadm() + "    # " + op.service() + " " + op.kind());
        }
        System.out.println("# " + result.operations().size() + " operations, none applied");
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        cli.getStdErr().println("plan failed: " + e.getMessage());
    }
}
