package io.lvsdirector.api.errors;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * The body of every error answer: {@code {"code": 422, "message": "...", "field": "vip"}}.
 *
 * @param code the HTTP status
 * @param message what is wrong, in words an operator can act on; never a token or a stack trace
 * @param field the offending field's path ({@code realServers.static[1].address}), or {@code null}
 * @param errors every problem when there are several (validation), else absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(int code, String message, String field, List<FieldProblem> errors) {

    /** One of several problems. */
    public record FieldProblem(String field, String message) {
        public FieldProblem {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }

    public ApiError {
        Objects.requireNonNull(message, "message");
        errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
    }

    public static ApiError of(int code, String message, String field) {
        return new ApiError(code, message, field, null);
    }
}
