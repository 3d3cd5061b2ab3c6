package io.lvsdirector.api.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOwnershipStoreTest {

    static final VirtualServerKey WEB = VirtualServerKey.of(Protocol.TCP, IpAddresses.parse("198.18.0.100"), 80);
    static final VirtualServerKey DNS = VirtualServerKey.of(Protocol.UDP, IpAddresses.parse("2001:db8::1"), 53);
    static final VirtualServerKey SCTP = VirtualServerKey.of(Protocol.SCTP, IpAddresses.parse("198.18.0.101"), 2905);

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNothingOwnedYetAndIsNotCreatedByReading() throws Exception {
        Path f = dir.resolve("owned.json");
        FileOwnershipStore s = FileOwnershipStore.open(f);
        assertThat(s.load()).isEmpty();
        assertThat(f).doesNotExist();
    }

    @Test
    void savedSetsSurviveANewInstance() throws Exception {
        Path f = dir.resolve("owned.json");
        FileOwnershipStore s = FileOwnershipStore.open(f);
        s.save(Set.of(WEB, DNS, SCTP));
        assertThat(s.load()).contains(Set.of(WEB, DNS, SCTP));
        assertThat(FileOwnershipStore.open(f).load()).contains(Set.of(WEB, DNS, SCTP));

        s.save(Set.of(DNS));
        assertThat(FileOwnershipStore.open(f).load()).contains(Set.of(DNS));
        // An empty set is a saved fact ("owns nothing"), not "never saved".
        s.save(Set.of());
        assertThat(FileOwnershipStore.open(f).load()).contains(Set.of());
    }

    @Test
    void theDirectorsProbePathFwmarkServicesAreOwnedToo() throws Exception {
        Path f = dir.resolve("owned.json");
        var v4 = io.lvsdirector.ipvs.VirtualServerKey.fwmark(io.lvsdirector.ipvs.AddressFamily.INET, 0x4c560000);
        // A mark above 2^31 is negative as an int; the file keeps it unsigned.
        var v6 = io.lvsdirector.ipvs.VirtualServerKey.fwmark(io.lvsdirector.ipvs.AddressFamily.INET6, 0xfffffff0);
        FileOwnershipStore.open(f).save(Set.of(WEB, v4, v6));
        assertThat(FileOwnershipStore.open(f).load()).contains(Set.of(WEB, v4, v6));
        String text = java.nio.file.Files.readString(f);
        assertThat(text).contains("\"fwmark\" : 1280704512").contains("\"fwmark\" : 4294967280")
                .contains("\"family\" : \"inet6\"");
        java.nio.file.Files.writeString(f, "{\"format\": 1, \"owned\": [{\"family\": \"inet\", \"fwmark\": 0}]}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileOwnershipStore.open(f))
                .hasMessageContaining("{family, fwmark}");
    }

    @Test
    void theFileIsTheDocumentedShape() throws Exception {
        Path f = dir.resolve("owned.json");
        FileOwnershipStore.open(f).save(Set.of(WEB, DNS));
        JsonNode root = new ObjectMapper().readTree(f.toFile());
        assertThat(root.get("format").asInt()).isEqualTo(1);
        assertThat(root.get("owned")).hasSize(2);
        assertThat(root.at("/owned/0/protocol").asText()).isEqualTo("tcp");
        assertThat(root.at("/owned/0/vip").asText()).isEqualTo("198.18.0.100");
        assertThat(root.at("/owned/0/port").asInt()).isEqualTo(80);
        assertThat(root.at("/owned/1/protocol").asText()).isEqualTo("udp");
        assertThat(root.at("/owned/1/vip").asText()).isEqualTo("2001:db8::1");
    }

    @Test
    void corruptFilesStopTheStartNamingTheFileAndTheProblem() throws Exception {
        Path f = dir.resolve("owned.json");
        String[][] cases = {
            {"{\"format\": 1, \"owned\": [", "not valid JSON"},
            {"", "not an owned-services document"},
            {"[]", "not an owned-services document"},
            {"{\"format\": 2, \"owned\": []}", "unknown owned-services format 2"},
            {"{\"format\": 1}", "owned must be an array"},
            {"{\"format\": 1, \"owned\": [{\"protocol\": \"tcp\", \"vip\": \"198.18.0.100\"}]}", "{protocol, vip, port}"},
            {"{\"format\": 1, \"owned\": [{\"protocol\": \"icmp\", \"vip\": \"198.18.0.100\", \"port\": 1}]}",
                "not valid"},
            {"{\"format\": 1, \"owned\": [{\"protocol\": \"tcp\", \"vip\": \"not-an-ip\", \"port\": 1}]}", "not valid"},
            {"{\"format\": 1, \"owned\": [{\"protocol\": \"tcp\", \"vip\": \"198.18.0.100\", \"port\": 70000}]}",
                "port 70000 out of range 1..65535"},
        };
        for (String[] c : cases) {
            Files.writeString(f, c[0]);
            assertThatThrownBy(() -> FileOwnershipStore.open(f)).as(c[0])
                    .isInstanceOf(StateFileException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining(c[1]);
        }
    }

    @Test
    void aFailedSaveThrowsAndKeepsTheOldFileAndSet() throws Exception {
        // A real failure of the write path with the old file in place: the temporary file's name
        // ("." + name + "." + random + ".tmp") is longer than the file system allows (ENAMETOOLONG)
        // while the file's own name is not.
        Path f = dir.resolve("o".repeat(230) + ".json");
        FileOwnershipStore s = FileOwnershipStore.open(f);
        Files.writeString(f, "{\"format\": 1, \"owned\": [{\"protocol\": \"tcp\", \"vip\": \"198.18.0.100\", \"port\": 80}]}");
        byte[] before = Files.readAllBytes(f);
        FileOwnershipStore loaded = FileOwnershipStore.open(f);
        assertThatThrownBy(() -> loaded.save(Set.of(WEB, DNS)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(f.toString());
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThat(loaded.load()).contains(Set.of(WEB));
        assertThat(FileOwnershipStore.open(f).load()).contains(Set.of(WEB));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
        assertThat(s.load()).isEmpty();
    }
}
