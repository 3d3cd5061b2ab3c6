package io.lvsdirector.k8s;

import java.time.Instant;
import java.util.Objects;

/**
 * What one director reports for one {@code LvsService}: its entry in {@code status.directors[]}.
 * Each director of a pair writes only its own entry (keyed by {@code name}); the top-level
 * {@code Applied} condition is computed from all entries (see {@link LvsStatus#applied}).
 *
 * @param name the director's name ({@link DirectorNames}), the list key
 * @param observedGeneration the {@code metadata.generation} of the spec this director serves: the
 *     current one, or the last valid one while the current one is invalid
 * @param applied whether that spec is in this director's kernel table with no apply error
 * @param reason one CamelCase word: {@code Applied}, {@code ApplyFailed}, {@code NotInKernel},
 *     {@code InvalidSpec}
 * @param message a sentence for a person; empty when there is nothing to add
 * @param lastUpdate when the director wrote this entry (it writes only when the entry changes)
 */
public record DirectorReport(
        String name,
        long observedGeneration,
        boolean applied,
        String reason,
        String message,
        Instant lastUpdate) {

    public static final String APPLIED = "Applied";
    public static final String APPLY_FAILED = "ApplyFailed";
    public static final String NOT_IN_KERNEL = "NotInKernel";
    public static final String INVALID_SPEC = "InvalidSpec";

    public DirectorReport {
        DirectorNames.check(name);
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(lastUpdate, "lastUpdate");
        message = message == null ? "" : message;
        if (observedGeneration < 0) {
            throw new IllegalArgumentException("observedGeneration must not be negative: " + observedGeneration);
        }
    }

    /** Whether two reports say the same, whenever they were written. */
    public boolean sameAs(DirectorReport other) {
        return other != null && name.equals(other.name) && observedGeneration == other.observedGeneration
                && applied == other.applied && reason.equals(other.reason) && message.equals(other.message);
    }
}
