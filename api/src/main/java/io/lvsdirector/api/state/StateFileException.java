package io.lvsdirector.api.state;

import java.nio.file.Path;

/**
 * The state file cannot be loaded: missing, unreadable, not JSON, or with an invalid service. The
 * director refuses to start rather than start with an empty desired state, which would be read as
 * "no services" by anyone looking at the API (the kernel itself is never touched: the loop does not
 * start).
 */
public final class StateFileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path path;

    public StateFileException(Path path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.path = path;
    }

    public StateFileException(Path path, String message) {
        this(path, message, null);
    }

    public Path path() {
        return path;
    }
}
