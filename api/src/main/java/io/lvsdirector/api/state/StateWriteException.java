package io.lvsdirector.api.state;

import java.io.IOException;

/** A change that could not be made durable; the state in memory and on disk is as before. */
public final class StateWriteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StateWriteException(String message, IOException cause) {
        super(message, cause);
    }
}
