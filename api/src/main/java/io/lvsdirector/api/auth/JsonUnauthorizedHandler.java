package io.lvsdirector.api.auth;

import io.dropwizard.auth.UnauthorizedHandler;
import io.lvsdirector.api.errors.ApiError;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** A 401 in the API's error shape, with the RFC 6750 challenge. */
public final class JsonUnauthorizedHandler implements UnauthorizedHandler {

    @Override
    public Response buildResponse(String prefix, String realm) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ApiError.of(401, "a valid bearer token is required (Authorization: Bearer TOKEN)", null))
                .build();
    }
}
