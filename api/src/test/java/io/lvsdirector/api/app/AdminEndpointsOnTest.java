package io.lvsdirector.api.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code adminEndpoints: {tasks: true, diagnostics: true}} puts Dropwizard's tasks, /threads and /pprof back. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AdminEndpointsOnTest {

    static final AppConfig CONFIG = AppConfig.write(AppConfig.randomPorts(),
            "adminEndpoints:\n  tasks: true\n  diagnostics: true\n");
    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(FakeKernelApplication.class, CONFIG.file.toString());
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> admin(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getAdminPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void tasksThreadsAndPprofAnswerWhenConfiguredOn() throws Exception {
        assertThat(admin("POST", "/tasks/gc").statusCode()).isEqualTo(200);
        // A logger nobody uses, so the change cannot disturb other tests in this JVM.
        assertThat(admin("POST", "/tasks/log-level?logger=io.lvsdirector.test.admin&level=DEBUG").statusCode())
                .isEqualTo(200);
        assertThat(org.slf4j.LoggerFactory.getLogger("io.lvsdirector.test.admin").isDebugEnabled()).isTrue();
        HttpResponse<String> threads = admin("GET", "/threads");
        assertThat(threads.statusCode()).isEqualTo(200);
        assertThat(threads.body()).contains("java.lang.Thread");
        assertThat(admin("GET", "/pprof?duration=1").statusCode()).isEqualTo(200);
        assertThat(admin("GET", "/metrics").statusCode()).isEqualTo(200);
    }
}
