package io.lvsdirector.api.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin port with the shipped defaults: only {@code /healthcheck}, {@code /metrics} and {@code /ping}
 * answer, and only on 127.0.0.1. Dropwizard's tasks (which can raise a logger to DEBUG), {@code /threads}
 * and {@code /pprof} are 404.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AdminEndpointsTest {

    static final AppConfig CONFIG = AppConfig.write(AppConfig.randomPorts(), "");
    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(FakeKernelApplication.class, CONFIG.file.toString());
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> admin(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthMetricsAndPingAnswer() throws Exception {
        assertThat(admin("GET", "/healthcheck").statusCode()).isIn(200, 500);
        HttpResponse<String> metrics = admin("GET", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_");
        assertThat(admin("GET", "/ping").body()).contains("pong");
    }

    @Test
    void tasksThreadsAndPprofAreNotThere() throws Exception {
        assertThat(admin("POST", "/tasks/log-level?logger=org.eclipse.jetty&level=DEBUG").statusCode()).isEqualTo(404);
        assertThat(admin("POST", "/tasks/gc").statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/tasks").statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/threads").statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/pprof?duration=1").statusCode()).isEqualTo(404);
        // The refused task really did nothing.
        assertThat(org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty").isDebugEnabled()).isFalse();
    }

    @Test
    void theAdminConnectorListensOnLoopbackOnlyAndTheApiEverywhere() throws Exception {
        ServerConnector[] connectors = Arrays.stream(APP.getEnvironment().getApplicationContext().getServer()
                .getConnectors()).map(ServerConnector.class::cast).toArray(ServerConnector[]::new);
        ServerConnector admin = Arrays.stream(connectors).filter(c -> c.getLocalPort() == APP.getAdminPort())
                .findFirst().orElseThrow();
        ServerConnector api = Arrays.stream(connectors).filter(c -> c.getLocalPort() == APP.getLocalPort())
                .findFirst().orElseThrow();
        assertThat(admin.getHost()).isEqualTo("127.0.0.1");
        assertThat(api.getHost()).isNull();
        // And from a non-loopback address of this host, when there is one, nothing listens there.
        InetAddress other = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst().orElse(null);
        if (other != null) {
            try (java.net.Socket s = new java.net.Socket()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.connect(
                        new java.net.InetSocketAddress(other, APP.getAdminPort()), 2000))
                        .isInstanceOf(java.io.IOException.class);
            }
        }
    }
}
