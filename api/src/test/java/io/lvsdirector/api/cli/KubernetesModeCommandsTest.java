package io.lvsdirector.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import io.lvsdirector.api.LvsDirectorApplication;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.k8s.MockCluster;
import io.lvsdirector.spec.ServiceSpecJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and {@code plan} with {@code state.store: kubernetes}: the desired state is read
 * from fabric8's mock API server (CRUD mode, real HTTP) through the config's kubeconfig, planned
 * against an in-memory kernel that must not be written.
 */
class KubernetesModeCommandsTest {

    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"scheduler\": \"rr\", \"realServers\":"
            + " {\"static\": [{\"address\": \"198.18.0.21\"}, {\"address\": \"198.18.0.22\", \"weight\": 2}]}}";
    static final String DNS = "{\"vip\": \"198.18.0.53\", \"port\": 53, \"protocol\": \"udp\", \"realServers\":"
            + " {\"static\": [{\"address\": \"198.18.0.31\"}]}}";
    static final String EDGE = "{\"vip\": \"198.18.0.110\", \"port\": 443, \"realServers\":"
            + " {\"kubernetes\": {\"nodeSelector\": {\"edge\": \"true\"}, \"port\": 443}}}";

    @TempDir
    Path dir;

    private MockCluster cluster;
    /** More lines of the config's {@code kubernetes:} section (indented two spaces). */
    private String extraKubernetes = "";
    private final ServiceSpecJson json = new ServiceSpecJson();
    private final FakeIpvs kernel = new FakeIpvs();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.installLvsServiceCrd();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** Creates the object; returns its generation. */
    private long create(String name, String spec) {
        return cluster.createLvsService(json.fromJson(name, spec), json);
    }

