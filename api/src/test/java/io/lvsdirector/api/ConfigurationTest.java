package io.lvsdirector.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.util.JarLocation;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.config.StateFactory;
import io.lvsdirector.core.loop.LoopSettings;
import io.lvsdirector.k8s.K8sSyncConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationTest {

    @TempDir
    Path dir;

    static Bootstrap<LvsDirectorConfiguration> bootstrap() {
        LvsDirectorApplication app = new LvsDirectorApplication();
        Bootstrap<LvsDirectorConfiguration> b = new Bootstrap<>(app);
        app.initialize(b);
        return b;
    }

    static LvsDirectorConfiguration parse(Path file) throws Exception {
        Bootstrap<LvsDirectorConfiguration> b = bootstrap();
        return b.getConfigurationFactoryFactory().create(LvsDirectorConfiguration.class,
                b.getValidatorFactory().getValidator(), b.getObjectMapper(), "dw")
                .build(b.getConfigurationSourceProvider(), file.toString());
    }

    /** Runs a command as the launcher does; returns its error, if any, and what it printed. */
    record Run(Optional<Throwable> error, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // The commands print their report on System.out, as the launcher shows it.
        java.io.PrintStream stdout = System.out;
        Optional<Throwable> e;
        try {
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            e = new Cli(new JarLocation(ConfigurationTest.class), bootstrap(), out, err).run(args);
        } finally {
            System.setOut(stdout);
        }
        return new Run(e, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theShippedDefaultParsesWithDocumentedDefaults() throws Exception {
        Path shipped = Path.of("../config/director.yml");
        LvsDirectorConfiguration c = parse(shipped);
        assertThat(c.getState().getStore()).isEqualTo(StateFactory.Store.file);
        assertThat(c.getState().isCreateIfMissing()).isTrue();
        assertThat(c.getAuth().isEnabled()).isTrue();
        assertThat(c.getKubernetes().buildSyncConfig().mode()).isEqualTo(K8sSyncConfig.Mode.OFF);
        LoopSettings loop = c.getKernel().buildLoopSettings();
        assertThat(loop.resyncInterval()).isEqualTo(Duration.ofSeconds(10));
        DefaultServerFactory server = (DefaultServerFactory) c.getServerFactory();
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getPort()).isEqualTo(9440);
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getPort()).isEqualTo(9441);
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getBindHost()).isEqualTo("127.0.0.1");
        assertThat(c.getAdminEndpoints().isTasks()).isFalse();
        assertThat(c.getAdminEndpoints().isDiagnostics()).isFalse();
    }

    @Test
    void theLoadBalancerSectionBuildsTheControllersConfig() throws Exception {
        Path f = dir.resolve("lb.yml");
        Files.writeString(f, "kubernetes:\n  loadBalancer:\n    enabled: true\n    defaultImplementation: true\n"
                + "    scheduler: mh\n    pools:\n      - {name: edge, addresses: [198.18.0.8/30, 2001:db8::1-2001:db8::2]}\n"
                + "      - {name: manual, addresses: [198.18.1.7], autoAssign: false}\n");
        var lb = parse(f).getKubernetes().buildLbConfig().orElseThrow();
        assertThat(lb.className()).isEqualTo("lvsdirector.io/ipvs");
        assertThat(lb.defaultImplementation()).isTrue();
        assertThat(lb.scheduler()).isEqualTo("mh");
        assertThat(lb.pools()).extracting(p -> p.name() + ":" + p.autoAssign() + ":" + p.ranges().size())
                .containsExactly("edge:true:2", "manual:false:1");
        assertThat(lb.leaseNamespace()).isEqualTo("lvs-director");
        assertThat(lb.leaseName()).isEqualTo("lvs-director-lb");
        assertThat(lb.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(parse(Path.of("../config/director.yml")).getKubernetes().buildLbConfig()).isEmpty();

        Path g = dir.resolve("lease.yml");
        Files.writeString(g, "kubernetes:\n  loadBalancer:\n    enabled: true\n    leaseNamespace: edge-lb\n"
                + "    leaseDuration: 30s\n");
        var leased = parse(g).getKubernetes().buildLbConfig().orElseThrow();
        assertThat(leased.leaseNamespace()).isEqualTo("edge-lb");
        assertThat(leased.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anEmptyFileGivesTheDefaultsInCode() throws Exception {
        Path f = dir.resolve("empty.yml");
        Files.writeString(f, "state: {}\n");
        LvsDirectorConfiguration c = parse(f);
        assertThat(c.getState().getFile()).isEqualTo(Path.of("/var/lib/lvs-director/state.json"));
        assertThat(c.getState().isCreateIfMissing()).isFalse();
        assertThat(c.getAuth().getTokenFile()).isEqualTo(Path.of("/etc/lvs-director/tokens"));
        assertThat(c.getApi().getMaxBodyBytes()).isEqualTo(65536);
        DefaultServerFactory server = (DefaultServerFactory) c.getServerFactory();
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getPort()).isEqualTo(9440);
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getPort()).isEqualTo(9441);
        assertThat(c.getKernel().buildLoopSettings()).isEqualTo(LoopSettings.DEFAULTS);
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getBindHost()).isEqualTo("127.0.0.1");
        assertThat(c.getAdminEndpoints().isTasks()).isFalse();
        assertThat(c.getAdminEndpoints().isDiagnostics()).isFalse();
    }

    @Test
    void anAdminConnectorWithoutBindHostGetsLoopbackAndAnExplicitOneIsKept() throws Exception {
        Path f = dir.resolve("server.yml");
        Files.writeString(f, "server:\n  adminConnectors:\n    - type: http\n      port: 9441\n"
                + "    - type: http\n      port: 9442\n      bindHost: 0.0.0.0\n");
        LvsDirectorConfiguration c = parse(f);
        DefaultServerFactory server = (DefaultServerFactory) c.getServerFactory();
        // As read, Dropwizard's meaning (every address); the director applies its default before binding.
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getBindHost()).isNull();
        c.bindAdminToLoopbackUnlessSet();
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getBindHost()).isEqualTo("127.0.0.1");
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(1)).getBindHost()).isEqualTo("0.0.0.0");
    }

    private Path config(String state, boolean create, String tokens, String extra) throws Exception {
        Path f = dir.resolve("director.yml");
        Files.writeString(f, "state:\n  file: " + state + "\n  createIfMissing: " + create + "\n"
                + "auth:\n  tokenFile: " + tokens + "\n" + extra);
        return f;
    }

    private Path tokens(String line) throws Exception {
        Path t = dir.resolve("tokens");
        Files.writeString(t, line + "\n");
        // Private to this user, as check requires.
        Files.setPosixFilePermissions(t, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return t;
    }

    @Test
    void checkAcceptsAGoodConfigAndTouchesNothing() throws Exception {
        Path state = dir.resolve("state.json");
        Run r = run("check", config(state.toString(), true, tokens("admin ops 0123456789abcdef0123").toString(), "")
                .toString());
        assertThat(r.error()).isEmpty();
        assertThat(r.out()).contains("config: ok").contains("tokens: 1").contains("creates it empty");
        assertThat(state).doesNotExist();
    }

    @Test
    void checkReadsAnExistingStateFile() throws Exception {
        Path state = dir.resolve("state.json");
        Files.writeString(state, "{\"format\": 1, \"version\": 9, \"services\": {}}");
        Run r = run("check", config(state.toString(), false, tokens("read g 0123456789abcdef0123").toString(), "")
                .toString());
        assertThat(r.error()).isEmpty();
        assertThat(r.out()).contains("0 services, version 9");
    }

    @Test
    void checkRefusesBadFilesAndBadValues() throws Exception {
        Path good = tokens("admin ops 0123456789abcdef0123");
        Path state = dir.resolve("state.json");
        Files.writeString(state, "{broken");
        assertThat(run("check", config(state.toString(), true, good.toString(), "").toString()).error()).isPresent();

        Path missing = dir.resolve("missing.json");
        Run noState = run("check", config(missing.toString(), false, good.toString(), "").toString());
        assertThat(noState.error()).isPresent();
        assertThat(noState.err()).contains("does not exist");

        Path badTokens = tokens("admin ops short");
        Run tok = run("check", config(missing.toString(), true, badTokens.toString(), "").toString());
        assertThat(tok.error()).isPresent();
        assertThat(tok.err()).contains("line 1").doesNotContain("short");

        for (String extra : new String[] {
            "kernel:\n  resyncInterval: 1ms\n",
            "kernel:\n  netns: \"bad name\"\n",
            "kubernetes:\n  mode: sometimes\n",
            "kubernetes:\n  mode: kubeconfig\n",
            "kubernetes:\n  directorName: \"LVS A\"\n",
            "kubernetes:\n  loadBalancer:\n    enabled: true\n    pools: [{name: edge, addresses: [198.18.0.9/30]}]\n",
            "kubernetes:\n  loadBalancer:\n    enabled: true\n    pools: [{name: Edge, addresses: [198.18.0.8/30]}]\n",
            "kubernetes:\n  loadBalancer:\n    enabled: true\n    scheduler: \"no such\"\n",
            "api:\n  maxBodyBytes: 10\n",
            "probes:\n  threads: 0\n",
            "unknownSection: 1\n",
        }) {
            Run r = run("check", config(missing.toString(), true, good.toString(), extra).toString());
            assertThat(r.error()).as(extra).isPresent();
        }
    }
}
