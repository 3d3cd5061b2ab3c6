package io.lvsdirector.api.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.core.ha.InstanceState;
import io.lvsdirector.core.ha.VrrpState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaStateFileTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsAndAMissingFileIsEmpty() throws Exception {
        HaStateFile f = new HaStateFile(dir.resolve("run/ha.json"));
        assertThat(f.load()).isEmpty();
        Map<String, InstanceState> m = Map.of(
                "VI_1", new InstanceState(VrrpState.MASTER, 150, Instant.parse("2026-11-23T20:00:00.123Z")),
                "VI_2", new InstanceState(VrrpState.FAULT, null, Instant.parse("2026-11-23T20:01:00Z")));
        f.save(m);
        assertThat(f.load()).isEqualTo(m);
        // No temp file is left beside it.
        try (var files = Files.list(dir.resolve("run"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ha.json");
        }
    }

    @Test
    void aCorruptFileIsAnIoException() throws Exception {
        Path p = dir.resolve("ha.json");
        for (String bad : new String[] {"{", "[]", "{\"instances\": {\"VI_1\": {\"state\": \"PRIMARY\","
                + " \"since\": \"2026-11-23T20:00:00Z\"}}}", "{\"instances\": {\"a b\": {}}}",
            "{\"instances\": {\"VI_1\": {\"state\": \"MASTER\", \"since\": \"yesterday\"}}}"}) {
            Files.writeString(p, bad);
            assertThatThrownBy(() -> new HaStateFile(p).load()).as(bad).isInstanceOf(IOException.class);
        }
    }
}
