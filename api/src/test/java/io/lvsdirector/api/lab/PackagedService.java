package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lvsdirector.lab.ExecResult;
import io.lvsdirector.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The packaged service ({@code api-*-all.jar}) started the way the lab's kernel tests run it: {@code
 * lvs-director server CONFIG} in a network namespace, its API and admin port on the namespace's loopback,
 * driven with curl inside that namespace. What is not about this jar (running commands in a namespace,
 * curl, token files, stopping a process) is in the lab module.
 */
final class PackagedService {

    /** The API's default address, inside the service's namespace. */
    static final String API = "http://127.0.0.1:9440";
    /** The admin port's default address, inside the service's namespace. */
    static final String ADMIN = "http://127.0.0.1:9441";

    private final String netns;
    private final String token;
    private final Path out;
    private final Process process;

    private PackagedService(String netns, String token, Path out, Process process) {
        this.netns = netns;
        this.token = token;
        this.out = out;
        this.process = process;
    }

    /** The shaded jar {@code package} left in {@code target}. */
    static Path jar() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("api-.*-all\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no api-*-all.jar in target: run package first"));
        }
    }

    /**
     * A test's configuration file: state in {@code stateFile} (created when missing), a resync every {@code
     * resyncInterval}, tokens from {@code tokenFile}, {@code extra} top-level sections (YAML, may be empty),
     * the log in {@code logFile}.
     */
    static String config(Path stateFile, String resyncInterval, Path tokenFile, String extra, Path logFile) {
        return "state:\n  file: " + stateFile + "\n  createIfMissing: true\n"
                + "kernel:\n  resyncInterval: " + resyncInterval + "\n"
                + "auth:\n  tokenFile: " + tokenFile + "\n"
                + extra
                + "logging:\n  level: INFO\n  appenders:\n    - type: file\n      currentLogFilename: "
                + logFile + "\n      archive: false\n";
    }

    /**
     * Starts {@code lvs-director server CONFIG} in network namespace {@code netns} with this JVM's java,
     * the heap capped at {@code maxHeap} (e.g. {@code 256m}), {@code env} added to its environment, its
     * output appended to {@code out}. Does not wait for it to answer.
     */
    static Process start(String netns, String maxHeap, Path config, Path out, Map<String, String> env)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", netns, java, "-Xmx" + maxHeap, "-jar",
                jar().toAbsolutePath().toString(), "server", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Starts the service (heap 256m) and waits up to {@code atMost} for its admin port's {@code /healthcheck}
     * to answer 200; fails when the process exits first. {@code token} is what {@link #api} sends.
     */
    static PackagedService run(String netns, Path config, Path out, String token, Map<String, String> env,
            Duration atMost) throws IOException {
        PackagedService s = new PackagedService(netns, token, out, start(netns, "256m", config, out, env));
        s.awaitHealthy(atMost);
        return s;
    }

    /** {@link #run} with no extra environment, waiting up to 120 s. */
    static PackagedService run(String netns, Path config, Path out, String token) throws IOException {
        return run(netns, config, out, token, Map.of(), Duration.ofSeconds(120));
    }

    /** Waits until the admin port's {@code /healthcheck} answers 200; fails when the process exits first. */
    void awaitHealthy(Duration atMost) {
        awaitHealthy(netns, process, out, atMost);
    }

    /**
     * Waits until {@code process}'s admin port in {@code netns} answers 200 on {@code /healthcheck}; fails,
     * pointing at {@code output}, when it exits first.
     */
    static void awaitHealthy(String netns, Process process, Path output, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(process.isAlive()).as("server exited; see " + output).isTrue();
            assertThat(Lab.curl(netns, "-s", "-o", "/dev/null", "-w", "%{http_code}", ADMIN + "/healthcheck")
                    .stdout()).isEqualTo("200");
        });
    }

    /** {@code curl --max-time 10 ARGS} inside the service's namespace. */
    ExecResult curl(String... args) {
        return Lab.curl(netns, args);
    }

    /**
     * One API call with the token: the answer's body, a newline, and its status code ({@link #status},
     * {@link #body}). {@code body} is sent as JSON when not null.
     */
    String api(String method, String path, String body) {
        return api(netns, token, method, path, body);
    }

    /** {@link #api(String, String, String)} to the service in {@code netns}, with {@code token}. */
    static String api(String netns, String token, String method, String path, String body) {
        List<String> cmd = new ArrayList<>(List.of("-s", "-w", "\n%{http_code}", "-X", method,
                "-H", "Authorization: Bearer " + token));
        if (body != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
        }
        cmd.add(API + path);
        return Lab.curl(netns, cmd.toArray(String[]::new)).orThrow().stdout();
    }

    /** The status code of an {@link #api} answer. */
    static int status(String answer) {
        return Integer.parseInt(answer.substring(answer.lastIndexOf('\n') + 1).strip());
    }

    /** The body of an {@link #api} answer. */
    static String body(String answer) {
        return answer.substring(0, answer.lastIndexOf('\n'));
    }

    /**
     * SIGTERM, then SIGKILL after 60 s ({@link Lab#stop}): Dropwizard stops the loop and leaves the kernel
     * as it is.
     */
    void stop() {
        Lab.stop(process);
    }
}
