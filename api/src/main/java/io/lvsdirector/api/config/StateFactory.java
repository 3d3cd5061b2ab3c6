package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;

/**
 * {@code state:} where the desired services live.
 *
 * <pre>
 * state:
 *   store: file                              # file | kubernetes
 *   file: /var/lib/lvs-director/state.json   # store: file only
 *   createIfMissing: false
 *   ownedFile: /var/lib/lvs-director/owned.json  # default: owned.json beside the state file
 * </pre>
 */
public class StateFactory {

    /** Where the desired state is kept. */
    public enum Store {
        /** A local JSON file, written atomically; the embedded default. */
        file,
        /** The {@code LvsService} custom resources of the cluster (k8s-sync); the REST API is read-only then. */
        kubernetes
    }

    /** Which store holds the desired state. Default {@code file}. */
    @NotNull
    @JsonProperty
    private Store store = Store.file;

    /**
     * The state file ({@code store: file}). Its directory must be on one file system with it (the
     * atomic rename needs that) and writable by the director. Default
     * {@code /var/lib/lvs-director/state.json}.
     */
    @NotNull
    @JsonProperty
    private Path file = Path.of("/var/lib/lvs-director/state.json");

    /**
     * Whether a missing state file is created empty. Off by default: on a director that has run
     * before, a missing file means something removed it, and starting empty would show an empty
     * desired state. Turn it on for the first start (the embedded default config does).
     */
    @JsonProperty
    private boolean createIfMissing = false;

    /**
     * The file listing the kernel services this director owns (created, or adopted on request), so a
     * service removed while the director was stopped is removed at the next start and a service it
     * never made is never deleted. Kept in both store modes: ownership is about this host's kernel,
     * so each director has its own. Default: {@code owned.json} in the state file's directory.
     */
    @JsonProperty
    private Path ownedFile;

    public Store getStore() {
        return store;
    }

    public void setStore(Store store) {
        this.store = store;
    }

    public Path getFile() {
        return file;
    }

    public void setFile(Path file) {
        this.file = file;
    }

    /** The owned-services file: {@link #ownedFile} if set, else {@code owned.json} beside {@link #file}. */
    public Path getOwnedFile() {
        return ownedFile != null ? ownedFile : file.toAbsolutePath().resolveSibling("owned.json");
    }

    public void setOwnedFile(Path ownedFile) {
        this.ownedFile = ownedFile;
    }

    public boolean isCreateIfMissing() {
        return createIfMissing;
    }

    public void setCreateIfMissing(boolean createIfMissing) {
        this.createIfMissing = createIfMissing;
    }

    @ValidationMethod(message = "state.file must name a file, not a directory")
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isFileNotADirectory() {
        return file == null || !java.nio.file.Files.isDirectory(file);
    }

    @ValidationMethod(message = "state.ownedFile must name a file, not a directory, and not the state file")
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isOwnedFileUsable() {
        if (file == null) {
            return true;
        }
        Path owned = getOwnedFile();
        return !java.nio.file.Files.isDirectory(owned) && !owned.toAbsolutePath().equals(file.toAbsolutePath());
    }
}
