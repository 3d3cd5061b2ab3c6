package io.lvsdirector.api.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.api.state.StateFileException;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.DesiredStateBuilder;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.core.status.RealServerReport;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.core.status.StatusBuilder;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.io.PrintStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code lvs-director status CONFIG}: the kernel's IPVS table beside the desired state, one line per
 * real server with desired and kernel weight and why, like {@code ipvsadm -Ln} that knows the
 * director's intent. Read-only. Health is the running server's to know (its probes); this command
 * has none and shows the real servers as the desired state places them with health unknown, which
 * keeps them as the kernel has them. {@code GET /v1/services} on the server shows live health.
 * The desired state is the state file's, or with {@code state.store: kubernetes} the cluster's
 * {@code LvsService} objects read once (see {@link LocalView}).
 */
public final class StatusCommand extends ConfiguredCommand<LvsDirectorConfiguration> {

    public StatusCommand() {
        super("status", "Shows the kernel's IPVS table against the desired state (read-only)");
    }

    @Override
    protected void run(Bootstrap<LvsDirectorConfiguration> bootstrap, Namespace namespace,
            LvsDirectorConfiguration config) throws Exception {
        execute(config, () -> DirectorBuilder.openKernel(config), System.out);
    }

    /** Reads the desired state (before the kernel is opened), then prints it against the kernel's table. */
    static void execute(LvsDirectorConfiguration config, Supplier<Ipvs> kernel, PrintStream out)
            throws StateFileException {
        LocalView.Desired desired = LocalView.desired(config);
        try (Ipvs ipvs = kernel.get()) {
            print(out, desired, ipvs.snapshot());
        }
    }

    static void print(PrintStream out, java.util.Collection<ServiceSpec> specs, FileServiceStore store,
            IpvsSnapshot kernel) {
        print(out, new LocalView.Desired("state version " + store.version(), specs, store.drains(), List.of(),
                List.of(), Map.of()), kernel);
    }

    static void print(PrintStream out, LocalView.Desired view, IpvsSnapshot kernel) {
        DesiredState desired = DesiredStateBuilder.build(view.services(), view.nodes(), view.endpoints(), Map.of(),
                view.drains(), Map.of(), Map.of(), Instant.now());
        KernelTable actual = KernelTable.of(kernel);
        out.printf("%s, %d services desired, %d in the kernel%n", view.source(), desired.services().size(),
                kernel.size());
        for (String n : view.notes()) {
            out.println("# " + n);
        }
        for (String p : desired.problems()) {
            out.println("# problem: " + p);
        }
        Set<VirtualServerKey> shown = new HashSet<>();
        for (ServiceStatus s : StatusBuilder.services(desired, actual)) {
            shown.add(s.key());
            out.printf("%s  %s  %s  all-down policy %s%n", s.name(), s.key(), s.inKernel() ? "in kernel" : "MISSING",
                    s.whenAllDown());
            IpvsSnapshot.Entry entry = kernel.byKey().get(s.key());
            for (RealServerReport d : s.realServers()) {
                RealServerStatus krs = entry == null ? null : entry.realServers().stream()
                        .filter(r -> r.key().address().equals(d.address()) && r.key().port() == d.port())
                        .findFirst().orElse(null);
                out.printf("  -> %-24s desired %-5s kernel %-5s %-9s active %d inactive %d  %s%s%n",
                        IpAddresses.toText(d.address(), d.port()), w(d.desiredWeight()),
                        w(krs == null ? null : krs.spec().weight()),
                        d.disposition().name().toLowerCase(Locale.ROOT),
                        krs == null ? 0 : krs.activeConns(), krs == null ? 0 : krs.inactiveConns(), d.reason(),
                        converged(d, krs) ? "" : "  (differs)");
            }
        }
        for (IpvsSnapshot.Entry e : kernel.entries()) {
            boolean managed = desired.services().keySet().stream().anyMatch(k -> k
                    .equals(e.service().key()));
            if (!managed) {
                out.printf("(not managed)  %s  %d real servers%n", e.service().key(), e.realServers().size());
            }
        }
    }

    private static boolean converged(RealServerReport d, RealServerStatus krs) {
        Integer k = krs == null ? null : krs.spec().weight();
        return java.util.Objects.equals(d.desiredWeight(), k) || d.desiredWeight() == null && k != null;
    }

    private static String w(Integer weight) {
        return weight == null ? "-" : weight.toString();
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        cli.getStdErr().println("status failed: " + e.getMessage());
    }
}
