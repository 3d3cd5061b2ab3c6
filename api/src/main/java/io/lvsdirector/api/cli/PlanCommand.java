package io.lvsdirector.api.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.runtime.Planning;
import io.lvsdirector.api.state.StateFileException;
import io.lvsdirector.ipvs.Ipvs;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code lvs-director plan CONFIG}: the operations a start with this config would apply to the
 * kernel now, as ipvsadm arguments, applying none. A start adopts what the kernel has and deletes
 * nothing it does not own, and real servers not probed yet are kept as the kernel has them; the
 * plan is made the same way, so on a running director's table it is empty when all is in place.
 * The desired state is the state file's, or with {@code state.store: kubernetes} the cluster's
 * {@code LvsService} objects read once (see {@link LocalView}).
 */
public final class PlanCommand extends ConfiguredCommand<LvsDirectorConfiguration> {

    public PlanCommand() {
        super("plan", "Lists the kernel operations a start would apply (dry run)");
    }

    @Override
    protected void run(Bootstrap<LvsDirectorConfiguration> bootstrap, Namespace namespace,
            LvsDirectorConfiguration config) throws Exception {
        execute(config, () -> DirectorBuilder.openKernel(config), System.out);
    }

    /**
     * Reads the desired state (before the kernel is opened: a bad state file or an unreachable API
     * server stops here) and prints the plan against the kernel {@code kernel} opens.
     */
    static void execute(LvsDirectorConfiguration config, Supplier<Ipvs> kernel, PrintStream out)
            throws StateFileException {
        LocalView.Desired desired = LocalView.desired(config);
        Planning.Result result;
        try (Ipvs ipvs = kernel.get()) {
            result = Planning.plan(desired.services(), desired.nodes(), desired.endpoints(), Map.of(), desired.drains(),
                    ipvs.snapshot(), Set.of(), Instant.now(), config.getProbes().buildVipMarks());
        }
        out.println("# desired: " + desired.source());
        for (String n : desired.notes()) {
            out.println("# " + n);
        }
        for (String p : result.problems()) {
            out.println("# problem: " + p);
        }
        for (Planning.Operation op : result.operations()) {
            out.println("ipvsadm " + op.ipvsadm() + "    # " + op.service() + " " + op.kind());
        }
        out.println("# " + result.operations().size() + " operations, none applied");
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        cli.getStdErr().println("plan failed: " + e.getMessage());
    }
}
