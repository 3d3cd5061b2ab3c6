package io.lvsdirector.api.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lvsdirector.api.state.ConflictException;
import io.lvsdirector.api.state.ReadOnlyStateException;
import io.lvsdirector.api.state.StateWriteException;
import io.lvsdirector.spec.SpecValidationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every exception into a JSON {@link ApiError} with the right status, so bad input is never
 * a 500 and no error body is HTML or a stack trace. Registered instead of Dropwizard's default
 * mappers.
 *
 * <ul>
 *   <li>{@link ApiException}: its own status (400, 404, 413, ...)
 *   <li>{@link SpecValidationException}: 422 with the first field and the full list
 *   <li>{@link ConflictException}: 409; {@link ReadOnlyStateException}: 409
 *   <li>{@link JsonProcessingException}: 400 (the body is not the JSON it claims to be)
 *   <li>{@link WebApplicationException}: its status (404 for an unknown path, 405, 406, 415, 401, 403)
 *   <li>{@link StateWriteException}: 503 (the disk refused; nothing changed, try again)
 *   <li>anything else: 500 with a generic message, logged with its stack trace
 * </ul>
 */
@Provider
public final class ApiExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        ApiError body = body(e);
        return Response.status(body.code()).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    static ApiError body(Throwable e) {
        if (e instanceof ApiException a) {
            return a.body();
        }
        if (e instanceof SpecValidationException v) {
            List<ApiError.FieldProblem> all = v.errors().stream()
                    .map(f -> new ApiError.FieldProblem(f.field(), f.reason())).toList();
            String field = v.field().isEmpty() ? null : v.field();
            return new ApiError(422, v.reason(), field, all.size() > 1 ? all : null);
        }
        if (e instanceof ConflictException c) {
            return ApiError.of(409, c.getMessage(), null);
        }
        if (e instanceof ReadOnlyStateException r) {
            return ApiError.of(409, r.getMessage(), null);
        }
        if (e instanceof JsonProcessingException j) {
            return JsonErrors.badJson(j);
        }
        if (e instanceof StateWriteException w) {
            return ApiError.of(503, "the change could not be made durable and was not applied: " + w.getMessage(),
                    null);
        }
        if (e instanceof WebApplicationException w) {
            Throwable cause = w.getCause();
            // Jersey wraps a body it could not read; report what was wrong with it, not a 500.
            if (cause instanceof JsonProcessingException || cause instanceof ApiException) {
                return body(cause);
            }
            int status = w.getResponse().getStatus();
            String message = switch (status) {
                case 401 -> "a bearer token is required";
                case 403 -> "this token may not do that";
                case 404 -> "no such resource";
                case 405 -> "method not allowed on this resource";
                case 406 -> "this resource answers application/json";
                case 413 -> "the request body is too large";
                case 415 -> "the body must be application/json";
                default -> w.getMessage() == null ? "request refused" : w.getMessage();
            };
            if (status >= 500) {
                LOG.error("event=request_failed status={}", status, w);
            }
            return ApiError.of(status, message, null);
        }
        LOG.error("event=request_failed error=\"{}\"", e.toString(), e);
        return ApiError.of(500, "internal error; see the director's log", null);
    }
}
