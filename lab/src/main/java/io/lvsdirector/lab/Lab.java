package io.lvsdirector.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Entry point for tests that need the real kernel: they run inside the UML lab kernel (see
 * {@code lab/README.md}), where {@code lab/topo.sh} builds a DR topology of network namespaces.
 *
 * <p>Kernel tests call {@link #requireKernel()} first, so a test started on a machine without IPVS fails
 * loudly instead of passing vacuously or being skipped.
 */
public final class Lab {

    /** The first VIP the topology puts on every real server's {@code lo} (and on dir1 unless told not to). */
    public static final String VIP = "198.18.0.100";
    /** The second VIP, for active-active pairs. */
    public static final String VIP2 = "198.18.0.101";

    private static final long DEFAULT_TIMEOUT_SECONDS = 120;

    private Lab() {
    }

    /** True when this JVM runs on a kernel with IPVS loaded. */
    public static boolean kernelHasIpvs() {
        return Files.exists(Path.of("/proc/net/ip_vs"));
    }

    /** Fails with a clear message unless this JVM runs on a kernel with IPVS (the UML lab). */
    public static void requireKernel() {
        if (!kernelHasIpvs()) {
            throw new LabException("this test needs a kernel with IPVS (/proc/net/ip_vs is missing); run kernel "
                    + "tests through the lab: lab/uml-run -- mvn -o -Pkernel -DskipUnitTests=true verify");
        }
    }

    /** The lab scripts folder: the {@code lab.dir} system property, else found from the working directory up. */
    public static Path dir() {
        String prop = System.getProperty("lab.dir", System.getenv("LAB_DIR"));
        if (prop != null && Files.isExecutable(Path.of(prop, "topo.sh"))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("lab/topo.sh"))) {
                return p.resolve("lab");
            }
        }
        throw new LabException("cannot find lab/topo.sh (set -Dlab.dir)");
    }

    /**
     * Builds the DR topology: a client, {@code directors} director namespaces ({@code dir1}, {@code dir2}),
     * {@code realServers} nginx real servers ({@code rs1}...). Tears down any earlier topology first.
     *
     * @param vipOnDirector whether {@link #VIP} is put on dir1's segment interface (off when keepalived or
     *                      the director under test owns it)
     */
    public static Topology up(int directors, int realServers, boolean vipOnDirector) {
        requireKernel();
        topo("down");
        List<String> args = new ArrayList<>(List.of("up", "--directors", Integer.toString(directors),
                "--realservers", Integer.toString(realServers)));
        if (!vipOnDirector) {
            args.add("--no-vip");
        }
        topo(args.toArray(String[]::new)).orThrow();
        return new Topology(directors, realServers);
    }

    /**
     * Builds the ecmp topology ({@code topo.sh up --ecmp N}): the client behind a {@code router} namespace
     * that runs BIRD 2 with ECMP and an L4 hash, {@code directors} (2 or 3) directors with their BIRD
     * configs written (not started: {@link Topology#startBird}), {@code realServers} nginx real servers.
     */
    public static Topology upEcmp(int directors, int realServers) {
        requireKernel();
        topo("down");
        topo("up", "--ecmp", Integer.toString(directors), "--realservers", Integer.toString(realServers)).orThrow();
        return new Topology(directors, realServers);
    }

    /** Same as {@code up(directors, realServers, true)}. */
    public static Topology up(int directors, int realServers) {
        return up(directors, realServers, true);
    }

    /** Runs {@code lab/topo.sh ARGS...}. */
    public static ExecResult topo(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(dir().resolve("topo.sh").toString());
        cmd.addAll(List.of(args));
        return run(DEFAULT_TIMEOUT_SECONDS, cmd);
    }

    /** Runs a command (no shell), waiting at most {@code timeoutSeconds}; output is captured in full. */
    public static ExecResult run(long timeoutSeconds, List<String> command) {
        String shown = String.join(" ", command);
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            // Drain both pipes concurrently: a chatty command must not block on a full pipe.
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new LabException("`" + shown + "` did not finish within " + timeoutSeconds + " s");
            }
            return new ExecResult(shown, p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new LabException("cannot run `" + shown + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running `" + shown + "`", e);
        }
    }

    /** Runs a command inside network namespace {@code netns} ({@code ip netns exec}), waiting at most {@code timeoutSeconds}. */
    public static ExecResult exec(long timeoutSeconds, String netns, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        cmd.addAll(List.of(command));
        return run(timeoutSeconds, cmd);
    }

    /**
     * {@code curl --max-time 10 ARGS} inside network namespace {@code netns} (30 s limit): how kernel tests talk
     * to a service that listens inside a namespace. The result is returned whatever curl's exit status.
     */
    public static ExecResult curl(String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return exec(30, netns, cmd.toArray(String[]::new));
    }

    /** Runs a command (120 s limit) that must succeed; its standard output. Fails the test with its stderr otherwise. */
    public static String check(String... command) {
        ExecResult r = run(DEFAULT_TIMEOUT_SECONDS, List.of(command));
        if (!r.ok()) {
            throw new AssertionError("`" + String.join(" ", command) + "` failed with " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /** {@code ipvsadm ARGS} inside network namespace {@code netns}; its output. Fails the test when ipvsadm fails. */
    public static String ipvsadm(String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "ipvsadm"));
        cmd.addAll(List.of(args));
        return check(cmd.toArray(String[]::new));
    }

    /**
     * Writes {@code content} to a file only its owner may read or write (0600), as the director demands of a
     * token file (it refuses one with group or other bits).
     */
    public static Path privateFile(Path file, String content) {
        try {
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops a process a test started: SIGTERM to it (a JVM runs its shutdown hooks, keepalived takes its own
     * children down and sends its priority-0 advert), SIGKILL to it and everything under it when it has not
     * exited within 60 s. {@code ip netns exec} execs its command, so a process started through it is the
     * command itself. Null is ignored.
     */
    public static void stop(Process p) {
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static String slurp(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
