package io.lvsdirector.api.auth;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * With {@code auth.enabled: false}: every request acts as {@link Caller#ANONYMOUS_ADMIN}, so the
 * resources' {@code @RolesAllowed} still have a principal to check. For a lab or a director whose
 * app port is reachable from a trusted host only.
 */
@Priority(Priorities.AUTHENTICATION)
public final class NoAuthFilter implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext request) {
        boolean secure = request.getSecurityContext() != null && request.getSecurityContext().isSecure();
        request.setSecurityContext(new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return Caller.ANONYMOUS_ADMIN;
            }

            @Override
            public boolean isUserInRole(String role) {
                return Caller.ANONYMOUS_ADMIN.role().allows(role);
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return "none";
            }
        });
    }
}
