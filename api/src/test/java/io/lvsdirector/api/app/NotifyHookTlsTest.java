package io.lvsdirector.api.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * keepalived's notify hook ({@code api/bin/lvs-director-notify}) against the API over TLS: with the
 * certificate as its CA file it reports; without it curl refuses the certificate and nothing is reported.
 * A {@code curl} shim on PATH records every argument curl gets: the token is never among them.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class NotifyHookTlsTest {

    static final String NOTIFY_TOKEN = "notify-hook-tls-token-0123456789";
    static final Path DIR;
    static final TestCertificate CERT;
    static final AppConfig CONFIG;

    static {
        try {
            DIR = Files.createTempDirectory("lvs-director-notify");
            CERT = TestCertificate.generate(DIR, "notify-keystore-pass", "127.0.0.1");
            CONFIG = AppConfig.write("server:\n  applicationConnectors:\n    - type: https\n      port: 0\n"
                    + "      bindHost: 127.0.0.1\n      keyStorePath: " + CERT.keyStore() + "\n"
                    + "      keyStoreType: PKCS12\n      keyStorePassword: " + CERT.password() + "\n"
                    + "  adminConnectors:\n    - type: http\n      port: 0\n"
                    + "  registerDefaultExceptionMappers: false\n",
                    "ha:\n  enabled: true\n  syncInterface: eth0\n  syncId: 7\n  stateFile: " + DIR.resolve("ha.json")
                            + "\n");
            // AppConfig's token file, plus the hook's notify token.
            Path tokens = CONFIG.dir.resolve("tokens");
            Files.writeString(tokens, "notify keepalived " + NOTIFY_TOKEN + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(FakeKernelApplication.class, CONFIG.file.toString());

    record Run(int status, String output, String curlArgs) {}

    static Run hook(String instance, String state, String caFile) throws Exception {
        Path tokenFile = DIR.resolve("notify-token");
        Files.writeString(tokenFile, NOTIFY_TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Path shimDir = Files.createDirectories(DIR.resolve("shim"));
        Path args = DIR.resolve("curl-args");
        Files.deleteIfExists(args);
        Path shim = shimDir.resolve("curl");
        Files.writeString(shim, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >>" + args + "; done\n"
                + "exec /usr/bin/curl \"$@\"\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
        // A logger shim: what the hook would send to syslog comes out on its stdout (the hook discards
        // logger's stderr), where the test reads it.
        Path logger = shimDir.resolve("logger");
        Files.writeString(logger, "#!/bin/sh\necho \"logger $*\"\n");
        Files.setPosixFilePermissions(logger, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder pb = new ProcessBuilder("sh", Path.of("bin/lvs-director-notify").toAbsolutePath().toString(),
                "INSTANCE", instance, state, "150");
        Map<String, String> env = pb.environment();
        env.put("PATH", shimDir + ":/bin:/usr/bin");
        env.put("LVS_DIRECTOR_NOTIFY_URL", "https://127.0.0.1:" + APP.getLocalPort());
        env.put("LVS_DIRECTOR_NOTIFY_TOKEN_FILE", tokenFile.toString());
        env.put("LVS_DIRECTOR_NOTIFY_RETRY_SECONDS", "0");
        if (caFile != null) {
            env.put("LVS_DIRECTOR_NOTIFY_CA_FILE", caFile);
        }
        Process p = pb.redirectErrorStream(true).start();
        String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), err, Files.exists(args) ? Files.readString(args) : "");
    }

    static String ha() throws Exception {
        return HttpClient.newBuilder().sslContext(CERT.clientContext()).build().send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + APP.getLocalPort() + "/v1/ha"))
                .header("Authorization", "Bearer " + TestDirector.ADMIN_TOKEN).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theHookReportsOverHttpsWithItsCaFileAndNeverPutsTheTokenInArgv() throws Exception {
        Run r = hook("VI_1", "MASTER", CERT.certificatePem().toString());
        assertThat(r.status()).as(r.output()).isZero();
        assertThat(r.output()).contains("instance VI_1 MASTER priority 150: reported");
        assertThat(r.curlArgs()).contains("--cacert\n" + CERT.certificatePem() + "\n")
                .contains("https://127.0.0.1:" + APP.getLocalPort() + "/v1/ha/instances/VI_1")
                .doesNotContain(NOTIFY_TOKEN);
        assertThat(ha()).contains("VI_1").contains("MASTER");
    }

    @Test
    void withoutTheCaFileCurlRefusesTheCertificateAndNothingIsReported() throws Exception {
        Run r = hook("VI_2", "MASTER", null);
        assertThat(r.status()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("instance VI_2 MASTER: not reported").contains("SSL certificate");
        assertThat(ha()).doesNotContain("VI_2");
    }

    @Test
    void aCaFileWithAPlainHttpUrlOrAnUnreadableOneIsRefusedBeforeAnyRequest() throws Exception {
        Path missing = DIR.resolve("missing.pem");
        Run r = hook("VI_3", "BACKUP", missing.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.output()).contains("cannot read the CA file " + missing);
        assertThat(r.curlArgs()).isEmpty();
    }
}
