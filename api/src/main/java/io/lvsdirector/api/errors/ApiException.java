package io.lvsdirector.api.errors;

/** A request the API refuses, with the status and the field to blame. Mapped by {@link ApiExceptionMapper}. */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;

    public ApiException(int status, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String message, String field) {
        return new ApiException(400, message, field);
    }

    public static ApiException notFound(String message, String field) {
        return new ApiException(404, message, field);
    }

    /** 409: the request clashes with what exists (another service, a kernel service not the director's). */
    public static ApiException conflict(String message, String field) {
        return new ApiException(409, message, field);
    }

    /**
     * 422: well-formed, but a value this director cannot apply (a scheduler its kernel lacks); the
     * same status as a field the spec refuses.
     */
    public static ApiException unprocessable(String message, String field) {
        return new ApiException(422, message, field);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }

    public ApiError body() {
        return ApiError.of(status, getMessage(), field);
    }
}
