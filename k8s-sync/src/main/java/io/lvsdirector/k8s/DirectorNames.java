package io.lvsdirector.k8s;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A director's name in an {@code LvsService} status: the key of its {@code status.directors[]}
 * entry, so the two directors of a pair must have different names. A lower-case DNS subdomain of at
 * most 63 characters, like a Kubernetes node name.
 */
public final class DirectorNames {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");

    private DirectorNames() {
    }

    /**
     * Returns {@code name} unchanged.
     *
     * @throws IllegalArgumentException if it is not a lower-case DNS name of at most 63 characters
     */
    public static String check(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("director name must be a lower-case DNS name of at most 63"
                    + " characters ([a-z0-9]([-a-z0-9.]*[a-z0-9])?): '" + name + "'");
        }
        return name;
    }

    /**
     * This host's name, lower-cased, as the default director name: the kernel's host name
     * ({@code /proc/sys/kernel/hostname}, no DNS lookup), else Java's idea of it, else
     * {@code lvs-director}. Characters a DNS name cannot hold become {@code -}.
     */
    public static String hostDefault() {
        String raw = null;
        try {
            raw = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc not mounted: fall through.
        }
        if (raw == null || raw.isEmpty()) {
            try {
                raw = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                raw = null;
            }
        }
        return sanitize(raw);
    }

    /** {@code raw} made a valid name: lower case, bad characters as {@code -}, at most 63 characters. */
    static String sanitize(String raw) {
        if (raw == null) {
            return "lvs-director";
        }
        String s = raw.toLowerCase(Locale.ROOT).replaceAll("[^-a-z0-9.]", "-");
        if (s.length() > 63) {
            s = s.substring(0, 63);
        }
        s = s.replaceAll("^[-.]+", "").replaceAll("[-.]+$", "");
        return s.isEmpty() ? "lvs-director" : s;
    }
}
