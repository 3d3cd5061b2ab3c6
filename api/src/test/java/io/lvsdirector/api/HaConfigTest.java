package io.lvsdirector.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.core.ha.HaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ha:} section as {@code lvs-director check} and the server read it. */
class HaConfigTest {

    @TempDir
    Path dir;

    Path config(String ha) throws Exception {
        Path f = dir.resolve("director.yml");
        Files.writeString(f, "state:\n  file: " + dir.resolve("state.json") + "\n  createIfMissing: true\n"
                + "auth:\n  enabled: false\n" + ha);
        return f;
    }

    @Test
    void theShippedConfigHasHaOffAndParses() throws Exception {
        LvsDirectorConfiguration c = ConfigurationTest.parse(Path.of("../config/director.yml"));
        assertThat(c.getHa().isEnabled()).isFalse();
        assertThat(c.getHa().getSyncInterface()).isEqualTo("eth0");
        assertThat(c.getHa().getSyncId()).isEqualTo(1);
        assertThat(c.getHa().getStateFile()).isEqualTo(Path.of("/run/lvs-director/ha.json"));
    }

    @Test
    void checkAcceptsAndShowsHa() throws Exception {
        ConfigurationTest.Run r = ConfigurationTest.run("check", config(
                "ha:\n  enabled: true\n  syncInterface: eth1\n  syncId: 42\n  stateFile: " + dir.resolve("ha.json")
                        + "\n  mcastGroup: 239.1.2.3\n  mcastPort: 8850\n").toString());
        assertThat(r.error()).isEmpty();
        assertThat(r.out()).contains("ha: sync daemons on eth1 syncid 42");
        LvsDirectorConfiguration c = ConfigurationTest.parse(config(
                "ha:\n  enabled: true\n  syncInterface: eth1\n  syncId: 42\n  mcastGroup: 239.1.2.3\n"));
        assertThat(c.getHa().buildSettings()).isEqualTo(
                new HaSettings("eth1", 42, 0, 0, 0, io.lvsdirector.ipvs.IpAddresses.parse("239.1.2.3")));
    }

    @Test
    void checkRefusesABadInterfaceOrSyncId() throws Exception {
        for (String[] bad : new String[][] {
            {"ha:\n  enabled: true\n  syncId: 256\n", "ha.syncId"},
            {"ha:\n  enabled: true\n  syncId: -1\n", "ha.syncId"},
            {"ha:\n  enabled: true\n  syncInterface: \"eth 0\"\n", "ha.syncInterface"},
            {"ha:\n  enabled: true\n  syncInterface: a-very-long-interface\n", "ha.syncInterface"},
            {"ha:\n  enabled: true\n  mcastGroup: 10.0.0.1\n", "mcastGroup"},
        }) {
            ConfigurationTest.Run r = ConfigurationTest.run("check", config(bad[0]).toString());
            assertThat(r.error()).as(bad[0]).isPresent();
            assertThat(r.err() + r.error().get().getMessage()).as(bad[0]).contains(bad[1]);
        }
    }
}
