package io.lvsdirector.api.resources;

import io.lvsdirector.api.errors.ApiError;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Refuses a request whose declared {@code Content-Length} exceeds the limit with 413, before
 * authentication and before anything reads the body. Bodies without a length are limited while
 * they are read ({@link JsonBodies}).
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class BodySizeLimitFilter implements ContainerRequestFilter {

    private final int limit;

    public BodySizeLimitFilter(int limit) {
        this.limit = limit;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        int length = request.getLength();
        if (length > limit) {
            request.abortWith(Response.status(413).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ApiError.of(413, "the request body is larger than " + limit + " bytes (api.maxBodyBytes)",
                            null))
                    .build());
        }
    }
}
