package io.lvsdirector.api;

import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.lvsdirector.api.auth.Caller;
import io.lvsdirector.api.auth.JsonUnauthorizedHandler;
import io.lvsdirector.api.auth.NoAuthFilter;
import io.lvsdirector.api.auth.RoleAuthorizer;
import io.lvsdirector.api.auth.TokenAuthenticator;
import io.lvsdirector.api.auth.TokenFile;
import io.lvsdirector.api.errors.ApiExceptionMapper;
import io.lvsdirector.api.resources.BodySizeLimitFilter;
import io.lvsdirector.api.resources.HaResource;
import io.lvsdirector.api.resources.OpenApiResource;
import io.lvsdirector.api.resources.PlanResource;
import io.lvsdirector.api.resources.ServicesResource;
import io.lvsdirector.api.resources.UiResource;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.core.ha.HaController;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;

/**
 * Everything the REST API registers with Jersey, in one list, so the application and the
 * {@code ResourceExtension} tests run the same API.
 */
public final class ApiRegistration {

    public static final String REALM = "lvs-director";

    private ApiRegistration() {
    }

    /** The API with HA off. */
    public static List<Object> components(Director director, TokenFile tokens, int maxBodyBytes) {
        return components(director, null, tokens, maxBodyBytes);
    }

    /**
     * @param ha the HA controller, or {@code null} with HA off
     * @param tokens the token file, or {@code null} to run without authentication
     */
    public static List<Object> components(Director director, HaController ha, TokenFile tokens, int maxBodyBytes) {
        List<Object> out = new ArrayList<>();
        out.add(new ApiExceptionMapper());
        out.add(new BodySizeLimitFilter(maxBodyBytes));
        if (tokens != null) {
            out.add(new AuthDynamicFeature(new OAuthCredentialAuthFilter.Builder<Caller>()
                    .setAuthenticator(new TokenAuthenticator(tokens))
                    .setAuthorizer(new RoleAuthorizer())
                    .setPrefix("Bearer")
                    .setRealm(REALM)
                    .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                    .buildAuthFilter()));
            out.add(new AuthValueFactoryProvider.Binder<>(Caller.class));
        } else {
            out.add(new NoAuthFilter());
        }
        out.add(RolesAllowedDynamicFeature.class);
        out.add(new ServicesResource(director, maxBodyBytes));
        out.add(new io.lvsdirector.api.resources.EcmpResource(director));
        out.add(new PlanResource(director, maxBodyBytes));
        out.add(new HaResource(director::daemons, ha, maxBodyBytes, director.clock()));
        out.add(new OpenApiResource());
        out.add(new UiResource());
        return out;
    }
}
