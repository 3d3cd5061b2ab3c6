package io.lvsdirector.ipvs;

import java.util.Objects;
import java.util.Optional;

/**
 * The kernel (or the socket under it) refused an IPVS operation. Carries the errno, the operation
 * and the kernel's extended-ack text.
 *
 * <p>Unchecked on purpose: every method of {@link Ipvs} can fail this way, and the director
 * handles it in one place (the reconcile pass), deciding by {@link #errno()} whether a failure is
 * benign ({@code EEXIST} on an add, {@code ENOENT}/{@code ESRCH} on a delete). A checked
 * exception would only be rethrown by every caller in between. Never decide by message text.
 */
public class IpvsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String kernelMessage;
    private final transient IpvsOp op;

    /**
     * @param errno positive errno
     * @param operation what was attempted, in ipvsadm words ({@code -a -t 10.0.0.1:80 -r ...})
     * @param kernelMessage the kernel's extended-ack text ({@code NLMSGERR_ATTR_MSG}), {@code ""} if none
     * @param op the batch op that failed, {@code null} for a call that is not an {@link IpvsOp}
     */
    public IpvsException(int errno, String operation, String kernelMessage, IpvsOp op) {
        super(message(errno, operation, kernelMessage));
        this.errno = errno;
        this.operation = Objects.requireNonNull(operation, "operation");
        this.kernelMessage = kernelMessage == null ? "" : kernelMessage;
        this.op = op;
    }

    /** An exception for a call that is not a batch op. */
    public IpvsException(int errno, String operation, String kernelMessage) {
        this(errno, operation, kernelMessage, (IpvsOp) null);
    }

    /** An exception with a cause, e.g. a socket failure with its errno. */
    public IpvsException(int errno, String operation, String kernelMessage, Throwable cause) {
        this(errno, operation, kernelMessage, (IpvsOp) null);
        initCause(cause);
    }

    /** The positive errno, e.g. {@link Errno#EEXIST}. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EEXIST"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What was attempted, in ipvsadm words. */
    public String operation() {
        return operation;
    }

    /** The kernel's extended-ack text; {@code ""} when the kernel gave none (IPVS rarely does). */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** The batch op that failed, if this came from one. */
    public Optional<IpvsOp> op() {
        return Optional.ofNullable(op);
    }

    private static String message(int errno, String operation, String kernelMessage) {
        String m = "ipvs " + operation + ": " + Errno.name(errno) + " (" + errno + ")";
        return kernelMessage == null || kernelMessage.isEmpty() ? m : m + ": " + kernelMessage;
    }
}
