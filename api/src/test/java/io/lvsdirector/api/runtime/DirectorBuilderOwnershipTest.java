package io.lvsdirector.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.config.StateFactory;
import io.lvsdirector.api.state.StateFileException;
import io.lvsdirector.core.status.Measurements;
import io.lvsdirector.ipvs.IpvsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the owned-services file is, and that a corrupt one stops the start before the kernel is opened. */
class DirectorBuilderOwnershipTest {

    @TempDir
    Path dir;

    @Test
    void theOwnedFileIsBesideTheStateFileUnlessConfigured() {
        StateFactory state = new StateFactory();
        assertThat(state.getOwnedFile()).isEqualTo(Path.of("/var/lib/lvs-director/owned.json"));
        state.setFile(dir.resolve("x/state.json"));
        assertThat(state.getOwnedFile()).isEqualTo(dir.resolve("x/owned.json"));
        assertThat(state.isOwnedFileUsable()).isTrue();
        state.setOwnedFile(dir.resolve("elsewhere.json"));
        assertThat(state.getOwnedFile()).isEqualTo(dir.resolve("elsewhere.json"));
        state.setOwnedFile(dir.resolve("x/state.json"));
        assertThat(state.isOwnedFileUsable()).as("the state file itself").isFalse();
        state.setOwnedFile(dir);
        assertThat(state.isOwnedFileUsable()).as("a directory").isFalse();
    }

    @Test
    void aCorruptOwnedFileStopsTheStartBeforeTheKernelIsOpened() throws Exception {
        // The host has no IPVS: had the build reached the kernel it would fail with an IpvsException.
        assumeThat(Files.exists(Path.of("/proc/net/ip_vs"))).isFalse();
        LvsDirectorConfiguration config = new LvsDirectorConfiguration();
        config.getState().setFile(dir.resolve("state.json"));
        config.getState().setCreateIfMissing(true);
        Path owned = dir.resolve("owned.json");
        Files.writeString(owned, "{\"format\": 1, \"owned\": [{\"protocol\": \"tcp\"");
        assertThatThrownBy(() -> DirectorBuilder.build(config, Measurements.NONE))
                .isInstanceOf(StateFileException.class)
                .hasMessageContaining(owned.toString())
                .hasMessageContaining("not valid JSON");

        // A good one lets the start go on, to the kernel.
        Files.writeString(owned, "{\"format\": 1, \"owned\": []}");
        assertThatThrownBy(() -> DirectorBuilder.build(config, Measurements.NONE))
                .isInstanceOf(IpvsException.class);
    }
}
