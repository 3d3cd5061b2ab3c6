package io.lvsdirector.api.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * exceptions or logs: a bad line is reported by its number.
 *
 * <p>Immutable and thread-safe.
 */
public final class TokenFile {

    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private record Entry(Caller caller, byte[] digest) {}

    private final List<Entry> entries;

    private TokenFile(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads and checks a token file.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException naming the line (never the token) that is malformed, a
     *     repeated name or token, or a file with no token at all
     */
    public static TokenFile load(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        warnIfShared(path);
        return parse(lines, path.toString());
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

    private static void warnIfShared(Path path) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                LOG.warn("event=token_file_shared file={} hint=\"chmod 600: other users can read the API tokens\"",
                        path);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
    }
}
