package io.lvsdirector.k8s;

/**
 * A write to the cluster that did not happen: the object is gone, the API server refused it (the
 * message keeps its HTTP code and reason) or could not be reached. Nothing was changed.
 */
public final class ClusterWriteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
