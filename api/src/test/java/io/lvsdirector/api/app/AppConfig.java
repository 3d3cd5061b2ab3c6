package io.lvsdirector.api.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A config file for {@link FakeKernelApplication} in a fresh temp directory: a private token file with
 * {@link io.lvsdirector.api.TestDirector}'s tokens, random ports, the application's own defaults otherwise
 * (so the admin connector's address is the one the code chooses). {@code server} replaces the whole
 * {@code server:} section, {@code extra} is appended.
 */
public final class AppConfig {

    public final Path dir;
    public final Path file;

    private AppConfig(Path dir, Path file) {
        this.dir = dir;
        this.file = file;
    }

    public static AppConfig write(String server, String extra) {
        try {
            Path dir = Files.createTempDirectory("lvs-director-app");
            Path tokens = dir.resolve("tokens");
            Files.writeString(tokens, "admin ops " + io.lvsdirector.api.TestDirector.ADMIN_TOKEN + "\nread grafana "
                    + io.lvsdirector.api.TestDirector.READ_TOKEN + "\n");
            Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
            Path file = dir.resolve("director.yml");
            Files.writeString(file, "state:\n  file: " + dir.resolve("state.json") + "\n  createIfMissing: true\n"
                    + "auth:\n  tokenFile: " + tokens + "\n" + server + extra);
            return new AppConfig(dir, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server section with both connectors on random ports; the admin one's bindHost left to the default. */
    public static String randomPorts() {
        return "server:\n  applicationConnectors:\n    - type: http\n      port: 0\n"
                + "  adminConnectors:\n    - type: http\n      port: 0\n"
                + "  registerDefaultExceptionMappers: false\n";
    }

    /** {@link #randomPorts()} with the application connector on 127.0.0.1. */
    public static String randomLoopbackPorts() {
        return "server:\n  applicationConnectors:\n    - type: http\n      port: 0\n      bindHost: 127.0.0.1\n"
                + "  adminConnectors:\n    - type: http\n      port: 0\n"
                + "  registerDefaultExceptionMappers: false\n";
    }
}
