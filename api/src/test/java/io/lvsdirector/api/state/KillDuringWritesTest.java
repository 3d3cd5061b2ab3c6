package io.lvsdirector.api.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.spec.ServiceSpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a stream of writes: a child JVM writes the state file and the owned file
 * as fast as it can and is killed ({@code destroyForcibly}, SIGKILL) at a random moment; after every
 * kill both files must load, and the writer started again must carry on from what they hold. With
 * an in-place write (truncate, then write) the files would soon be found empty or cut short.
 */
class KillDuringWritesTest {

    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    @Test
    void bothFilesAlwaysLoadAfterAKillDuringWrites() throws Exception {
        Path state = dir.resolve("state.json");
        Path owned = dir.resolve("owned.json");
        Random random = new Random(42);
        long lastVersion = 0;
        long writesSeen = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Path ready = dir.resolve("ready-" + round);
            // The child's log goes nowhere: a full pipe would stop it in a log call, not in a write.
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    Writer.class.getName(), state.toString(), owned.toString(), ready.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                // The ready file appears once the child has loaded both files and is about to write.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(ready)) {
                    assertThat(child.isAlive()).as("round %d: the writer runs", round).isTrue();
                    assertThat(System.nanoTime()).as("round %d: the writer started in time", round).isLessThan(deadline);
                    Thread.sleep(10);
                }
                Thread.sleep(random.nextInt(5, 250));
            } finally {
                child.destroyForcibly();
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("killed, not finished").isEqualTo(137);

            FileServiceStore loaded = FileServiceStore.load(state, new ServiceSpecJson(), false);
            assertThat(loaded.version()).as("round %d: never goes back", round).isGreaterThanOrEqualTo(lastVersion);
            writesSeen += loaded.version() - lastVersion;
            lastVersion = loaded.version();
            // Each write keeps the invariant the writer maintains: every drain names a live service.
            for (ManualDrain d : loaded.drains()) {
                assertThat(loaded.get(d.service())).as("drain %s has its service", d).isPresent();
            }
            assertThat(FileOwnershipStore.open(owned).load()).as("round %d", round).isPresent();
        }
        // The kills did land during writes, not before the first one.
        assertThat(writesSeen).isGreaterThan(ROUNDS);
        // A kill between creating and renaming a temporary file leaves it behind; the next server start
        // removes them (and nothing else).
        int leftover = FileServiceStore.removeLeftoverTemporaryFiles(state)
                + FileServiceStore.removeLeftoverTemporaryFiles(owned);
        System.out.println("kill -9 rounds: " + ROUNDS + ", state versions written: " + writesSeen
                + ", temporary files left behind: " + leftover);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("ready-")))
                    .containsExactlyInAnyOrder("state.json", "owned.json");
        }
    }

    /** The child: writes until killed. */
    public static final class Writer {

        public static void main(String[] args) throws Exception {
            Path state = Path.of(args[0]);
            ServiceSpecJson mapper = new ServiceSpecJson();
            FileServiceStore store = FileServiceStore.load(state, mapper, true);
            FileOwnershipStore ownership = FileOwnershipStore.open(Path.of(args[1]));
            Set<VirtualServerKey> owned = new TreeSet<>(ownership.load().orElse(Set.of()));
            Files.createFile(Path.of(args[2]));
            for (long i = store.version(); ; i++) {
                int n = (int) (i % 40);
                String name = "svc" + n;
                int port = 1000 + n;
                if (i % 7 == 3 && store.get(name).isPresent()) {
                    store.delete(name);
                    owned.remove(VirtualServerKey.of(Protocol.TCP, IpAddresses.parse("198.18.0.100"), port));
                } else {
                    store.put(mapper.fromJson(name, "{\"vip\": \"198.18.0.100\", \"port\": " + port
                            + ", \"realServers\": {\"static\": [{\"address\": \"198.18.0.21\"},"
                            + " {\"address\": \"198.18.1." + (i % 250 + 1) + "\"}]}}"));
                    owned.add(VirtualServerKey.of(Protocol.TCP, IpAddresses.parse("198.18.0.100"), port));
                    if (i % 5 == 0) {
                        store.drain(new ManualDrain(name, IpAddresses.parse("198.18.0.21")));
                    }
                }
                ownership.save(owned);
            }
        }
    }
}
