package io.lvsdirector.core.status;

import java.time.Instant;
import java.util.Objects;

/**
 * Why the kernel refused a change of one service: the op, the errno and when it started failing.
 * Only that service is marked; every other service is reconciled as usual.
 *
 * @param op the refused op as ipvsadm would spell it ({@code -a -t 198.18.0.100:80 -r ...})
 * @param errno the errno's name ({@code ENOENT}), or {@code "-"} when the director refused the op itself
 * @param message a sentence for a person
 * @param since when the first of the failures in a row happened
 * @param failures how many passes in a row failed for this service
 */
public record ApplyError(String op, String errno, String message, Instant since, int failures) {

    public ApplyError {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(errno, "errno");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(since, "since");
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1: " + failures);
        }
    }
}
