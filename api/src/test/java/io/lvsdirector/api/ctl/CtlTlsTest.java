package io.lvsdirector.api.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lvsdirector.api.TestDirector;
import io.lvsdirector.api.app.FakeKernelApplication;
import io.lvsdirector.api.app.TestCertificate;
import io.lvsdirector.api.config.LvsDirectorConfiguration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ctl} against the application over TLS (a keytool-made certificate for 127.0.0.1): with the CA
 * file it is served; without, the handshake fails and ctl exits 3 saying so, having sent nothing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class CtlTlsTest {

    static final Path DIR;
    static final TestCertificate CERT;
    static final Path CONFIG;

    static {
        try {
            DIR = Files.createTempDirectory("lvs-director-ctl-tls");
            CERT = TestCertificate.generate(DIR, "ctl-tls-keystore-pass", "127.0.0.1");
            Path tokens = DIR.resolve("tokens");
            Files.writeString(tokens, "read grafana " + TestDirector.READ_TOKEN + "\n");
            Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
            CONFIG = DIR.resolve("director.yml");
            Files.writeString(CONFIG, "state:\n  file: " + DIR.resolve("state.json") + "\n  createIfMissing: true\n"
                    + "auth:\n  tokenFile: " + tokens + "\n"
                    + "server:\n  applicationConnectors:\n    - type: https\n      port: 0\n      bindHost: 127.0.0.1\n"
                    + "      keyStorePath: " + CERT.keyStore() + "\n      keyStoreType: PKCS12\n"
                    + "      keyStorePassword: " + CERT.password() + "\n"
                    + "  adminConnectors:\n    - type: http\n      port: 0\n"
                    + "  registerDefaultExceptionMappers: false\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final DropwizardAppExtension<LvsDirectorConfiguration> APP =
            new DropwizardAppExtension<>(FakeKernelApplication.class, CONFIG.toString());

    CtlTest.Run ctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Ctl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("HOME", DIR.toString(), "LVS_DIRECTOR_TOKEN", TestDirector.READ_TOKEN),
                new ByteArrayInputStream(new byte[0]));
        return new CtlTest.Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withTheCaFileTheServerIsTrustedAndWithoutItCtlExitsThree() {
        String server = "https://127.0.0.1:" + APP.getLocalPort();
        CtlTest.Run ok = ctl("services", "--server", server, "--ca-file", CERT.certificatePem().toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("lvs-director " + server + "  state version ").contains("(no services)");

        CtlTest.Run untrusted = ctl("services", "--server", server);
        assertThat(untrusted.exit()).isEqualTo(Ctl.UNREACHABLE);
        assertThat(untrusted.err()).startsWith("lvs-director ctl: TLS with " + server + " failed: ")
                .contains("--ca-file").doesNotContain(TestDirector.READ_TOKEN);

        CtlTest.Run plain = ctl("services", "--server", "http://127.0.0.1:" + APP.getLocalPort(), "--ca-file",
                CERT.certificatePem().toString());
        assertThat(plain.exit()).isEqualTo(Ctl.USAGE);
        assertThat(plain.err()).contains("is for an https server");
    }
}
