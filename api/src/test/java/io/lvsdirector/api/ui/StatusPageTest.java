package io.lvsdirector.api.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lvsdirector.api.LvsDirectorApplication;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.app.AppConfig;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.resources.UiResource;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.spec.ServiceSpecJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The status page in a real headless Chromium (Debian's {@code chromium}, driven over DevTools) against
 * the whole application on a fake kernel: the page asks for a token and shows nothing without it, shows
 * the real servers with desired and kernel weight and health, follows a real server turning failed, shows
 * a probe's reason as text (never as HTML), breaks none of its own Content-Security-Policy, and keeps the
 * token out of every URL. The lab test ({@code LvsDirectorKernelIT}) does the same against the packaged
 * service and a real nginx.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
public class StatusPageTest {

    public static final class App extends LvsDirectorApplication {
        static final TestDirector DIRECTOR = new TestDirector();

        @Override
        protected Director buildDirector(LvsDirectorConfiguration config, Measurements measurements) {
            return DIRECTOR.director;
        }
    }

    static final Path DIR;
    static final Path CONFIG;

    static {
        AppConfig config = AppConfig.write(AppConfig.randomLoopbackPorts(), "");
        DIR = config.dir;
        CONFIG = config.file;
    }

    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(App.class, CONFIG.toString());

    /** Screenshots kept as test artifacts. */
    public static final Path SHOTS = Path.of("target", "ui-screenshots");

    /** Records every CSP violation of the page, before any of its own scripts run. */
    public static final String CSP_WATCH = "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            + " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));";

    String base() {
        return "http://127.0.0.1:" + APP.getLocalPort();
    }

    HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void health(String address, HealthState state, String reason) {
        var check = App.DIRECTOR.store.get("web").orElseThrow().healthCheck().resolvePort(80);
        App.DIRECTOR.health.onHealth(new ProbeTarget(IpAddresses.parse(address), check),
                new HealthStatus(state, reason, Instant.now()));
        App.DIRECTOR.director.loop().requestSync();
    }

    @Test
    void thePageIsServedWithoutATokenWithItsSecurityHeadersAndTheApiStillNeedsOne() throws Exception {
        HttpResponse<String> page = get("/ui/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).matches("text/html; ?charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(UiResource.CSP);
        assertThat(UiResource.CSP).contains("default-src 'none'").contains("script-src 'self'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval").doesNotContain("http");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.body()).contains("<script src=\"app.js\" defer></script>").doesNotContain("<script>")
                .doesNotContain("style=").doesNotContain("//cdn").doesNotContain("https://");
        assertThat(get("/ui/app.js").headers().firstValue("Content-Type").orElseThrow())
                .matches("text/javascript; ?charset=utf-8");
        assertThat(get("/ui/style.css").statusCode()).isEqualTo(200);
        HttpResponse<String> bare = get("/ui");
        assertThat(bare.statusCode()).isEqualTo(308);
        assertThat(bare.headers().firstValue("Location").orElseThrow()).isEqualTo(base() + "/ui/");
        assertThat(get("/ui/openapi.json").statusCode()).isEqualTo(404);
        // Jetty refuses an encoded slash itself (400); the resource serves only its three names anyway.
        assertThat(get("/ui/..%2Fopenapi.json").statusCode()).isIn(400, 404);
        assertThat(get("/v1/services").statusCode()).isEqualTo(401);
    }

    @Test
    void inChromiumThePageAsksForATokenThenFollowsARealServerTurningFailed() throws Exception {
        App.DIRECTOR.reset();
        App.DIRECTOR.store.put(new ServiceSpecJson().fromJson("web", "{\"vip\": \"198.18.0.100\", \"port\": 80,"
                + " \"scheduler\": \"rr\", \"healthCheck\": {\"type\": \"tcp\", \"port\": 80}, \"realServers\":"
                + " {\"static\": [{\"address\": \"198.18.0.21\"}, {\"address\": \"198.18.0.22\", \"weight\": 3}]}}"));
        health("198.18.0.21", HealthState.HEALTHY, "ok");
        health("198.18.0.22", HealthState.HEALTHY, "ok");

        Path work = Files.createDirectories(Path.of("target", "chromium-unit"));
        try (HeadlessChromium chromium = HeadlessChromium.start(List.of(), work)) {
            chromium.open(base() + "/ui/", CSP_WATCH);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(chromium
                    .eval("!document.getElementById('login').hidden").asBoolean()).isTrue());
            // Without a token: the form, and no service on the page.
            assertThat(chromium.eval("document.getElementById('content').hidden").asBoolean()).isTrue();
            assertThat(chromium.eval("document.querySelectorAll('[data-service]').length").asInt()).isZero();

            // A wrong token is refused and asked again.
            chromium.eval("document.getElementById('token').focus()");
            chromium.type("wrong-token-0123456789abcdef");
            chromium.eval("document.querySelector('#login button').click()");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(chromium
                    .eval("document.getElementById('problem').textContent").asText()).contains("401"));
            assertThat(chromium.eval("document.getElementById('login').hidden").asBoolean()).isFalse();

            chromium.eval("document.getElementById('token').focus()");
            chromium.type(TestDirector.READ_TOKEN);
            chromium.eval("document.querySelector('#login button').click()");
            String row = "document.querySelector('[data-service=\"web\"] tr[data-address=\"198.18.0.22\"]')";
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(chromium
                    .eval(row + "?.querySelector('[data-field=health]').textContent").asText()).isEqualTo("healthy"));
            assertThat(chromium.eval(row + ".querySelector('[data-field=desired]').textContent").asText())
                    .isEqualTo("3");
            assertThat(chromium.eval(row + ".querySelector('[data-field=kernel]').textContent").asText())
                    .isEqualTo("3");

            // The probe fails: within a refresh or two the row says failed, why, and that it is out.
            long t0 = System.nanoTime();
            health("198.18.0.22", HealthState.FAILED, "connect refused <img src=x onerror=alert(1)>");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(chromium.eval(row + ".querySelector('[data-field=health]').textContent").asText())
                            .isEqualTo("failed"));
            System.out.printf("status-page: failed shown %d ms after the health change%n",
                    (System.nanoTime() - t0) / 1_000_000);
            assertThat(chromium.eval(row + ".querySelector('[data-field=kernel]').textContent").asText())
                    .isEqualTo("out");
            // The reason is text: the markup in it is shown, not made into an element.
            assertThat(chromium.eval(row + ".querySelector('[data-field=reason]').textContent").asText())
                    .isEqualTo("connect refused <img src=x onerror=alert(1)>");
            assertThat(chromium.eval("document.querySelectorAll('img').length").asInt()).isZero();
            assertThat(chromium.eval("document.getElementById('changes').textContent").asText())
                    .contains("web 198.18.0.22:80: failed");
            assertThat(chromium.eval("document.getElementById('ha').textContent").asText()).contains("HA is off");

            // The token is in this tab's sessionStorage only, never in the address.
            assertThat(chromium.eval("sessionStorage.getItem('lvs-director.token')").asText())
                    .isEqualTo(TestDirector.READ_TOKEN);
            assertThat(chromium.eval("location.href").asText()).isEqualTo(base() + "/ui/");
            assertThat(chromium.eval("window.__csp").toString()).isEqualTo("[]");
            chromium.screenshot(SHOTS.resolve("status-page-unit.png"));
        }
        assertThat(Files.size(SHOTS.resolve("status-page-unit.png"))).isGreaterThan(10_000);
    }
}
