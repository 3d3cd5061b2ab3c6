package io.lvsdirector.api.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.api.auth.Role;
import io.lvsdirector.api.errors.ApiException;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.api.runtime.Planning;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.spec.SpecValidationException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /v1/plan}: what the director would do to the kernel if its desired services were
 * exactly the body's. A dry run: nothing is stored, nothing is applied, the kernel is not read. It
 * plans with the loop's own planning step against the table the loop's last pass left (its age is in
 * the answer), with health as the probes last saw it and the loop's drain deadlines.
 *
 * <p>Body: {@code {"services": {"web": {spec}, ...}}}. Answer: {@code {"operations": [{"op",
 * "service", "ipvsadm"}], "problems": [...], "foreign": [names the kernel has under someone else's
 * service], "kernelReadAt", "kernelAgeSeconds"}}.
 */
@Path("/v1/plan")
@Produces(MediaType.APPLICATION_JSON)
public final class PlanResource {

    private final Director director;
    private final int maxBodyBytes;

    public PlanResource(Director director, int maxBodyBytes) {
        this.director = Objects.requireNonNull(director, "director");
        this.maxBodyBytes = maxBodyBytes;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.READ_NAME)
    public ObjectNode plan(InputStream body) {
        JsonNode json = JsonBodies.read(body, maxBodyBytes);
        List<ServiceSpec> specs = parse(json);
        Planning.Result result = Planning.dryRun(director, specs);
        ObjectNode o = view(result);
        StatusViews.putReadAt(o, result.kernelReadAt(), director.clock());
        return o;
    }

    static ObjectNode view(Planning.Result result) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode ops = o.putArray("operations");
        for (Planning.Operation op : result.operations()) {
            ObjectNode e = ops.addObject();
            e.put("op", op.kind());
            e.put("service", op.service());
            e.put("ipvsadm", op.ipvsadm());
        }
        ArrayNode problems = o.putArray("problems");
        result.problems().forEach(problems::add);
        ArrayNode foreign = o.putArray("foreign");
        result.foreign().forEach(foreign::add);
        return o;
    }

    private List<ServiceSpec> parse(JsonNode json) {
        if (!json.isObject() || !json.has("services")) {
            throw ApiException.badRequest("the body must be {\"services\": {\"NAME\": {spec}, ...}}", "services");
        }
        Iterator<String> fields = json.fieldNames();
        while (fields.hasNext()) {
            String f = fields.next();
            if (!f.equals("services")) {
                throw new ApiException(422, "unknown field (known: services)", f);
            }
        }
        JsonNode services = json.get("services");
        if (!services.isObject()) {
            throw new ApiException(422, "services must be an object of NAME: spec", "services");
        }
        List<ServiceSpec> specs = new ArrayList<>();
        List<SpecValidationException.FieldError> errors = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = services.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            try {
                specs.add(director.mapper().fromJson(e.getKey(), e.getValue()));
            } catch (SpecValidationException ex) {
                for (SpecValidationException.FieldError fe : ex.errors()) {
                    String field = fe.field().equals("name") ? "services." + e.getKey()
                            : "services." + e.getKey() + (fe.field().isEmpty() ? "" : "." + fe.field());
                    errors.add(new SpecValidationException.FieldError(field, fe.reason()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new SpecValidationException(errors);
        }
        Planning.checkIdentities(specs);
        return specs;
    }
}
