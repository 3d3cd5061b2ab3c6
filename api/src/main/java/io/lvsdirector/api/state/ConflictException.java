package io.lvsdirector.api.state;

/** A write that would give two services one kernel identity (protocol, VIP, port). */
public final class ConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String other;

    public ConflictException(String message, String other) {
        super(message);
        this.other = other;
    }

    /** The name of the service already holding the identity. */
    public String other() {
        return other;
    }
}
