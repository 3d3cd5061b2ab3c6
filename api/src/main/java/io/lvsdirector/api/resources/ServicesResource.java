package io.lvsdirector.api.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.api.auth.Caller;
import io.lvsdirector.api.auth.Role;
import io.lvsdirector.api.ecmp.EcmpSchedulerRule;
import io.lvsdirector.api.errors.ApiException;
import io.lvsdirector.api.runtime.Director;
import io.lvsdirector.api.runtime.LogFields;
import io.lvsdirector.core.kernel.SchedulerCatalog;
import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.KernelView;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.VirtualServerKey;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/services}: the desired services, their status, and drains by hand.
 *
 * <p>A write is checked whole (every field, then one VIP:port:protocol per service), made durable
 * by the store, and only then does the reconcile loop hear of it: a refused request changes
 * nothing, and an accepted one is on disk before the kernel sees it. The answer does not wait for
 * the kernel; {@code GET} shows when the loop has caught up ({@code status.reconciled}).
 *
 * <p>Besides the spec's own checks, a PUT is checked against the running kernel as the loop last
 * saw it, without reading the kernel itself (the loop is its only reader): a scheduler the
 * kernel's scheduler catalog found missing is a 422 on {@code scheduler} (one not probed yet is
 * accepted); a protocol:VIP:port the kernel already has and the director does not own (kube-proxy's,
 * a hand-made ipvsadm one) is a 409 naming what is there, unless the body says
 * {@code "adopt": true}. A DELETE removes the service from the desired state only: the loop deletes
 * the kernel service only if the director owns it, so a service that was never the director's
 * stays in the kernel.
 */
@Path("/v1/services")
@Produces(MediaType.APPLICATION_JSON)
public final class ServicesResource {

    private static final Logger LOG = LoggerFactory.getLogger(ServicesResource.class);
    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");

    private final Director director;
    private final int maxBodyBytes;

    public ServicesResource(Director director, int maxBodyBytes) {
        this.director = Objects.requireNonNull(director, "director");
        this.maxBodyBytes = maxBodyBytes;
    }