    /** A config whose kubeconfig names {@code apiServer}; the director is lvs-a. */
    private Path config(String apiServer) throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                users:
                - name: cli
                  user: {token: not-a-real-token}
                contexts:
                - name: mock
                  context: {cluster: mock, user: cli}
                current-context: mock
                """.formatted(apiServer));
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "admin ops 0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        Path file = dir.resolve("director.yml");
        Files.writeString(file, "state:\n  store: kubernetes\n  file: " + dir.resolve("unused.json") + "\n"
                + "auth:\n  tokenFile: " + tokens + "\n"
                + "kubernetes:\n  mode: kubeconfig\n  kubeconfig: " + kubeconfig + "\n  directorName: lvs-a\n" + extraKubernetes
                + "logging:\n  level: WARN\n");
        return file;
    }

    private static Bootstrap<LvsDirectorConfiguration> bootstrap() {
        LvsDirectorApplication app = new LvsDirectorApplication();
        Bootstrap<LvsDirectorConfiguration> b = new Bootstrap<>(app);
        app.initialize(b);
        return b;
    }

    private static LvsDirectorConfiguration parse(Path file) throws Exception {
        Bootstrap<LvsDirectorConfiguration> b = bootstrap();
        return b.getConfigurationFactoryFactory().create(LvsDirectorConfiguration.class,
                b.getValidatorFactory().getValidator(), b.getObjectMapper(), "dw")
                .build(b.getConfigurationSourceProvider(), file.toString());
    }

    private String plan() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PlanCommand.execute(parse(config(cluster.url())), () -> kernel,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private String status() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StatusCommand.execute(parse(config(cluster.url())), () -> kernel,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void planShowsTheLoadBalancerServicesARunningDirectorServes() throws Exception {
        create("web", WEB);
        cluster.installLvsAddressPoolCrd();
        cluster.createAddressPool("edge", List.of("198.18.0.8/30"), true);
        cluster.createNode("edge-1", "198.18.0.41", Map.of("edge", "true"), true);
        cluster.createLoadBalancerService("shop", "app", "lvsdirector.io/ipvs", 443);
        cluster.recordLoadBalancerIngress("shop", "app", "198.18.0.9");
        // Not recorded yet: a running director does not serve it either.
        cluster.createLoadBalancerService("shop", "fresh", "lvsdirector.io/ipvs", 444);
        extraKubernetes = "  loadBalancer:\n    enabled: true\n";

        String text = plan();

        assertThat(text).contains("(1 served, 0 invalid) and 1 LoadBalancer services, director lvs-a")
                .contains("ipvsadm -A -t 198.18.0.9:443 -s wrr    # lb..shop.app.tcp-443 add_service")
                .doesNotContain("lb..shop.fresh").doesNotContain("198.18.0.8:444")
                .doesNotContain("198.18.0.9:444").doesNotContain("198.18.0.10:444");
        assertThat(kernel.writeCount()).isZero();
    }

    @Test
    void planListsTheOperationsForTheObjectsInTheClusterAndWritesNothing() throws Exception {
        create("web", WEB);
        create("dns", DNS);
        // The node selector's real servers come from the cluster's nodes, as on the server.
        cluster.createNode("edge-1", "198.18.0.41", Map.of("edge", "true"), true);
        cluster.createNode("other", "198.18.0.49", Map.of("edge", "no"), true);
        create("edge", EDGE);

        String text = plan();

        assertThat(text).contains("# desired: 3 LvsService objects from " + cluster.url())
                .contains("(3 served, 0 invalid), director lvs-a");
        assertThat(text).contains("ipvsadm -A -t 198.18.0.100:80 -s rr")
                .containsPattern("ipvsadm -a -t 198\\.18\\.0\\.100:80 -r 198\\.18\\.0\\.21:80 .*-w 1 .*# web")
                .containsPattern("ipvsadm -a -t 198\\.18\\.0\\.100:80 -r 198\\.18\\.0\\.22:80 .*-w 2 ")
                .contains("ipvsadm -A -u 198.18.0.53:53")
                .containsPattern("-a -u 198\\.18\\.0\\.53:53 -r 198\\.18\\.0\\.31:53 ")
                .containsPattern("-a -t 198\\.18\\.0\\.110:443 -r 198\\.18\\.0\\.41:443 ")
                .doesNotContain("198.18.0.49");
        assertThat(text).contains("# 7 operations, none applied");
        assertThat(kernel.writeCount()).isZero();
    }

    @Test
    void anInvalidObjectIsNamedAndItsLastValidSpecIsPlanned() throws Exception {
        long validGeneration = create("web", WEB);
        // What a director's status reporter records while the spec is valid.
        cluster.patchLvsServiceStatus("web", "{\"status\": {\"lastValidSpec\": {\"generation\": "
                        + validGeneration + ", \"spec\": " + json.toJson(json.fromJson("web", WEB)) + "},"
                        + " \"directors\": [{\"name\": \"lvs-a\", \"observedGeneration\": " + validGeneration
                        + ", \"applied\": true, \"reason\": \"Applied\", \"message\": \"\","
                        + " \"lastUpdate\": \"2026-12-06T12:00:00Z\"}]}}");
        // kubectl edit: a loopback VIP does not validate.
        cluster.editLvsServiceSpec("web", "vip", "127.0.0.1");
        // Never valid: nothing to serve for it.
        create("dns", DNS);
        cluster.editLvsServiceSpec("dns", "port", 0);

        String text = plan();

        assertThat(text).contains("(1 served, 2 invalid)");
        assertThat(text).containsPattern("# invalid LvsService web \\(generation \\d+\\): .*127\\.0\\.0\\.1.*;"
                + " serving generation " + validGeneration + " from status.lastValidSpec");
        assertThat(text).containsPattern("# invalid LvsService dns \\(generation \\d+\\): .*; not served");
        assertThat(text).contains("lvs-a reported generation " + validGeneration + " Applied");
        // The last valid spec is planned, not the edit and not the never-valid object.
        assertThat(text).contains("ipvsadm -A -t 198.18.0.100:80 -s rr").doesNotContain("127.0.0.1:80 -s")
                .doesNotContain("198.18.0.53");
        assertThat(kernel.writeCount()).isZero();
    }

    @Test
    void statusShowsTheClustersServicesAgainstTheKernel() throws Exception {
        create("web", WEB);
        create("dns", DNS);
        VirtualServerKey key = VirtualServerKey.tcp("198.18.0.100", 80);
        kernel.addService(new VirtualServer(key, VirtualServerSpec.of("rr")));
        kernel.addRealServer(key, new RealServer(new RealServerKey(IpAddresses.parse("198.18.0.21"), 80),
                RealServerSpec.directRoute(1)));
        kernel.resetCounts();

        String text = status();

        assertThat(text).contains("2 LvsService objects from").contains("2 services desired, 1 in the kernel");
        assertThat(text).contains("web  TCP 198.18.0.100:80  in kernel");
        assertThat(text).containsPattern("198\\.18\\.0\\.21:80\\s+desired 1\\s+kernel 1 ");
        assertThat(text).containsPattern("198\\.18\\.0\\.22:80\\s+desired 2\\s+kernel - .*\\(differs\\)");
        assertThat(text).contains("dns  UDP 198.18.0.53:53  MISSING");
        assertThat(kernel.writeCount()).isZero();
    }

    @Test
    void anUnreachableApiServerIsOneLineAndAFailedCommand() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = config("https://127.0.0.1:" + port);
        for (String command : new String[] {"plan", "status"}) {
            Run r = run(command, config.toString());
            assertThat(r.error()).as(command).isPresent();
            assertThat(r.err().strip()).as(command).startsWith(command + " failed: cannot list LvsService objects"
                    + " from the API server https://127.0.0.1:" + port)
                    .contains("Connect").doesNotContain("\n").doesNotContain("\tat ");
        }
    }

    @Test
    void aForbiddenListNamesTheApiServerAndTheCause() throws Exception {
        try (MockCluster.FixedAnswer refusing = new MockCluster.FixedAnswer("/apis/lvsdirector.io/v1/lvsservices", 403,
                "{\"kind\": \"Status\", \"apiVersion\": \"v1\", \"status\": \"Failure\","
                        + " \"message\": \"lvsservices.lvsdirector.io is forbidden: User \\\"cli\\\" cannot list"
                        + " resource\", \"reason\": \"Forbidden\", \"code\": 403}")) {
            Run r = run("plan", config(refusing.url()).toString());
            assertThat(r.error()).isPresent();
            assertThat(r.err().strip()).startsWith("plan failed: cannot list LvsService objects from the API server "
                    + refusing.url()).contains("HTTP 403").contains("RBAC").contains("is forbidden")
                    .doesNotContain("\n").doesNotContain("not-a-real-token");
        }
    }

    record Run(Optional<Throwable> error, String out, String err) {}

    /** As the launcher runs a command: a present error makes it exit 1. */
    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        Optional<Throwable> e;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            e = new Cli(new JarLocation(KubernetesModeCommandsTest.class), bootstrap(), out, err).run(args);
        } finally {
            System.setOut(stdout);
        }
        return new Run(e, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
