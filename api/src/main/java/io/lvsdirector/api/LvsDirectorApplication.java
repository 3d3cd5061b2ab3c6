package io.lvsdirector.api;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.lvsdirector.api.auth.TokenFile;
import io.lvsdirector.api.auth.UnsafeTokenFileException;
import io.lvsdirector.api.cli.CheckCommand;
import io.lvsdirector.api.cli.PlanCommand;
import io.lvsdirector.api.cli.StatusCommand;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.ha.HaCollector;
import io.lvsdirector.api.ha.HaMetrics;
import io.lvsdirector.api.ha.HaStateFile;
import io.lvsdirector.api.metrics.BuildInfo;
import io.lvsdirector.api.metrics.DirectorCollector;
import io.lvsdirector.api.metrics.HttpMetrics;
import io.lvsdirector.api.metrics.PrometheusMeasurements;
import io.lvsdirector.api.runtime.ChangeLog;
import io.lvsdirector.api.runtime.DataPlaneHealthCheck;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.runtime.ManagedDirector;
import io.lvsdirector.api.config.EcmpFactory;
import io.lvsdirector.api.ecmp.EcmpCollector;
import io.lvsdirector.core.ecmp.BirdControl;
import io.lvsdirector.core.ecmp.EcmpAnnouncer;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.k8s.KubernetesNodeSource;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import net.sourceforge.argparse4j.inf.Namespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lvs-director}: the IPVS director as a service. Commands: {@code server CONFIG} runs it,
 * {@code check CONFIG} validates a config file (and the token and state files it names),
 * {@code status CONFIG} shows the kernel table against the desired state, {@code plan CONFIG} lists
 * what a start would apply, applying nothing; {@code ctl ...} is the REST API's command-line client
 * ({@link io.lvsdirector.api.ctl.Ctl}).
 */
public class LvsDirectorApplication extends Application<LvsDirectorConfiguration> {

    private static final Logger LOG = LoggerFactory.getLogger(LvsDirectorApplication.class);