    @GET
    @RolesAllowed(Role.READ_NAME)
    public ObjectNode list() {
        DirectorStatus loop = director.loop().status();
        Optional<KernelView> kernel = readKernel();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("version", director.store().version());
        StatusViews.putReadAt(o, kernel.map(KernelView::readAt).orElse(null), director.clock());
        var arr = o.putArray("services");
        director.store().services().stream().sorted(java.util.Comparator.comparing(ServiceSpec::name))
                .forEach(s -> arr.add(StatusViews.service(s, director.mapper(), loop, kernel, director.clock())));
        return o;
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.READ_NAME)
    public ObjectNode get(@PathParam("name") String name) {
        ServiceSpec spec = existing(name);
        return StatusViews.service(spec, director.mapper(), director.loop().status(), readKernel(), director.clock());
    }

    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response put(@PathParam("name") String name, @QueryParam("dryRun") String dryRun, InputStream body,
            @Context SecurityContext security) {
        checkName(name);
        boolean dry = dryRun(dryRun);
        JsonNode json = JsonBodies.read(body, maxBodyBytes);
        // A new write passes every rule; what is stored is read more leniently (ServiceSpecJson).
        ServiceSpec spec = director.mapper().fromRequest(name, json);
        Optional<ServiceSpec> before = director.store().get(name);
        checkScheduler(spec);
        checkEcmp(spec);
        checkOwnership(spec, before);
        if (dry) {
            // Every check a write gets (ctl apply asks this of each service before writing any), nothing stored.
            if (!director.store().writable()) {
                throw new io.lvsdirector.api.state.ReadOnlyStateException("services are LvsService resources in"
                        + " Kubernetes on this director (state.store: kubernetes); change them with kubectl");
            }
            io.lvsdirector.api.state.FileServiceStore.checkIdentities(List.of(spec), director.store().services()
                    .stream().filter(s -> !s.name().equals(name)).toList());
            ObjectNode view = StatusViews.service(spec, director.mapper(), director.loop().status(), Optional.empty());
            return Response.status(before.isEmpty() ? 201 : 200).entity(view).build();
        }
        boolean created = director.store().put(spec);
        if (before.isEmpty() || !before.get().equals(spec)) {
            String event = created ? "service_created" : "service_replaced";
            try (LogFields f = LogFields.of("event", event, "service", name, "endpoint", spec.service().endpoint(),
                    "by", caller(security))) {
                LOG.info("event={} service={} endpoint=\"{}\" by={}", event, name, spec.service().endpoint(),
                        caller(security));
            }
        }
        director.loop().requestSync();
        ObjectNode view = StatusViews.service(spec, director.mapper(), director.loop().status(), Optional.empty());
        return Response.status(created ? 201 : 200).entity(view).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.ADMIN_NAME)
    public Response delete(@PathParam("name") String name, @Context SecurityContext security) {
        checkName(name);
        Optional<ServiceSpec> before = director.store().get(name);
        if (!director.store().delete(name)) {
            throw ApiException.notFound("no service named '" + name + "'", "name");
        }
        // The loop deletes only what the director owns: say so when the kernel entry will stay.
        boolean kept = before.isPresent()
                && director.loop().kernelView().map(v -> foreign(v, before.get().service().key()) != null)
                        .orElse(false)
                && !director.loop().owned().contains(before.get().service().key());
        try (LogFields f = LogFields.of("event", "service_deleted", "service", name, "by", caller(security),
                "kernel_entry", kept ? "left" : null, "reason", kept ? "not_owned" : null)) {
            LOG.info("event=service_deleted service={} by={}{}", name, caller(security),
                    kept ? " kernel_entry=left reason=not_owned" : "");
        }
        director.loop().requestSync();
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/real-servers/{address}/drain")
    @RolesAllowed(Role.ADMIN_NAME)
    public ObjectNode drain(@PathParam("name") String name, @PathParam("address") String address,
            @Context SecurityContext security) {
        ManualDrain drain = drainOf(name, address);
        boolean started = director.store().drain(drain);
        if (started) {
            try (LogFields f = LogFields.of("event", "drain_started", "service", name, "real_server",
                    IpAddresses.toText(drain.address()), "by", caller(security))) {
                LOG.info("event=drain_started service={} real_server={} by={}", name, IpAddresses.toText(drain.address()),
                        caller(security));
            }
        }
        director.loop().requestSync();
        return drainView(drain, true, started);
    }

    @DELETE
    @Path("{name}/real-servers/{address}/drain")
    @RolesAllowed(Role.ADMIN_NAME)
    public ObjectNode undrain(@PathParam("name") String name, @PathParam("address") String address,
            @Context SecurityContext security) {
        ManualDrain drain = drainOf(name, address);
        if (!director.store().undrain(drain)) {
            throw ApiException.notFound("real server " + IpAddresses.toText(drain.address())
                    + " of service '" + name + "' is not drained by hand", "address");
        }
        try (LogFields f = LogFields.of("event", "drain_ended", "service", name, "real_server",
                IpAddresses.toText(drain.address()), "by", caller(security))) {
            LOG.info("event=drain_ended service={} real_server={} by={}", name, IpAddresses.toText(drain.address()),
                    caller(security));
        }
        director.loop().requestSync();
        return drainView(drain, false, true);
    }

    /** {@code ?dryRun=true}: check only. Anything but true/false is a 400, never taken as false (a write). */
    private static boolean dryRun(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("dryRun must be true or false", "dryRun");
    }

    /**
     * 422 in the ecmp mode for a service on an announced range that is not {@code mh}: every director
     * must pick the same real server for a flow, or a flow the router moves to another director breaks.
     */
    private void checkEcmp(ServiceSpec spec) {
        new EcmpSchedulerRule(director.ecmpRanges()).problem(spec).ifPresent(p -> {
            throw ApiException.unprocessable(p, EcmpSchedulerRule.FIELD);
        });
    }

    /** 422 when the kernel's scheduler catalog found the scheduler missing; unknown passes. */
    private void checkScheduler(ServiceSpec spec) {
        String scheduler = spec.service().scheduler();
        SchedulerCatalog.View catalog = director.schedulers().view();
        if (catalog.availability(scheduler) != SchedulerCatalog.Availability.UNAVAILABLE) {
            return;
        }
        throw ApiException.unprocessable("the running kernel has no scheduler '" + scheduler + "' (no module ip_vs_"
                + scheduler + "; probed at " + catalog.entries().get(scheduler).probedAt() + "); it has: "
                + String.join(", ", catalog.available()), "scheduler");
    }

    /**
     * 409 when the kernel holds a service with this protocol:VIP:port that the director does not own
     * and the body does not say {@code adopt}. A replace of a service already stored under the same
     * name and key is not asked again: that PUT was accepted before.
     */
    private void checkOwnership(ServiceSpec spec, Optional<ServiceSpec> before) {
        if (spec.adopt()) {
            return;
        }
        VirtualServerKey key = spec.service().key();
        if (before.isPresent() && before.get().service().key().equals(key)) {
            return;
        }
        Optional<KernelView> view = director.loop().kernelView();
        // Before the loop's first read nothing is known and the PUT is accepted; a clash is then the
        // loop's to handle by its ownership rules.
        if (view.isEmpty()) {
            return;
        }
        String there = foreign(view.get(), key);
        if (there != null && !director.loop().owned().contains(key)) {
            throw ApiException.conflict(key + " already exists in the kernel and is not the director's (" + there
                    + "; read " + view.get().readAt() + "). Send \"adopt\": true to take it over, or choose"
                    + " another VIP, port or protocol", "vip");
        }
    }

    /** What the kernel view holds under this key, in words, or {@code null} if nothing. */
    private static String foreign(KernelView view, VirtualServerKey key) {
        IpvsSnapshot snap = view.snapshot();
        IpvsSnapshot.Entry e = snap.byKey().get(key);
        if (e != null) {
            int n = e.realServers().size();
            return "scheduler " + e.service().spec().scheduler() + ", " + n + " real server" + (n == 1 ? "" : "s");
        }
        for (IpvsSnapshot.Unreadable u : snap.unreadable()) {
            if (!u.isRealServer() && u.serviceKey().filter(key::equals).isPresent()) {
                return "settings the director cannot read: " + u.reason();
            }
        }
        return null;
    }

    private ManualDrain drainOf(String name, String address) {
        checkName(name);
        ServiceSpec spec = existing(name);
        InetAddress a;
        try {
            a = IpAddresses.parse(address);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("not an IP address literal: '" + address + "'", "address");
        }
        if (!isRealServerOf(spec, a)) {
            throw ApiException.notFound(IpAddresses.toText(a) + " is not a real server of service '" + name + "'",
                    "address");
        }
        return new ManualDrain(name, a);
    }

    /** A static list names its servers; a node selector's are the nodes it matched at the last pass. */
    private boolean isRealServerOf(ServiceSpec spec, InetAddress a) {
        if (spec.realServers() instanceof RealServerSource.StaticList list) {
            return list.servers().stream().anyMatch(s -> s.address().equals(a));
        }
        return director.loop().status().services().stream().filter(s -> s.name().equals(spec.name()))
                .flatMap(s -> s.realServers().stream()).anyMatch(d -> d.address().equals(a));
    }

    private static ObjectNode drainView(ManualDrain drain, boolean drained, boolean changed) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("service", drain.service());
        o.put("address", IpAddresses.toText(drain.address()));
        o.put("drained", drained);
        o.put("changed", changed);
        return o;
    }

    private ServiceSpec existing(String name) {
        checkName(name);
        return director.store().get(name)
                .orElseThrow(() -> ApiException.notFound("no service named '" + name + "'", "name"));
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("a service name is a lower-case DNS label of at most 63 characters"
                    + " ([a-z0-9], '-', '.' inside): '" + printable(name) + "'", "name");
        }
    }

    /** A name as it may be echoed in a message and a log: short, no control characters. */
    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder(t.length());
        t.codePoints().forEach(c -> b.append(Character.isISOControl(c) ? "?" : Character.toString(c)));
        return b.toString();
    }

    /** The kernel table as the loop last read it: a GET never reads the kernel itself. */
    private Optional<KernelView> readKernel() {
        return director.loop().kernelView();
    }

    private static String caller(SecurityContext security) {
        if (security != null && security.getUserPrincipal() instanceof Caller c) {
            return c.name() + "(" + c.role().name().toLowerCase(Locale.ROOT) + ")";
        }
        return "-";
    }
}
