package io.lvsdirector.api.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.loop.OwnershipStore;
import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel services this director owns, in one local JSON file (by default
 * {@code /var/lib/lvs-director/owned.json}, beside the state file). Ownership is about this host's
 * kernel, so the file is per director whatever holds the desired state (file or Kubernetes).
 *
 * <pre>
 * {
 *   "format": 1,
 *   "owned": [{"protocol": "tcp", "vip": "198.18.0.100", "port": 80},
 *             {"family": "inet", "fwmark": 1280704512}]
 * }
 * </pre>
 *
 * <p>Fwmark entries are the director's internal probe-path services (checks {@code via: vip}); a build
 * older than them refuses a file holding one at start, naming it, rather than forgetting it.
 *
 * <p>Written like the state file ({@link FileServiceStore#writeAtomically}): temporary file, fsync,
 * rename, fsync of the directory, so a crash leaves the old set or the new one, never a torn file.
 *
 * <p>The file is read once, by {@link #open}, before the loop starts. A corrupt file stops the start
 * with a message naming it: guessing an empty set would forget services the director created (they
 * would stay in the kernel forever), guessing "everything" would let it delete services it never
 * made. A missing file is a first start (or an upgrade from a version without ownership): empty.
 *
 * <p>Thread-safe, though the loop is its only caller.
 */
public final class FileOwnershipStore implements OwnershipStore {

    /** The layout version this class writes and reads. */
    public static final int FORMAT = 1;

    private static final Logger LOG = LoggerFactory.getLogger(FileOwnershipStore.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    /** What the file holds: as loaded, then as last saved; null while no file exists. */
    private Set<VirtualServerKey> current;

    private FileOwnershipStore(Path file, Set<VirtualServerKey> current) {
        this.file = file;
        this.current = current;
    }

    /**
     * Reads the owned file.
     *
     * @throws StateFileException when the file exists but cannot be read, is not JSON, has an unknown
     *     format or an entry that is not a service; the message names the file and the problem
     */
    public static FileOwnershipStore open(Path file) throws StateFileException {
        Objects.requireNonNull(file, "file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            LOG.info("event=ownership_file_missing file={} meaning=\"no service owned yet\"", file);
            return new FileOwnershipStore(file, null);
        } catch (IOException e) {
            throw new StateFileException(file, "cannot read the owned-services file: " + e, e);
        }
        Set<VirtualServerKey> owned = parse(file, bytes);
        LOG.info("event=ownership_loaded file={} owned={}", file, owned.size());
        return new FileOwnershipStore(file, owned);
    }

    private static Set<VirtualServerKey> parse(Path file, byte[] bytes) throws StateFileException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString();
            throw new StateFileException(file, "not valid JSON (the owned-services file is corrupt; restore it from"
                    + " a backup or fix it by hand; do not delete it unless the director owns no kernel service): "
                    + why, e);
        }
        if (root == null || !root.isObject()) {
            throw new StateFileException(file, "not an owned-services document: expected a JSON object with"
                    + " format and owned");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isIntegralNumber() || format.asInt() != FORMAT) {
            throw new StateFileException(file, "unknown owned-services format " + format + " (this version reads "
                    + FORMAT + ")");
        }
        JsonNode list = root.get("owned");
        if (list == null || !list.isArray()) {
            throw new StateFileException(file, "owned must be an array of {protocol, vip, port}");
        }
        Set<VirtualServerKey> owned = new TreeSet<>();
        for (JsonNode e : list) {
            owned.add(key(file, e));
        }
        return owned;
    }

    private static VirtualServerKey key(Path file, JsonNode e) throws StateFileException {
        JsonNode fwmark = e.get("fwmark");
        if (e.isObject() && fwmark != null) {
            JsonNode family = e.get("family");
            if (!fwmark.isIntegralNumber() || family == null || !family.isTextual()
                    || fwmark.asLong() < 1 || fwmark.asLong() > 0xffffffffL) {
                throw new StateFileException(file, "an owned fwmark service must be {family, fwmark}: " + e);
            }
            try {
                return VirtualServerKey.fwmark(AddressFamily.valueOf(family.asText().toUpperCase(Locale.ROOT)),
                        (int) fwmark.asLong());
            } catch (IllegalArgumentException ex) {
                throw new StateFileException(file, "an owned service is not valid (" + ex.getMessage() + "): " + e, ex);
            }
        }
        JsonNode protocol = e.get("protocol");
        JsonNode vip = e.get("vip");
        JsonNode port = e.get("port");
        if (!e.isObject() || protocol == null || !protocol.isTextual() || vip == null || !vip.isTextual()
                || port == null || !port.isIntegralNumber()) {
            throw new StateFileException(file, "an owned service must be {protocol, vip, port}: " + e);
        }
        try {
            return VirtualServerKey.of(Protocol.valueOf(protocol.asText().toUpperCase(Locale.ROOT)),
                    IpAddresses.parse(vip.asText()), port.asInt());
        } catch (IllegalArgumentException ex) {
            throw new StateFileException(file, "an owned service is not valid (" + ex.getMessage() + "): " + e, ex);
        }
    }

    /** The owned-services file. */
    public Path file() {
        return file;
    }

    @Override
    public synchronized Optional<Set<VirtualServerKey>> load() {
        return Optional.ofNullable(current);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On failure the file keeps the set it had (the rename never happened) and so does
     * {@link #load}.
     */
    @Override
    public synchronized void save(Set<VirtualServerKey> owned) {
        Set<VirtualServerKey> next = new TreeSet<>(owned);
        if (next.equals(current)) {
            return;
        }
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("owned");
        for (VirtualServerKey k : next) {
            ObjectNode o = list.addObject();
            if (k.isFwmark()) {
                o.put("family", k.family().name().toLowerCase(Locale.ROOT));
                o.put("fwmark", Integer.toUnsignedLong(k.fwmark()));
                continue;
            }
            o.put("protocol", k.protocol().name().toLowerCase(Locale.ROOT));
            o.put("vip", IpAddresses.toText(k.address()));
            o.put("port", k.port());
        }
        try {
            FileServiceStore.writeAtomically(file, MAPPER.writeValueAsBytes(root));
        } catch (IOException e) {
            LOG.error("event=ownership_write_failed file={} owned={} error=\"{}\"", file, next.size(), e.toString());
            throw new UncheckedIOException("cannot write the owned-services file " + file + ": "
                    + FileServiceStore.cause(e), e);
        }
        current = Set.copyOf(next);
    }
}
