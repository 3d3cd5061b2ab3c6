package io.lvsdirector.api.state;

/** A write to a store whose content is managed elsewhere (the Kubernetes custom resources). */
public final class ReadOnlyStateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReadOnlyStateException(String message) {
        super(message);
    }
}
