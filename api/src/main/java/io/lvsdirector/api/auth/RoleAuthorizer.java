package io.lvsdirector.api.auth;

import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * {@code @RolesAllowed("admin")} needs an admin token; {@code "read"} a read or admin token;
 * {@code "notify"} a notify or admin token (see {@link Role#allows}). Stateless.
 */
public final class RoleAuthorizer implements Authorizer<Caller> {

    @Override
    public boolean authorize(Caller caller, String role, ContainerRequestContext request) {
        return caller.role().allows(role);
    }
}
