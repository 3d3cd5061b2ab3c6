package io.lvsdirector.api.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API's bearer tokens, read from a file the config names (so the YAML, often kept in
 * configuration management, holds no secret). One token per line: {@code ROLE NAME TOKEN}, where
 * ROLE is {@code admin}, {@code read} or {@code notify} (keepalived's hook: VRRP state reports only), NAME identifies the holder in logs, and TOKEN is at least
 * 16 characters of {@code [A-Za-z0-9._~+/=-]}. Blank lines and lines starting with {@code #} are
 * ignored.
 *
 * <p>Only SHA-256 digests of the tokens are kept in memory, and a presented token is compared with
 * every entry by {@link MessageDigest#isEqual} (constant time in the content) without stopping at
 * a match, so neither the time to answer nor a heap dump tells a token apart. Tokens never appear in
 * exceptions or logs: a bad line is reported by its number. The file must be private to the server's
 * user (mode 0600 or stricter, owned by that user), or it is not read at all.
 *
 * <p>Immutable and thread-safe.
 */
public final class TokenFile {

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private record Entry(Caller caller, byte[] digest) {}

    private final List<Entry> entries;

    private TokenFile(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads and checks a token file that the process's own user must own (see {@link #load(Path, String)}).
     */
    public static TokenFile load(Path path) throws IOException {
        return load(path, processUser());
    }

    /**
     * Reads and checks a token file. The file must be owned by {@code owner} (the user the server runs
     * as) and give group and others no access at all: a token readable by another local user is that
     * user's admin access to the director. Checked before the content is read.
     *
     * @param owner user name the file must belong to
     * @throws IOException if it cannot be read
     * @throws UnsafeTokenFileException naming the file, its mode, its owner and the fix, if it is shared
     *     or owned by someone else
     * @throws IllegalArgumentException naming the line (never the token) that is malformed, a
     *     repeated name or token, or a file with no token at all
     */
    public static TokenFile load(Path path, String owner) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(owner, "owner");
        requirePrivate(path, owner);
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        return parse(lines, path.toString());
    }

    /** The name of the user this process runs as. */
    public static String processUser() {
        return System.getProperty("user.name");
    }

    static TokenFile parse(List<String> lines, String source) {
        List<Entry> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            String[] parts = line.split("\\s+");
            if (parts.length != 3) {
                throw new IllegalArgumentException(where + ": expected 'ROLE NAME TOKEN'");
            }
            Role role = switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "admin" -> Role.ADMIN;
                case "read" -> Role.READ;
                case "notify" -> Role.NOTIFY;
                default -> throw new IllegalArgumentException(where + ": role must be admin, read or notify");
            };
            if (!NAME.matcher(parts[1]).matches()) {
                throw new IllegalArgumentException(where + ": name must be 1-64 characters of [A-Za-z0-9._@-]");
            }
            if (!TOKEN.matcher(parts[2]).matches()) {
                throw new IllegalArgumentException(where + ": token must be 16-512 characters of [A-Za-z0-9._~+/=-]");
            }
            if (!names.add(parts[1])) {
                throw new IllegalArgumentException(where + ": name " + parts[1] + " is used twice");
            }
            byte[] digest = sha256(parts[2]);
            if (!digests.add(java.util.HexFormat.of().formatHex(digest))) {
                throw new IllegalArgumentException(where + ": this token is already given to another name");
            }
            out.add(new Entry(new Caller(parts[1], role), digest));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + ": no tokens (expected lines 'ROLE NAME TOKEN')");
        }
        return new TokenFile(out);
    }

    /** How many tokens there are. */
    public int size() {
        return entries.size();
    }

    /**
     * The caller holding {@code token}, or empty. Takes the same time whichever entry matches, or
     * none: every entry is compared.
     */
    public Optional<Caller> authenticate(String token) {
        if (token == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(token);
        Caller found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), digest) && found == null) {
                found = e.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Refuses a file with any group or other permission bit, or owned by another user than {@code owner}.
     * Owners are compared as the file system's user principals (by uid), so a numeric owner without a
     * passwd entry never matches a name by accident.
     */
    static void requirePrivate(Path path, String owner) throws IOException {
        PosixFileAttributes attrs;
        try {
            // Through a symbolic link: the mode and owner of what is read are what matter.
            attrs = Files.readAttributes(path, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (never on the Linux the director runs on): nothing to check.
            return;
        }
        Set<PosixFilePermission> shared = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : attrs.permissions()) {
            if (!p.name().startsWith("OWNER_")) {
                shared.add(p);
            }
        }
        UserPrincipal expected;
        try {
            expected = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner);
        } catch (UserPrincipalNotFoundException e) {
            throw new UnsafeTokenFileException("token file " + path + ": user " + owner
                    + " (the user the server runs as) does not exist");
        }
        boolean foreign = !attrs.owner().equals(expected);
        if (shared.isEmpty() && !foreign) {
            return;
        }
        String mode = mode(attrs.permissions());
        StringBuilder m = new StringBuilder("token file ").append(path).append(" has mode ").append(mode)
                .append(" and owner ").append(attrs.owner().getName()).append(": ");
        List<String> why = new ArrayList<>();
        List<String> fix = new ArrayList<>();
        if (!shared.isEmpty()) {
            why.add("group/other permission bits are set (other users could read the API tokens)");
        }
        if (foreign) {
            why.add("it must be owned by " + owner + ", the user the server runs as");
            fix.add("chown " + owner + " " + path);
        }
        if (!shared.isEmpty()) {
            fix.add("chmod 600 " + path);
        }
        m.append(String.join("; ", why)).append(". Fix: ").append(String.join(" && ", fix));
        throw new UnsafeTokenFileException(m.toString(), foreign);
    }

    private static String mode(Set<PosixFilePermission> perms) {
        int bits = 0;
        for (PosixFilePermission p : perms) {
            // OWNER_READ is ordinal 0 ... OTHERS_EXECUTE ordinal 8: bit 8 - ordinal.
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", bits);
    }
}
