package io.lvsdirector.api.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.lvsdirector.api.LvsDirectorApplication;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} and {@code server} refuse a token file that group or others may read, or that another user
 * owns: exit status 1, one message naming the file, its mode, its owner and the fix, and never the token.
 * Run as the launcher runs them, in a JVM of their own, so the exit status is the real one.
 */
class TokenFileRefusalTest {

    static final String TOKEN = "refusal-test-token-0123456789";

    @TempDir
    Path dir;

    record Exit(int status, String out, String err) {}

    static Exit launch(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                LvsDirectorApplication.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        // Nothing is written to stdin; both outputs are small.
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Exit(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    Path config(Path tokens) throws Exception {
        Path f = dir.resolve("director.yml");
        // Random ports, so a server that wrongly started would not collide with anything; a state dir
        // that stays empty proves it never got as far as the store.
        Files.writeString(f, "state:\n  file: " + dir.resolve("state/state.json") + "\n  createIfMissing: true\n"
                + "auth:\n  tokenFile: " + tokens + "\n"
                + "server:\n  applicationConnectors:\n    - type: http\n      port: 0\n"
                + "  adminConnectors:\n    - type: http\n      port: 0\n"
                + "logging:\n  level: WARN\n");
        return f;
    }

    Path tokens(String mode) throws Exception {
        Path t = dir.resolve("tokens");
        Files.writeString(t, "admin ops " + TOKEN + "\n");
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString(mode));
        return t;
    }

    @Test
    void checkAndServerRefuseAGroupReadableTokenFile() throws Exception {
        Path t = tokens("rw-r-----");
        String me = System.getProperty("user.name");
        for (String command : new String[] {"check", "server"}) {
            Exit e = launch(command, config(t).toString());
            assertThat(e.status()).as(command + ": " + e.err()).isEqualTo(1);
            assertThat(e.err()).as(command)
                    .contains("token file " + t + " has mode 0640 and owner " + me)
                    .contains("group/other permission bits are set")
                    .contains("chmod 600 " + t)
                    .doesNotContain(TOKEN);
            assertThat(e.out()).doesNotContain(TOKEN);
            // One clear line, not a stack trace.
            assertThat(e.err()).as(command).doesNotContain("\tat ").doesNotContain("Exception");
        }
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void checkAndServerRefuseATokenFileOwnedBySomeoneElse() throws Exception {
        assumeThat(System.getProperty("user.name")).as("only root can give a file away").isEqualTo("root");
        Path t = tokens("rw-------");
        UserPrincipal nobody = t.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(t, nobody);
        for (String command : new String[] {"check", "server"}) {
            Exit e = launch(command, config(t).toString());
            assertThat(e.status()).as(command + ": " + e.err()).isEqualTo(1);
            assertThat(e.err()).as(command)
                    .contains("token file " + t + " has mode 0600 and owner nobody")
                    .contains("it must be owned by root, the user the server runs as")
                    .contains("chown root " + t)
                    .doesNotContain("chmod")
                    .doesNotContain(TOKEN)
                    .doesNotContain("\tat ");
        }
        // check --user names the user the server will run as: then nobody's file is the right one.
        Exit asNobody = launch("check", "--user", "nobody", config(t).toString());
        assertThat(asNobody.status()).as(asNobody.err()).isZero();
        assertThat(asNobody.out()).contains("tokens: 1 in " + t + ", private to nobody");
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void aPrivateTokenFilePassesAndCheckSaysForWhom() throws Exception {
        Path t = tokens("rw-------");
        Exit e = launch("check", config(t).toString());
        assertThat(e.status()).as(e.err()).isZero();
        assertThat(e.out()).contains("tokens: 1 in " + t + ", private to " + System.getProperty("user.name"))
                .contains("admin: http on 127.0.0.1:0").contains("admin endpoints: tasks off, diagnostics off")
                .doesNotContain(TOKEN);
    }
}
