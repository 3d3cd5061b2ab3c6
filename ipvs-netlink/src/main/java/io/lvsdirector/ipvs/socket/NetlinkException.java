package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.Errno;

import java.io.IOException;
import java.util.Optional;

/**
 * A netlink failure that keeps the errno: either a system call on the socket failed, or the kernel
 * answered a request with an {@code NLMSG_ERROR} carrying a negative errno.
 *
 * <p>Callers decide by {@link #errno()} (compare with {@link Errno} constants), never by the message
 * text. When the kernel sent extended-ack attributes ({@code NETLINK_EXT_ACK}), {@link #extAck()} holds
 * its human-readable reason, e.g. "Unknown family" or the name of a missing attribute.
 *
 * <p>{@link #operation()} names what was being done ("send", "recv", "resolve family IPVS",
 * "IPVS_CMD_NEW_SERVICE" ...), so a log line says what failed without a stack trace.
 */
public class NetlinkException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String extAck;

    /**
     * @param errno      positive errno (a negative kernel value is accepted and negated)
     * @param operation  what was being done, for the message
     * @param extAck     the kernel's extended-ack text, or {@code null}
     */
    public NetlinkException(int errno, String operation, String extAck) {
        this(errno, operation, extAck, null);
    }

    public NetlinkException(int errno, String operation, String extAck, Throwable cause) {
        super(format(Math.abs(errno), operation, extAck), cause);
        this.errno = Math.abs(errno);
        this.operation = operation;
        this.extAck = extAck == null || extAck.isEmpty() ? null : extAck;
    }

    private static String format(int errno, String operation, String extAck) {
        StringBuilder b = new StringBuilder();
        b.append(operation).append(": ").append(Errno.name(errno)).append(" (").append(errno).append(')');
        if (extAck != null && !extAck.isEmpty()) {
            b.append(": ").append(extAck);
        }
        return b.toString();
    }

    /** The positive errno, e.g. {@link Errno#EEXIST}. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EEXIST"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What was being done when it failed. */
    public String operation() {
        return operation;
    }

    /** The kernel's extended-ack text, if it sent one. */
    public Optional<String> extAck() {
        return Optional.ofNullable(extAck);
    }

    /**
     * True when the kernel did not answer within the connection's timeout ({@code SO_RCVTIMEO} expired;
     * reported as {@code ETIMEDOUT} rather than the socket's {@code EAGAIN}).
     */
    public boolean isTimeout() {
        return errno == Errno.ETIMEDOUT;
    }
}
