package io.lvsdirector.api.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code GET /ui/}: the status page, three static files from the jar ({@code src/main/resources/ui}). They
 * are served without a token (no role annotation, so the auth filter is not bound): they hold no state;
 * the page asks for a read token and sends it as an {@code Authorization} header to {@code /v1/services}
 * and {@code /v1/ha}, which need it as usual.
 *
 * <p>The Content-Security-Policy allows only this origin's script, style and fetches, no inline script or
 * style, no frames, no form submission: text from the API (a probe's reason) can never run as code, and
 * nothing is loaded from elsewhere.
 */
@Path("/ui")
public final class UiResource {

    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> files = new HashMap<>();

    public UiResource() {
        for (String name : TYPES.keySet()) {
            try (InputStream in = UiResource.class.getResourceAsStream("/ui/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("ui/" + name + " is missing from the classpath");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code /ui} → {@code /ui/}, so that the page's relative links resolve under /ui/. */
    @GET
    public Response index(@Context UriInfo uri) {
        if (!uri.getPath().endsWith("/")) {
            return Response.status(308).location(URI.create(uri.getBaseUri().getRawPath() + "ui/")).build();
        }
        return file("index.html");
    }

    @GET
    @Path("{file}")
    public Response file(@PathParam("file") String file) {
        byte[] body = files.get(file);
        if (body == null) {
            return Response.status(404).type("application/json")
                    .entity("{\"code\": 404, \"message\": \"no such file\"}").build();
        }
        return Response.ok(body.clone(), TYPES.get(file))
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("Cross-Origin-Opener-Policy", "same-origin")
                .header("Cache-Control", "no-cache")
                .build();
    }
}
