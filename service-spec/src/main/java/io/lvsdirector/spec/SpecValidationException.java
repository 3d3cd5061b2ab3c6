package io.lvsdirector.spec;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A service spec in JSON that cannot become a {@code ServiceSpec}: every problem found, each with
 * the field's path (for example {@code realServers.static[1].address}) and the reason. The api module
 * turns the first into its {@code {code, message, field}} error body.
 */
public final class SpecValidationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * One problem.
     *
     * @param field dotted path of the field, {@code ""} for the document itself
     * @param reason what is wrong, in words an operator can act on
     */
    public record FieldError(String field, String reason) {
        public FieldError {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return field.isEmpty() ? reason : field + ": " + reason;
        }
    }

    private final transient List<FieldError> errors;

    public SpecValidationException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every problem, in document order. */
    public List<FieldError> errors() {
        return errors;
    }

    /** The first problem's field path. */
    public String field() {
        return errors.get(0).field();
    }

    /** The first problem's reason. */
    public String reason() {
        return errors.get(0).reason();
    }
}
