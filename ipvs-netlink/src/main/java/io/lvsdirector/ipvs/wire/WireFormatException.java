package io.lvsdirector.ipvs.wire;

/**
 * A netlink message that does not parse: truncated, a length that points outside its message, an
 * attribute of the wrong size, a required attribute missing. Says where, never an
 * {@link ArrayIndexOutOfBoundsException}.
 */
public class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
