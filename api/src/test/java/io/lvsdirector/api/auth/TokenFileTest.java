package io.lvsdirector.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {

    static final String ADMIN = "aaaaaaaaaaaaaaaaaaaaaaaa";
    static final String READ = "bbbbbbbbbbbbbbbbbbbbbbbb";

    @Test
    void parsesRolesNamesAndComments() {
        TokenFile t = TokenFile.parse(List.of("# comment", "", "admin ops " + ADMIN, "  read  grafana\t" + READ + "  "),
                "tokens");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.authenticate(ADMIN)).contains(new Caller("ops", Role.ADMIN));
        assertThat(t.authenticate(READ)).contains(new Caller("grafana", Role.READ));
        assertThat(t.authenticate(ADMIN.substring(1))).isEmpty();
        assertThat(t.authenticate(ADMIN + "a")).isEmpty();
        assertThat(t.authenticate("")).isEmpty();
        assertThat(t.authenticate(null)).isEmpty();
    }

    @Test
    void rolesAllowWhatTheySay() {
        assertThat(Role.ADMIN.allows("admin")).isTrue();
        assertThat(Role.ADMIN.allows("read")).isTrue();
        assertThat(Role.READ.allows("read")).isTrue();
        assertThat(Role.READ.allows("admin")).isFalse();
        assertThat(Role.ADMIN.allows("root")).isFalse();
    }

    @Test
    void malformedLinesNameTheLineButNeverTheToken() {
        String secret = "s3cr3t-but-too-short";
        for (List<String> lines : List.of(
                List.of("admin ops"),
                List.of("root ops " + ADMIN),
                List.of("admin o:ps " + ADMIN),
                List.of("admin ops short"),
                List.of("admin ops " + ADMIN, "read ops " + READ),
                List.of("admin ops " + ADMIN, "read other " + ADMIN),
                List.of("# only a comment"),
                List.of("admin ops " + secret + " extra"))) {
            assertThatThrownBy(() -> TokenFile.parse(lines, "tokens")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("tokens")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ADMIN).doesNotContain(READ)
                            .doesNotContain(secret));
        }
    }

    @Test
    void onlyAFilePrivateToItsOwnerIsRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "admin ops " + ADMIN + "\n");
        String me = System.getProperty("user.name");
        for (String ok : new String[] {"rw-------", "r--------"}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(ok));
            assertThat(TokenFile.load(f).size()).as(ok).isEqualTo(1);
        }
        // Any group or other bit, even one that reads nothing (write, execute), is refused.
        for (String[] bad : new String[][] {{"rw----r--", "0604"}, {"rw-r-----", "0640"}, {"rw--w----", "0620"},
                {"rw------x", "0601"}}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(bad[0]));
            assertThatThrownBy(() -> TokenFile.load(f)).isInstanceOf(UnsafeTokenFileException.class)
                    .hasMessage("token file " + f + " has mode " + bad[1] + " and owner " + me
                            + ": group/other permission bits are set (other users could read the API tokens). Fix: "
                            + "chmod 600 " + f);
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> TokenFile.load(f, "no-such-user-lvsd")).isInstanceOf(UnsafeTokenFileException.class)
                .hasMessageContaining("user no-such-user-lvsd (the user the server runs as) does not exist");
    }
}
