package io.lvsdirector.api.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.api.auth.Role;
import io.lvsdirector.api.ecmp.EcmpViews;
import io.lvsdirector.api.runtime.Director;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Objects;

/**
 * {@code GET /v1/ecmp}: each VIP's announcement and why, the announce interface's addresses and the BGP
 * sessions as BIRD reports them. {@code {"enabled": false}} with the mode off. Reads what the announcer
 * published; a request never runs {@code ip} or asks BIRD.
 */
@Path("/v1/ecmp")
@Produces(MediaType.APPLICATION_JSON)
public final class EcmpResource {

    private final Director director;

    public EcmpResource(Director director) {
        this.director = Objects.requireNonNull(director, "director");
    }

    @GET
    @RolesAllowed(Role.READ_NAME)
    public ObjectNode get() {
        return director.ecmp().map(a -> EcmpViews.view(a.status(), director.ecmpRanges()))
                .orElseGet(EcmpViews::disabled);
    }
}
