package io.lvsdirector.api.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.api.auth.Role;
import io.lvsdirector.api.errors.ApiException;
import io.lvsdirector.api.runtime.LogFields;
import io.lvsdirector.api.state.StateWriteException;
import io.lvsdirector.core.ha.DaemonView;
import io.lvsdirector.core.ha.HaController;
import io.lvsdirector.core.ha.HaStatus;
import io.lvsdirector.core.ha.InstanceState;
import io.lvsdirector.core.ha.VrrpState;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.SyncDaemon;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/ha}: the VRRP states keepalived reports and the connection sync daemons that follow
 * them. keepalived's notify hook ({@code lvs-director-notify}) calls {@code PUT
 * /v1/ha/instances/NAME} with a {@code notify} token; the state is saved before the answer, and the
 * reconcile loop switches the daemons on its next pass (the answer does not wait for it: {@code GET}
 * shows {@code inStep}). The kernel's daemons shown are those the loop's thread last read
 * ({@code syncDaemons.kernelReadAt}, {@code kernelAgeSeconds}): a request never reads the kernel.
 */
@Path("/v1/ha")
@Produces(MediaType.APPLICATION_JSON)
public final class HaResource {

    private static final Logger CHANGES = LoggerFactory.getLogger("io.lvsdirector.changes");
    private static final Set<String> FIELDS = Set.of("state", "priority", "at");

    private final Supplier<Optional<DaemonView>> daemons;
    private final HaController ha;
    private final int maxBodyBytes;
    private final Clock clock;

    /**
     * @param daemons the sync daemons as the loop's thread last read them, shown with HA off (with HA
     *     on, the controller publishes its own reading); a request never reads the kernel
     * @param ha the controller, or {@code null} with HA off (reports are refused with 409)
     */
    public HaResource(Supplier<Optional<DaemonView>> daemons, HaController ha, int maxBodyBytes, Clock clock) {
        this.daemons = Objects.requireNonNull(daemons, "daemons");
        this.ha = ha;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @GET
    @RolesAllowed({Role.READ_NAME, Role.NOTIFY_NAME})
    public ObjectNode get() {
        if (ha == null) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("enabled", false);
            DaemonView v = daemons.get().orElse(null);
            ObjectNode d = o.putObject("syncDaemons");
            if (v == null || v.daemons() == null) {
                d.putNull("kernel");
            } else {
                kernelDaemons(d.putArray("kernel"), v.daemons());
            }
            StatusViews.putReadAt(d, v == null ? null : v.readAt(), clock);
            return o;
        }
        return view(ha.status(), ha.daemonView(), clock);
    }

    @PUT
    @Path("instances/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.NOTIFY_NAME)
    public Response report(@PathParam("name") String name, InputStream body, @Context SecurityContext security) {
        if (ha == null) {
            return disabled();
        }
        if (!HaController.INSTANCE_NAME.matcher(name).matches()) {
            throw ApiException.badRequest("instance name must be 1-64 characters of [A-Za-z0-9_.-]", "name");
        }
        JsonNode json = JsonBodies.read(body, maxBodyBytes);
        if (!json.isObject()) {
            throw ApiException.badRequest("the body must be an object {\"state\": ..., \"priority\": ...}", null);
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.badRequest("unknown field (state, priority and at are known)", f);
            }
        }
        JsonNode s = json.get("state");
        if (s == null || !s.isTextual()) {
            throw ApiException.badRequest("state is required: MASTER, BACKUP, FAULT or STOP", "state");
        }
        VrrpState state;
        try {
            state = VrrpState.parse(s.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage(), "state");
        }
        Integer priority = null;
        JsonNode p = json.get("priority");
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || !p.canConvertToInt() || p.intValue() < 0 || p.intValue() > 255) {
                throw ApiException.badRequest("priority must be an integer 0..255", "priority");
            }
            priority = p.intValue();
        }
        Instant at = null;
        JsonNode a = json.get("at");
        if (a != null && !a.isNull()) {
            if (!a.isIntegralNumber() || !a.canConvertToLong() || a.longValue() <= 0) {
                throw ApiException.badRequest("at must be a positive integer: milliseconds since the epoch", "at");
            }
            at = Instant.ofEpochMilli(a.longValue());
        }
        HaController.Report r;
        try {
            r = ha.report(name, state, priority, at);
        } catch (IOException e) {
            throw new StateWriteException("saving the VRRP state failed: " + e.getMessage(), e);
        }
        if (r.changed() && (r.before() == null || r.before().state() != state)) {
            String from = r.before() == null ? "none" : r.before().state().toString();
            String by = security.getUserPrincipal() == null ? "-" : security.getUserPrincipal().getName();
            try (LogFields f = LogFields.of("event", "vrrp_transition", "vrrp_instance", name, "state_from", from,
                    "state_to", state, "priority", priority, "by", by)) {
                CHANGES.info("event=vrrp_transition instance={} state={}->{} priority={} by={}", name, from, state,
                        priority == null ? "-" : priority, by);
            }
        }
        return Response.ok(view(ha.status(), ha.daemonView(), clock)).build();
    }

    /** The HA view with the age of the daemons' reading. */
    static ObjectNode view(HaStatus st, DaemonView read, Clock clock) {
        ObjectNode o = view(st);
        StatusViews.putReadAt((ObjectNode) o.get("syncDaemons"), read == null ? null : read.readAt(), clock);
        return o;
    }

    /** The HA view (see the OpenAPI document's {@code HaView}). */
    static ObjectNode view(HaStatus st) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("enabled", true);
        o.put("role", st.master() ? "master" : "backup");
        ArrayNode list = o.putArray("instances");
        for (Map.Entry<String, InstanceState> e : st.instances().entrySet()) {
            ObjectNode i = list.addObject();
            i.put("name", e.getKey());
            i.put("state", e.getValue().state().name());
            if (e.getValue().priority() == null) {
                i.putNull("priority");
            } else {
                i.put("priority", e.getValue().priority());
            }
            i.put("since", e.getValue().since().toString());
        }
        o.put("syncInterface", st.settings().syncInterface());
        o.put("syncId", st.settings().syncId());
        ObjectNode d = o.putObject("syncDaemons");
        ArrayNode wanted = d.putArray("wanted");
        st.wanted().forEach(w -> wanted.add(lower(w.state())));
        if (st.kernel() == null) {
            d.putNull("kernel");
        } else {
            kernelDaemons(d.putArray("kernel"), st.kernel());
        }
        o.put("inStep", st.inStep());
        if (st.lastError() == null) {
            o.putNull("lastError");
        } else {
            o.put("lastError", st.lastError());
        }
        return o;
    }

    private static void kernelDaemons(ArrayNode arr, List<SyncDaemon> kernel) {
        kernel.stream().sorted(java.util.Comparator.comparing(SyncDaemon::state).reversed()).forEach(k -> {
            ObjectNode n = arr.addObject();
            n.put("state", lower(k.state()));
            n.put("interface", k.interfaceName());
            n.put("syncId", k.syncId());
            n.put("maxLen", k.maxLen());
            if (k.multicastGroup() != null) {
                n.put("mcastGroup", IpAddresses.toText(k.multicastGroup()));
            }
            n.put("mcastPort", k.port());
            n.put("mcastTtl", k.ttl());
        });
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** 409 with {@code "error": "ha_disabled"} beside the usual code and message. */
    private static Response disabled() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("code", 409);
        o.put("error", "ha_disabled");
        o.put("message", "HA is off on this director (ha.enabled: false): VRRP reports are not taken");
        return Response.status(409).type(MediaType.APPLICATION_JSON_TYPE).entity(o).build();
    }
}