    public static void main(String[] args) throws Exception {
        // The API client is not a Dropwizard command: it needs no configuration file, no logging set-up
        // and must exit with its own statuses (io.lvsdirector.api.ctl.Ctl).
        if (args.length > 0 && args[0].equals("ctl")) {
            io.lvsdirector.api.ctl.Ctl.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        new LvsDirectorApplication().run(args);
    }

    @Override
    public String getName() {
        return "lvs-director";
    }

    @Override
    protected void addDefaultCommands(Bootstrap<LvsDirectorConfiguration> bootstrap) {
        // Dropwizard's own check only parses the YAML; ours also reads the files the YAML names.
        bootstrap.addCommand(new ServerCommand<>(this) {
            @Override
            public void onError(Cli cli, Namespace namespace, Throwable e) {
                // A refused token file is the operator's to fix: one line saying how, not a stack trace.
                if (e instanceof UnsafeTokenFileException) {
                    cli.getStdErr().println("lvs-director: refusing to start: " + e.getMessage());
                } else {
                    super.onError(cli, namespace, e);
                }
            }
        });
    }

    @Override
    public void initialize(Bootstrap<LvsDirectorConfiguration> bootstrap) {
        // ${VAR} and ${VAR:-default} from the environment; an unset variable without default is an error.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true)));
        bootstrap.addCommand(new CheckCommand());
        bootstrap.addCommand(new StatusCommand());
        bootstrap.addCommand(new PlanCommand());
    }

    @Override
    public void run(LvsDirectorConfiguration config, Environment environment) throws Exception {
        // Before the server factory builds the connectors (after run returns).
        config.bindAdminToLoopbackUnlessSet();
        // Tokens first: a bad token file should stop the start before the kernel is opened.
        TokenFile tokens = null;
        if (config.getAuth().isEnabled()) {
            tokens = config.getAuth().buildTokens();
            LOG.info("event=auth_loaded tokens={} file={}", tokens.size(), config.getAuth().getTokenFile());
        } else {
            LOG.warn("event=auth_disabled hint=\"every caller of the API is an admin\"");
        }

        PrometheusRegistry registry = new PrometheusRegistry();
        PrometheusMeasurements measurements = new PrometheusMeasurements(registry);
        ChangeLog changes = new ChangeLog(measurements);
        Director director = buildDirector(config, changes);
        changes.follow(director.loop()::status, director.loop()::kernelView);

        // Dropwizard's own registry (Jetty, Jersey) is not bridged: its dotted names come out as quoted
        // UTF-8 names that Prometheus 2.x cannot parse, and one bad family fails the whole scrape.
        // HttpMetrics counts the REST API's requests under the one lvs_director_ prefix instead.
        JvmMetrics.builder().register(registry);
        BuildInfo.register(registry);
        environment.jersey().register(new HttpMetrics(registry));
        registry.register(new DirectorCollector(director,
                director.nodes() instanceof KubernetesNodeSource k ? k : null));
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(registry)).addMapping("/metrics");
        // The admin port has no authentication: tasks (log levels), /threads and /pprof only if configured on.
        config.getAdminEndpoints().apply(environment);
        LOG.info("event=admin_endpoints tasks={} diagnostics={}", config.getAdminEndpoints().isTasks(),
                config.getAdminEndpoints().isDiagnostics());

        // HA off: the sync daemons are only read (Director's SyncDaemonReader, for /v1/ha and /metrics),
        // never started or stopped. HA on: the controller below keeps them and publishes what it reads.
        HaController ha = null;
        if (config.getHa().isEnabled()) {
            ha = new HaController(config.getHa().buildSettings(), new HaStateFile(config.getHa().getStateFile()),
                    new HaMetrics(registry), java.time.Clock.systemUTC());
            ha.addListener(director.loop()::requestSync);
            director.keepSyncDaemons(ha);
        }
        registry.register(new HaCollector(director::daemons, ha));

        // ECMP on: one announcer per director puts the VIPs it can serve on the dummy interface BIRD
        // exports. Managed after the director, so it stops first: a clean stop withdraws every VIP
        // while the kernel table still forwards the flows the router sent here.
        EcmpAnnouncer ecmp = null;
        if (config.getEcmp().isEnabled()) {
            EcmpFactory e = config.getEcmp();
            ecmp = new EcmpAnnouncer(e.buildSettings(), e.buildInterface(config.getKernel().getNetns()),
                    e.getBirdSocket() == null ? null : new BirdControl(e.getBirdSocket(),
                            java.time.Duration.ofSeconds(2), java.time.Clock.systemUTC()),
                    director::ecmpInputs, java.time.Clock.systemUTC());
            director.announceVips(ecmp, e.buildRanges());
        }
        registry.register(new EcmpCollector(ecmp));

        environment.healthChecks().register("data-plane", new DataPlaneHealthCheck(director));
        environment.lifecycle().manage(new ManagedDirector(director));
        if (ecmp != null) {
            EcmpAnnouncer announcer = ecmp;
            environment.lifecycle().manage(new io.dropwizard.lifecycle.Managed() {
                @Override
                public void start() {
                    announcer.start();
                }

                @Override
                public void stop() {
                    announcer.close();
                }
            });
            // A clean stop withdraws at once: when the server begins to stop, before its connectors'
            // grace period and the other managed objects (the kernel table keeps forwarding meanwhile).
            environment.lifecycle().addEventListener(new org.eclipse.jetty.util.component.LifeCycle.Listener() {
                @Override
                public void lifeCycleStopping(org.eclipse.jetty.util.component.LifeCycle event) {
                    announcer.close();
                }
            });
        }
        for (Object component : ApiRegistration.components(director, ha, tokens,
                config.getApi().getMaxBodyBytes())) {
            environment.jersey().register(component);
        }
    }

    /**
     * The director the server runs: the kernel's IPVS table through netlink. Tests override it to run the
     * whole application (connectors, admin port, auth) on a fake kernel.
     */
    protected Director buildDirector(LvsDirectorConfiguration config, Measurements measurements) throws Exception {
        return DirectorBuilder.build(config, measurements);
    }
}
