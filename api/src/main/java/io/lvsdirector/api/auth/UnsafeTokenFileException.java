package io.lvsdirector.api.auth;

/**
 * The token file is readable by others or owned by another user than the server's: the server and
 * {@code check} refuse it. The message names the file, its mode, its owner and the chmod/chown that
 * fixes it; it never holds file content.
 */
public final class UnsafeTokenFileException extends IllegalStateException {

    private final boolean foreignOwner;

    UnsafeTokenFileException(String message) {
        this(message, false);
    }

    UnsafeTokenFileException(String message, boolean foreignOwner) {
        super(message);
        this.foreignOwner = foreignOwner;
    }

    /** Whether the owner is the problem (so a {@code check} run as another user may be misleading). */
    public boolean foreignOwner() {
        return foreignOwner;
    }
}
