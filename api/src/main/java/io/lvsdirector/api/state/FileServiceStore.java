package io.lvsdirector.api.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.SourceListener;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.spec.ServiceSpecJson;
import io.lvsdirector.spec.SpecValidationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desired state in one local JSON file: the embedded default store of a director without
 * Kubernetes.
 *
 * <pre>
 * {
 *   "format": 1,
 *   "version": 7,                                  // +1 per write
 *   "services": {"web": { ...ServiceSpecJson... }},
 *   "drains": [{"service": "web", "address": "198.18.0.21"}]
 * }
 * </pre>
 *
 * <p>A write goes to a temporary file in the same directory, which is fsynced, renamed over the
 * state file, and then the directory is fsynced so the rename itself survives a power cut. A
 * reader (this process after a restart, or an operator's {@code cat}) therefore sees the old file
 * or the new one, never a torn one. Only after the rename is the new state visible in memory and
 * announced to the listeners, so a failed write changes nothing.
 *
 * <p>Loading never guesses: a missing file is an error unless the caller asked to create it, and
 * a file that is not JSON, has an unknown format or an invalid service is an error naming the
 * problem. The store is loaded before anything touches the kernel, so a bad file stops the start
 * and leaves the kernel table as it is.
 *
 * <p>Drains made by hand are kept in the same file: a director restarted under load must find the
 * same weights it left, or the restart itself would change the kernel.
 *
 * <p>Thread-safe: reads are lock-free from an immutable snapshot; writes are serialised.
 */
public final class FileServiceStore implements DesiredStateStore {

    /** The layout version this class writes and reads. */
    public static final int FORMAT = 1;

    private static final Logger LOG = LoggerFactory.getLogger(FileServiceStore.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One immutable state; {@code services} sorted by name. */
    private record State(long version, Map<String, ServiceSpec> services, Set<ManualDrain> drains) {
        State {
            services = java.util.Collections.unmodifiableMap(new TreeMap<>(services));
            drains = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(drains));
        }
    }

    private final Path file;
    private final ServiceSpecJson mapper;
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();
    private volatile State state;

    private FileServiceStore(Path file, ServiceSpecJson mapper, State state) {
        this.file = file;
        this.mapper = mapper;
        this.state = state;
    }

    /**
     * Loads the state file.
     *
     * @param file the state file
     * @param mapper the service JSON mapping
     * @param createIfMissing whether a missing file is created empty (version 1) instead of being an error
     * @throws StateFileException when the file is missing (and not to be created), unreadable, not
     *     JSON, of an unknown format, or holds an invalid service or two services with one kernel
     *     identity; the message names the file and the problem
     */
    public static FileServiceStore load(Path file, ServiceSpecJson mapper, boolean createIfMissing)
            throws StateFileException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mapper, "mapper");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (!createIfMissing) {
                throw new StateFileException(file, "state file does not exist (set state.createIfMissing: true to"
                        + " start with an empty one)");
            }
            FileServiceStore store = new FileServiceStore(file, mapper, new State(1, Map.of(), Set.of()));
            try {
                store.write(store.state);
            } catch (IOException io) {
                throw new StateFileException(file, "cannot create the state file: " + io, io);
            }
            LOG.info("event=state_created file={}", file);
            return store;
        } catch (IOException e) {
            throw new StateFileException(file, "cannot read the state file: " + e, e);
        }
        State state = parse(file, bytes, mapper);
        LOG.info("event=state_loaded file={} version={} services={} drains={}", file, state.version(),
                state.services().size(), state.drains().size());
        return new FileServiceStore(file, mapper, state);
    }

    private static State parse(Path file, byte[] bytes, ServiceSpecJson mapper) throws StateFileException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString();
            throw new StateFileException(file, "not valid JSON (the file is corrupt; restore it from a backup or"
                    + " fix it by hand): " + why, e);
        }
        if (root == null || !root.isObject()) {
            throw new StateFileException(file, "not a state document: expected a JSON object with format,"
                    + " version and services");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isIntegralNumber() || format.asInt() != FORMAT) {
            throw new StateFileException(file, "unknown state format " + format + " (this version reads " + FORMAT
                    + ")");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber() || version.asLong() < 1) {
            throw new StateFileException(file, "version must be a whole number of at least 1: " + version);
        }
        JsonNode services = root.get("services");
        if (services == null || !services.isObject()) {
            throw new StateFileException(file, "services must be an object of name: spec");
        }
        Map<String, ServiceSpec> specs = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = services.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            try {
                specs.put(e.getKey(), mapper.fromJson(e.getKey(), e.getValue()));
            } catch (SpecValidationException ex) {
                throw new StateFileException(file, "service '" + e.getKey() + "' is invalid: " + ex.getMessage(), ex);
            }
        }
        try {
            checkIdentities(specs.values(), null);
        } catch (ConflictException e) {
            throw new StateFileException(file, e.getMessage(), e);
        }
        Set<ManualDrain> drains = new LinkedHashSet<>();
        JsonNode drainList = root.get("drains");
        if (drainList != null && !drainList.isNull()) {
            if (!drainList.isArray()) {
                throw new StateFileException(file, "drains must be an array of {service, address}");
            }
            for (JsonNode d : drainList) {
                JsonNode svc = d.get("service");
                JsonNode addr = d.get("address");
                if (!d.isObject() || addr == null || !addr.isTextual() || (svc != null && !svc.isNull()
                        && !svc.isTextual())) {
                    throw new StateFileException(file, "a drain must be {service, address}: " + d);
                }
                try {
                    drains.add(new ManualDrain(svc == null || svc.isNull() ? null : svc.asText(),
                            IpAddresses.parse(addr.asText())));
                } catch (IllegalArgumentException ex) {
                    throw new StateFileException(file, "a drain's address is not an IP address: " + addr, ex);
                }
            }
        }
        return new State(version.asLong(), specs, drains);
    }

    /** The state file. */
    public Path file() {
        return file;
    }

    @Override
    public Collection<ServiceSpec> services() {
        return List.copyOf(state.services().values());
    }

    @Override
    public Optional<ServiceSpec> get(String name) {
        return Optional.ofNullable(state.services().get(name));
    }

    @Override
    public long version() {
        return state.version();
    }

    @Override
    public boolean hasSynced() {
        // Loaded in the factory, or the factory threw.
        return true;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public Collection<ManualDrain> drains() {
        return List.copyOf(state.drains());
    }

    @Override
    public void addListener(SourceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public boolean put(ServiceSpec spec) {
        Objects.requireNonNull(spec, "spec");
        synchronized (writeLock) {
            State s = state;
            checkIdentities(List.of(spec), s.services().values().stream()
                    .filter(o -> !o.name().equals(spec.name())).toList());
            ServiceSpec before = s.services().get(spec.name());
            if (spec.equals(before)) {
                return false;
            }
            Map<String, ServiceSpec> next = new TreeMap<>(s.services());
            next.put(spec.name(), spec);
            commit(new State(s.version() + 1, next, s.drains()));
            return before == null;
        }
    }

    @Override
    public boolean delete(String name) {
        synchronized (writeLock) {
            State s = state;
            if (!s.services().containsKey(name)) {
                return false;
            }
            Map<String, ServiceSpec> next = new TreeMap<>(s.services());
            next.remove(name);
            Set<ManualDrain> drains = new LinkedHashSet<>(s.drains());
            drains.removeIf(d -> name.equals(d.service()));
            commit(new State(s.version() + 1, next, drains));
            return true;
        }
    }

    @Override
    public boolean drain(ManualDrain drain) {
        Objects.requireNonNull(drain, "drain");
        synchronized (writeLock) {
            State s = state;
            if (s.drains().contains(drain)) {
                return false;
            }
            Set<ManualDrain> drains = new LinkedHashSet<>(s.drains());
            drains.add(drain);
            commit(new State(s.version() + 1, s.services(), drains));
            return true;
        }
    }

    @Override
    public boolean undrain(ManualDrain drain) {
        Objects.requireNonNull(drain, "drain");
        synchronized (writeLock) {
            State s = state;
            if (!s.drains().contains(drain)) {
                return false;
            }
            Set<ManualDrain> drains = new LinkedHashSet<>(s.drains());
            drains.remove(drain);
            commit(new State(s.version() + 1, s.services(), drains));
            return true;
        }
    }

    /** Durable first, visible second: a failed write leaves memory as it was. */
    private void commit(State next) {
        try {
            write(next);
        } catch (IOException e) {
            LOG.error("event=state_write_failed file={} version={} error=\"{}\"", file, next.version(), e.toString());
            throw new StateWriteException("cannot write the state file " + file + ": " + cause(e), e);
        }
        state = next;
        for (SourceListener l : listeners) {
            try {
                l.changed();
            } catch (RuntimeException e) {
                LOG.warn("event=listener_failed error=\"{}\"", e.toString(), e);
            }
        }
    }

    private void write(State s) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", s.version());
        ObjectNode services = root.putObject("services");
        s.services().forEach((name, spec) -> services.set(name, mapper.toStoredJson(spec)));
        ArrayNode drains = root.putArray("drains");
        List<ManualDrain> sorted = new ArrayList<>(s.drains());
        sorted.sort(Comparator.comparing((ManualDrain d) -> d.service() == null ? "" : d.service())
                .thenComparing(d -> IpAddresses.toText(d.address())));
        for (ManualDrain d : sorted) {
            ObjectNode o = drains.addObject();
            if (d.service() == null) {
                o.putNull("service");
            } else {
                o.put("service", d.service());
            }
            o.put("address", IpAddresses.toText(d.address()));
        }
        byte[] bytes = MAPPER.writeValueAsBytes(root);
        writeAtomically(file, bytes);
    }

    /**
     * Deletes the temporary files a writer killed mid-write left beside {@code target}
     * ({@code .NAME.*.tmp}, as {@link #writeAtomically} names them). Only for the one process that
     * writes the file, before it writes: another writer's temporary file would go too.
     *
     * @return how many were deleted
     */
    public static int removeLeftoverTemporaryFiles(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> tmps = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path tmp : tmps) {
                Files.deleteIfExists(tmp);
                removed++;
            }
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            // Harmless to leave: loading ignores them. Say so and go on.
            LOG.warn("event=state_tmp_cleanup_failed file={} error=\"{}\"", target, e.toString());
        }
        if (removed > 0) {
            LOG.info("event=state_tmp_removed file={} count={} cause=\"a writer was killed mid-write\"", target, removed);
        }
        return removed;
    }

    /**
     * The cause of a failed write in an operator's words ("No space left on device"), without the
     * Java class name an API answer should not carry.
     */
    static String cause(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * Replaces {@code target} with {@code bytes} so that a crash at any point leaves either the old
     * or the new content: temp file in the same directory (a rename is only atomic within one file
     * system), fsync of its data, rename, fsync of the directory entry.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the state directory does not support an atomic rename: " + dir, e);
            }
            moved = true;
            // Without this the rename may be lost on power failure even though the data was synced.
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Checks that no two of {@code incoming} ∪ {@code existing} share a kernel identity.
     *
     * @throws ConflictException naming both services
     */
    public static void checkIdentities(Collection<ServiceSpec> incoming, Collection<ServiceSpec> existing) {
        Map<VirtualServerKey, String> seen = new TreeMap<>();
        if (existing != null) {
            for (ServiceSpec s : existing) {
                seen.put(s.service().key(), s.name());
            }
        }
        List<ServiceSpec> ordered = new ArrayList<>(incoming);
        ordered.sort(Comparator.comparing(ServiceSpec::name));
        for (ServiceSpec s : ordered) {
            VirtualServerKey key = s.service().key();
            String other = seen.putIfAbsent(key, s.name());
            if (other != null && !other.equals(s.name())) {
                throw new ConflictException("service '" + s.name() + "' has the same protocol, VIP and port ("
                        + s.service().endpoint() + ") as service '" + other + "'", other);
            }
        }
    }
}
