package io.lvsdirector.api.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API over TLS: an {@code https} application connector with a PKCS12 key store generated for this
 * test, its password through {@code ${VAR:-default}} substitution as the docs show. A client that trusts
 * the certificate is served (and still needs a token); plain HTTP on that port and a client that does not
 * trust the certificate get nothing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class HttpsApiTest {

    static final TestCertificate CERT;
    static final AppConfig CONFIG;

    static {
        try {
            Path dir = Files.createTempDirectory("lvs-director-tls");
            CERT = TestCertificate.generate(dir, "test-keystore-pass", "127.0.0.1");
            CONFIG = AppConfig.write("server:\n  applicationConnectors:\n    - type: https\n      port: 0\n"
                    + "      bindHost: 127.0.0.1\n"
                    + "      keyStorePath: " + CERT.keyStore() + "\n"
                    + "      keyStoreType: PKCS12\n"
                    // Unset in the test's environment: the default after :- is used, as a real
                    // deployment would take the variable from systemd's EnvironmentFile.
                    + "      keyStorePassword: ${LVS_DIRECTOR_TEST_UNSET_KEYSTORE_PASSWORD:-test-keystore-pass}\n"
                    + "      supportedProtocols: [TLSv1.3, TLSv1.2]\n"
                    + "  adminConnectors:\n    - type: http\n      port: 0\n"
                    + "  registerDefaultExceptionMappers: false\n", "");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(FakeKernelApplication.class, CONFIG.file.toString());

    static HttpClient trusting() {
        try {
            return HttpClient.newBuilder().sslContext(CERT.clientContext()).connectTimeout(Duration.ofSeconds(5))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpRequest.Builder get(String scheme, String path) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + APP.getLocalPort() + path))
                .timeout(Duration.ofSeconds(10));
    }

    @Test
    void aClientTrustingTheCertificateIsServedOverTls() throws Exception {
        HttpResponse<String> r = trusting().send(get("https", "/v1/services")
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.sslSession()).isPresent();
        // TLS 1.3 when both sides have it; TLSv1 and 1.1 are excluded by Dropwizard's defaults.
        assertThat(r.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");

        HttpResponse<String> noToken = trusting().send(get("https", "/v1/services").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoAnswer() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(get("http", "/v1/services")
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedTheHandshake() {
        HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> defaults.send(get("https", "/v1/services").build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void checkOpensTheKeyStoreAndRefusesAWrongPassword() throws Exception {
        io.dropwizard.jetty.HttpsConnectorFactory https = new io.dropwizard.jetty.HttpsConnectorFactory();
        https.setKeyStorePath(CERT.keyStore().toString());
        https.setKeyStoreType("PKCS12");
        https.setKeyStorePassword(CERT.password());
        assertThat(io.lvsdirector.api.cli.CheckAccess.keyStore(https)).contains("PKCS12 " + CERT.keyStore())
                .contains("CN=lvs-director test");
        https.setKeyStorePassword("wrong-password");
        assertThatThrownBy(() -> io.lvsdirector.api.cli.CheckAccess.keyStore(https))
                .hasMessageContaining("cannot open key store " + CERT.keyStore()).hasMessageNotContaining("wrong-password");
        https.setKeyStorePath(CERT.keyStore() + ".missing");
        assertThatThrownBy(() -> io.lvsdirector.api.cli.CheckAccess.keyStore(https))
                .hasMessageContaining("does not exist");
    }
}
