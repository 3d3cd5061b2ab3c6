package io.lvsdirector.api.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.spec.ServiceSpecJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileServiceStoreTest {

    static final ServiceSpecJson MAPPER = new ServiceSpecJson();
    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"realServers\": {\"static\":"
            + " [{\"address\": \"198.18.0.21\"}]}}";

    @TempDir
    Path dir;

    static ServiceSpec spec(String name, String json) {
        return MAPPER.fromJson(name, json);
    }

    @Test
    void missingFileIsAnErrorUnlessAskedToCreate() throws Exception {
        Path f = dir.resolve("state.json");
        assertThatThrownBy(() -> FileServiceStore.load(f, MAPPER, false))
                .isInstanceOf(StateFileException.class).hasMessageContaining("does not exist")
                .hasMessageContaining(f.toString());
        assertThat(f).doesNotExist();
        FileServiceStore s = FileServiceStore.load(f, MAPPER, true);
        assertThat(s.services()).isEmpty();
        assertThat(s.version()).isEqualTo(1);
        assertThat(s.hasSynced()).isTrue();
        assertThat(f).exists();
    }

    @Test
    void writesSurviveAReload() throws Exception {
        Path f = dir.resolve("state.json");
        FileServiceStore s = FileServiceStore.load(f, MAPPER, true);
        assertThat(s.put(spec("web", WEB))).isTrue();
        assertThat(s.put(spec("api", WEB.replace("\"port\": 80", "\"port\": 443")))).isTrue();
        assertThat(s.drain(new ManualDrain("web", IpAddresses.parse("198.18.0.21")))).isTrue();
        assertThat(s.version()).isEqualTo(4);

        FileServiceStore again = FileServiceStore.load(f, MAPPER, false);
        assertThat(again.version()).isEqualTo(4);
        assertThat(again.services()).containsExactlyInAnyOrderElementsOf(s.services());
        assertThat(again.drains()).containsExactly(new ManualDrain("web", IpAddresses.parse("198.18.0.21")));
        assertThat(again.get("web")).contains(spec("web", WEB));
    }

    @Test
    void anUnchangedPutDoesNotWrite() throws Exception {
        FileServiceStore s = FileServiceStore.load(dir.resolve("state.json"), MAPPER, true);
        s.put(spec("web", WEB));
        long v = s.version();
        AtomicInteger calls = new AtomicInteger();
        s.addListener(calls::incrementAndGet);
        assertThat(s.put(spec("web", WEB))).isFalse();
        assertThat(s.version()).isEqualTo(v);
        assertThat(calls).hasValue(0);
    }

    @Test
    void listenersHearOfEveryChangeAfterItIsOnDisk() throws Exception {
        Path f = dir.resolve("state.json");
        FileServiceStore s = FileServiceStore.load(f, MAPPER, true);
        AtomicInteger onDisk = new AtomicInteger(-1);
        s.addListener(() -> {
            try {
                onDisk.set(new ObjectMapper().readTree(f.toFile()).get("version").asInt());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        s.put(spec("web", WEB));
        assertThat(onDisk).hasValue(2);
        s.delete("web");
        assertThat(onDisk).hasValue(3);
    }

    @Test
    void conflictingIdentityIsRefusedAndNothingIsWritten() throws Exception {
        Path f = dir.resolve("state.json");
        FileServiceStore s = FileServiceStore.load(f, MAPPER, true);
        s.put(spec("web", WEB));
        byte[] before = Files.readAllBytes(f);
        assertThatThrownBy(() -> s.put(spec("other", WEB))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("web").hasMessageContaining("tcp 198.18.0.100:80");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThat(s.get("other")).isEmpty();
        // Renaming within the same service is not a conflict with itself.
        assertThat(s.put(spec("web", WEB.replace("198.18.0.21", "198.18.0.22")))).isFalse();
    }

    @Test
    void aFailedWriteChangesNothingInMemory() throws Exception {
        Path f = dir.resolve("state.json");
        FileServiceStore s = FileServiceStore.load(f, MAPPER, true);
        s.put(spec("web", WEB));
        long v = s.version();
        // A non-empty directory where the file should be: the rename fails (root ignores permissions).
        Files.delete(f);
        Files.createDirectories(f.resolve("blocker"));
        AtomicInteger calls = new AtomicInteger();
        s.addListener(calls::incrementAndGet);
        assertThatThrownBy(() -> s.put(spec("api", WEB.replace("\"port\": 80", "\"port\": 8080"))))
                .isInstanceOf(StateWriteException.class);
        assertThat(s.version()).isEqualTo(v);
        assertThat(s.get("api")).isEmpty();
        assertThat(calls).hasValue(0);
        // No temp file left behind.
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state.json");
        }
    }

    @Test
    void aFailedWriteKeepsTheOldFileWhichStillLoads() throws Exception {
        // A real failure of the write path with the old file in place (ENAMETOOLONG for the
        // temporary file, whose name is longer than the state file's); ENOSPC is the lab's test.
        Path f = dir.resolve("s".repeat(230) + ".json");
        Files.writeString(f, "{\"format\": 1, \"version\": 1, \"services\": {}}");
        FileServiceStore s = FileServiceStore.load(f, MAPPER, false);
        ManualDrain drain = new ManualDrain("web", IpAddresses.parse("198.18.0.21"));
        byte[] before = Files.readAllBytes(f);
        assertThatThrownBy(() -> s.put(spec("web", WEB))).isInstanceOf(StateWriteException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("File name too long");
        assertThatThrownBy(() -> s.drain(drain)).isInstanceOf(StateWriteException.class);
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThat(s.services()).isEmpty();
        assertThat(s.drains()).isEmpty();
        assertThat(s.version()).isEqualTo(1);
        FileServiceStore again = FileServiceStore.load(f, MAPPER, false);
        assertThat(again.version()).isEqualTo(1);
        assertThat(again.services()).isEmpty();
    }

    @Test
    void drainsSurviveARestartAndGoWithTheirService() throws Exception {
        Path f = dir.resolve("state.json");
        FileServiceStore s = FileServiceStore.load(f, MAPPER, true);
        s.put(spec("web", WEB));
        s.put(spec("api", WEB.replace("\"port\": 80", "\"port\": 443")));
        ManualDrain web = new ManualDrain("web", IpAddresses.parse("198.18.0.21"));
        ManualDrain api = new ManualDrain("api", IpAddresses.parse("198.18.0.21"));
        s.drain(web);
        s.drain(api);
        assertThat(FileServiceStore.load(f, MAPPER, false).drains()).containsExactlyInAnyOrder(web, api);

        s.delete("web");
        FileServiceStore restarted = FileServiceStore.load(f, MAPPER, false);
        assertThat(restarted.drains()).containsExactly(api);
        // A service re-created under the old name does not inherit the old drain.
        restarted.put(spec("web", WEB));
        assertThat(FileServiceStore.load(f, MAPPER, false).drains()).containsExactly(api);
    }

    @Test
    void corruptFilesAreClearErrors() throws Exception {
        Path f = dir.resolve("state.json");
        for (String[] c : new String[][] {
            {"{\"format\": 1, \"version\": 3, \"services\": {\"web\": ", "not valid JSON"},
            {"", "not a state document"},
            {"[]", "not a state document"},
            {"{\"format\": 2, \"version\": 3, \"services\": {}}", "unknown state format"},
            {"{\"format\": 1, \"version\": 0, \"services\": {}}", "version"},
            {"{\"format\": 1, \"version\": 3}", "services must be an object"},
            {"{\"format\": 1, \"version\": 3, \"services\": {\"web\": {\"vip\": \"127.0.0.1\", \"port\": 80}}}",
                "service 'web' is invalid"},
            {"{\"format\": 1, \"version\": 3, \"services\": {\"a\": " + WEB + ", \"b\": " + WEB + "}}",
                "same protocol, VIP and port"},
            {"{\"format\": 1, \"version\": 3, \"services\": {}, \"drains\": [{\"address\": \"x\"}]}",
                "not an IP address"},
        }) {
            Files.writeString(f, c[0], StandardCharsets.UTF_8);
            assertThatThrownBy(() -> FileServiceStore.load(f, MAPPER, true)).as(c[0])
                    .isInstanceOf(StateFileException.class).hasMessageContaining(c[1])
                    .hasMessageContaining(f.toString());
            // createIfMissing never overwrites a file that exists but is bad.
            assertThat(Files.readString(f)).isEqualTo(c[0]);
        }
    }

    @Test
    void theFileIsReadableJsonInTheDocumentedShape() throws Exception {
        Path f = dir.resolve("sub/dir/state.json");
        FileServiceStore s = FileServiceStore.load(f, MAPPER, true);
        s.put(spec("web", WEB));
        s.drain(ManualDrain.everywhere(IpAddresses.parse("198.18.0.21")));
        JsonNode root = new ObjectMapper().readTree(f.toFile());
        assertThat(root.get("format").asInt()).isEqualTo(1);
        assertThat(root.get("version").asInt()).isEqualTo(3);
        assertThat(root.at("/services/web/port").asInt()).isEqualTo(80);
        assertThat(root.at("/drains/0/service").isNull()).isTrue();
        assertThat(root.at("/drains/0/address").asText()).isEqualTo("198.18.0.21");
    }

    @Test
    void deleteEndsTheServicesDrainsOnly() throws Exception {
        FileServiceStore s = FileServiceStore.load(dir.resolve("state.json"), MAPPER, true);
        s.put(spec("web", WEB));
        s.drain(new ManualDrain("web", IpAddresses.parse("198.18.0.21")));
        s.drain(ManualDrain.everywhere(IpAddresses.parse("198.18.0.22")));
        assertThat(s.delete("web")).isTrue();
        assertThat(s.delete("web")).isFalse();
        assertThat(s.drains()).containsExactly(ManualDrain.everywhere(IpAddresses.parse("198.18.0.22")));
        assertThat(s.undrain(ManualDrain.everywhere(IpAddresses.parse("198.18.0.22")))).isTrue();
        assertThat(s.undrain(ManualDrain.everywhere(IpAddresses.parse("198.18.0.22")))).isFalse();
    }
}
