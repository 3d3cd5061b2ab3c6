package io.lvsdirector.api.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The packaged service ({@code api-*-all.jar}) started the way the lab's kernel tests run it. */
final class PackagedService {

    private PackagedService() {}

    /** The shaded jar {@code package} left in {@code target}. */
    static Path jar() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("api-.*-all\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no api-*-all.jar in target: run package first"));
        }
    }

    /**
     * Starts {@code lvs-director server CONFIG} in network namespace {@code netns} with this JVM's java,
     * the heap capped at {@code maxHeap} (e.g. {@code 256m}), its output appended to {@code out}. Does
     * not wait for it to answer.
     */
    static Process start(String netns, String maxHeap, Path config, Path out) throws IOException {
        return start(netns, maxHeap, config, out, java.util.Map.of());
    }

    /** As {@link #start(String, String, Path, Path)}, with {@code env} added to its environment. */
    static Process start(String netns, String maxHeap, Path config, Path out, java.util.Map<String, String> env)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", netns, java, "-Xmx" + maxHeap, "-jar",
                jar().toAbsolutePath().toString(), "server", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }
}
