package io.lvsdirector.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.Quorum;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Protocol;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The one JSON shape of a virtual service, shared by the REST API body and the {@code LvsService}
 * custom resource's {@code spec}, and its mapping to and from director-core's {@link ServiceSpec}.
 *
 * <pre>
 * {
 *   "vip": "198.18.0.100", "port": 80, "protocol": "tcp",            // tcp | udp | sctp
 *   "scheduler": "wrr", "schedulerFlags": ["flag-1"], "persistenceSeconds": 0, "persistenceNetmask": 0,
 *   "forwarding": "dr",                                               // dr | tun | nat
 *   "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1}]}
 *               or {"kubernetes": {"nodeSelector": {"node-role.kubernetes.io/edge": "true"},
 *                                  "port": 80, "addressType": "InternalIP", "weight": 1}},
 *               or {"kubernetes": {"service": {"namespace": "ingress", "name": "traefik", "port": "https"},
 *                                  "weight": 1}},
 *   "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "host": null, "expectStatus": 200,
 *                   "drainStatus": 503, "intervalMs": 100, "timeoutMs": 100, "rise": 2, "fall": 3},
 *              // http | https | tcp; https also: "caFile": "/etc/lvs-director/ca.pem", "insecureSkipVerify": false
 *              // "via": "node" (the node's own address, default) | "vip" (VIP:port, delivered to the node as
 *              //  client traffic is: a node without the VIP on lo fails; forwarding dr only)
 *   "whenAllDown": "fail-open",      // | "empty" | "keep-last-healthy" | {"sorryServer": {"address": "...", "weight": 1}}
 *   "minHealthy": 1,                 // quorum: below it whenAllDown applies (1..65535)
 *   "minHealthyHysteresis": 0,       // once below, back at minHealthy + this many healthy (0..65535)
 *   "drainTimeoutSeconds": 300,
 *   "adopt": false,                  // true: take over a kernel service with this protocol:VIP:port
 *   "realServerLimits": {"upperConnections": 0, "lowerConnections": 0}   // ipvsadm -x / -y, every real server
 * }
 * </pre>
 *
 * <p>Everything the kernel would refuse is refused here, with the field to blame, so that an
 * accepted spec never fails at apply time for its values (see {@code ip_vs_ctl.c}):
 * <ul>
 *   <li>addresses: the VIP, every static real server and the sorry server must be unicast
 *       ({@link #unicastProblem}); real and sorry servers must be of the VIP's family and not the
 *       VIP itself. The kernel's {@code ip_vs_new_dest()} refuses 0.0.0.0, 255.255.255.255,
 *       multicast and IPv6 link-local with {@code EINVAL} (Linux 6.1, checked in the lab); loopback,
 *       the rest of 0.0.0.0/8 and the VIP it would take, though no forwarded packet could ever
 *       reach a real server there;</li>
 *   <li>the scheduler must be one a kernel can have ({@link #KERNEL_SCHEDULERS}); whether the
 *       <em>running</em> kernel has it is the API's check, which asks the director's scheduler
 *       catalog;</li>
 *   <li>scheduler flags only where a scheduler reads them: {@code flag-1}/{@code flag-2} (and their
 *       {@code sh-}/{@code mh-} names) with {@code sh} or {@code mh}, each named flag with its own
 *       scheduler; {@code flag-3} nowhere (no in-tree scheduler reads it); {@code ops} with UDP;</li>
 *   <li>persistence: at most {@link #MAX_PERSISTENCE_SECONDS} (ipvsadm's limit; the kernel keeps
 *       the timeout in jiffies in 32 bits, so a larger one wraps and reads back different), a
 *       netmask only with a timeout, at most /32 for IPv4 (0 means the whole address, which is
 *       sent as /128 for IPv6, whose netmask the kernel wants in 1..128);</li>
 *   <li>ports 1..65535, weights 1..65535 (the kernel takes 0..2^31-1; 0 is the drain weight and
 *       not a config value);</li>
 *   <li>connection thresholds ({@code realServerLimits}): 0..2^31-1 (ipvsadm's limit), the lower at
 *       most the upper, as the kernel refuses it otherwise with {@code ERANGE}, also when the upper
 *       is 0 (no limit).</li>
 * </ul>
 * Tunnel types have no field here, so the kernel's check of them ({@code EINVAL} for GUE without
 * a port) cannot be reached.
 *
 * <h2>New writes and stored specs</h2>
 * {@link #fromRequest} applies every rule above: it is what a new write (the API's PUT) must pass.
 * {@link #fromJson} reads what is already stored (the state file, {@code LvsService} resources,
 * dry runs) and leaves out the rules this version added on top of what a {@code ServiceSpec} needs
 * (real and sorry servers unicast and not the VIP, flags with their schedulers, the persistence
 * limits): a spec stored by an earlier version must not stop a director from starting, or drop a
 * live service, because a rule got stricter. Such a spec still works as before; if the kernel
 * refuses it, that service alone fails and says so. The VIP is checked the same way by both.
 *
 * <p>Fields director-core has no separate home for are checked, not dropped silently: a real
 * server's {@code port} must equal the service's (director-core gives every real server the virtual
 * port, which is also all direct routing can do), and {@code addressType} must equal the director's
 * configured {@link AddressType} (the node source orders addresses once for all services).
 *
 * <p>Validation collects every problem it can find before failing, each with its field path. The
 * name is not part of the body: it is the resource name or the URL's. Immutable and thread-safe.
 */
public final class ServiceSpecJson {

    /**
     * Top-level fields, in the order {@link #toJson} writes them. This and the lists below, with
     * {@link SpecFields}' own, are the field catalogue the CRD and OpenAPI tests check against.
     */
    public static final List<String> FIELDS = List.of("vip", "port", "protocol", "scheduler", "schedulerFlags",
            "persistenceSeconds", "persistenceNetmask", "forwarding", "realServers", "healthCheck", "whenAllDown",
            "minHealthy", "minHealthyHysteresis", "drainTimeoutSeconds", "adopt", "realServerLimits");
    public static final List<String> STATIC_FIELDS = List.of("address", "port", "weight");
    public static final List<String> KUBERNETES_FIELDS = List.of("nodeSelector", "service", "port", "addressType",
            "weight");
    /** {@code realServers.kubernetes.service}: the Service whose EndpointSlices give the nodes. */
    public static final List<String> SERVICE_FIELDS = List.of("namespace", "name", "port");
    public static final List<String> HEALTH_CHECK_FIELDS = List.of("type", "port", "path", "host", "expectStatus",
            "drainStatus", "caFile", "insecureSkipVerify", "intervalMs", "timeoutMs", "rise", "fall", "via");

    /** The schedulers of a stock kernel (net/netfilter/ipvs/ip_vs_*.c); anything else fails at -A. */
    public static final Set<String> KERNEL_SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
            "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    public static final String DEFAULT_SCHEDULER = "wrr";

    /** The schedulers that read {@code flag-1} and {@code flag-2} (as fallback and port). */
    public static final Set<String> FLAG_SCHEDULERS = Set.of("sh", "mh");

    /**
     * The longest persistence timeout, 31 days: ipvsadm's own limit. The kernel keeps
     * {@code timeout * HZ} in an unsigned 32-bit field, so with HZ 1000 anything above about 49
     * days wraps and reads back as another value.
     */
    public static final int MAX_PERSISTENCE_SECONDS = 86_400 * 31;

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final AddressType addressType;

    /** A mapper for a director whose node source prefers {@code addressType}. */
    public ServiceSpecJson(AddressType addressType) {
        this.addressType = Objects.requireNonNull(addressType, "addressType");
    }

    /** A mapper for the default InternalIP preference. */
    public ServiceSpecJson() {
        this(AddressType.INTERNAL_IP);
    }

    /**
     * Parses a JSON document into a spec.
     *
     * @throws SpecValidationException if the text is not JSON, or as {@link #fromJson(String, JsonNode)}
     */
    public ServiceSpec fromJson(String name, String json) {
        return fromJson(name, readTree(json));
    }

    /**
     * Parses a JSON document as a new write: every rule (see "New writes and stored specs").
     *
     * @throws SpecValidationException if the text is not JSON, or as {@link #fromRequest(String, JsonNode)}
     */
    public ServiceSpec fromRequest(String name, String json) {
        return fromRequest(name, readTree(json));
    }

    /**
     * Maps a spec object that is a new write (the API's PUT): every rule, the kernel's included.
     *
     * @throws SpecValidationException listing every field that is missing, unknown, of the wrong type,
     *     out of range, or that the kernel would refuse
     */
    public ServiceSpec fromRequest(String name, JsonNode spec) {
        return parse(name, spec, true);
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SpecValidationException(List.of(new SpecValidationException.FieldError("",
                    "not valid JSON: " + e.getOriginalMessage())));
        }
    }

    /**
     * Maps a stored spec object: the rules a {@code ServiceSpec} needs, without those this version
     * added for new writes (see "New writes and stored specs").
     *
     * @param name the service name (resource name, URL segment): a lower-case DNS label
     * @throws SpecValidationException listing every field that is missing, unknown, of the wrong type
     *     or out of range
     */
    public ServiceSpec fromJson(String name, JsonNode spec) {
        return parse(name, spec, false);
    }

    private ServiceSpec parse(String name, JsonNode spec, boolean strict) {
        Errors errors = new Errors(strict);
        if (name == null || !NAME.matcher(name).matches()) {
            errors.add("name", "must be a lower-case DNS label of at most 63 characters: '" + name + "'");
        }
        if (spec == null || !spec.isObject()) {
            errors.add("", "the spec must be a JSON object");
            throw errors.exception();
        }
        errors.unknownFields(spec, "", FIELDS);

        InetAddress vip = vip(spec.get("vip"), errors);
        int port = port(spec.get("port"), "port", true, errors);
        Protocol protocol = protocol(spec.get("protocol"), errors);
        String scheduler = text(spec.get("scheduler"), "scheduler", errors);
        if (scheduler == null) {
            scheduler = DEFAULT_SCHEDULER;
        } else if (!KERNEL_SCHEDULERS.contains(scheduler)) {
            errors.add("scheduler", "not a kernel scheduler (one of " + new TreeSet<>(KERNEL_SCHEDULERS) + "): '"
                    + scheduler + "'");
        }
        // With an unknown scheduler the flags cannot be judged; that scheduler is the error to report.
        Set<ServiceFlag> flags = flags(spec.get("schedulerFlags"),
                strict && KERNEL_SCHEDULERS.contains(scheduler) ? scheduler : null, errors);
        if (flags.contains(ServiceFlag.ONE_PACKET) && protocol != Protocol.UDP) {
            errors.add("schedulerFlags", "one-packet scheduling (ops) is for UDP services only");
        }
        Integer persistenceSeconds = integer(spec.get("persistenceSeconds"), "persistenceSeconds", 0,
                strict ? MAX_PERSISTENCE_SECONDS : Integer.MAX_VALUE, errors);
        int maxPrefix = vip instanceof Inet6Address ? 128 : 32;
        Integer netmask = integer(spec.get("persistenceNetmask"), "persistenceNetmask", 0, maxPrefix, errors);
        if (strict && netmask != null && netmask != 0 && (persistenceSeconds == null || persistenceSeconds == 0)) {
            errors.add("persistenceNetmask", "only means something with persistenceSeconds above 0");
        }
        Forwarding forwarding = forwarding(spec.get("forwarding"), errors);
        RealServerSource realServers = realServers(spec.get("realServers"), vip, port, errors);
        HealthCheck check = healthCheck(spec.get("healthCheck"), errors);
        if (check != null && check.via() == HealthCheck.Via.VIP && forwarding != null
                && forwarding != Forwarding.DIRECT_ROUTE) {
            errors.add("healthCheck.via", "vip is for direct routing (forwarding: dr) only: the probe is handed "
                    + "to the node unchanged, as a dr client packet is");
        }
        WhenAllDown whenAllDown = whenAllDown(spec.get("whenAllDown"), vip, errors);
        // A minHealthy above the candidate count is allowed: the service is then below quorum, and
        // status says so (a node selector's count changes with the cluster anyway).
        Integer minHealthy = integer(spec.get("minHealthy"), "minHealthy", 1, 65535, errors);
        Integer hysteresis = integer(spec.get("minHealthyHysteresis"), "minHealthyHysteresis", 0, 65535, errors);
        Integer drainSeconds = integer(spec.get("drainTimeoutSeconds"), "drainTimeoutSeconds", 0, 86_400 * 7, errors);
        boolean adopt = bool(spec.get("adopt"), "adopt", errors);
        RealServerLimits limits = realServerLimits(spec.get("realServerLimits"), errors);

        if (!errors.isEmpty()) {
            throw errors.exception();
        }
        Persistence persistence = persistenceSeconds == null || persistenceSeconds == 0
                ? Persistence.NONE
                : new Persistence(Duration.ofSeconds(persistenceSeconds), netmask == null ? 0 : netmask);
        try {
            VirtualService vs = new VirtualService(name, vip, port, protocol, scheduler, flags, persistence, forwarding);
            return new ServiceSpec(vs, realServers, check, whenAllDown,
                    drainSeconds == null ? null : Duration.ofSeconds(drainSeconds), adopt, limits,
                    new Quorum(minHealthy == null ? 1 : minHealthy, hysteresis == null ? 0 : hysteresis));
        } catch (IllegalArgumentException e) {
            // The checks above mirror director-core's; this is the net for a rule added there later.
            errors.add("", e.getMessage());
            throw errors.exception();
        }
    }

    /** The JSON of a spec, every field written (defaults included), so a reader sees what is in force. */
    public ObjectNode toJson(ServiceSpec spec) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        VirtualService vs = spec.service();
        ObjectNode o = f.objectNode();
        o.put("vip", IpAddresses.toText(vs.vip()));
        o.put("port", vs.port());
        o.put("protocol", vs.protocol().name().toLowerCase(Locale.ROOT));
        o.put("scheduler", vs.scheduler());
        ArrayNode flags = o.putArray("schedulerFlags");
        new TreeSet<>(vs.flags()).forEach(fl -> flags.add(flagName(fl)));
        o.put("persistenceSeconds", vs.persistence().timeout().toSeconds());
        o.put("persistenceNetmask", vs.persistence().netmaskPrefix());
        o.put("forwarding", forwardingName(vs.forwarding()));
        ObjectNode rs = o.putObject("realServers");
        if (spec.realServers() instanceof RealServerSource.StaticList list) {
            ArrayNode arr = rs.putArray("static");
            for (StaticRealServer s : list.servers()) {
                ObjectNode e = arr.addObject();
                e.put("address", IpAddresses.toText(s.address()));
                e.put("port", vs.port());
                e.put("weight", s.weight());
            }
        } else if (spec.realServers() instanceof RealServerSource.NodeSelector sel) {
            ObjectNode k = rs.putObject("kubernetes");
            ObjectNode labels = k.putObject("nodeSelector");
            new TreeMap<>(sel.labels()).forEach(labels::put);
            k.put("port", vs.port());
            k.put("addressType", addressType.kubernetesName());
            k.put("weight", sel.weight());
        } else if (spec.realServers() instanceof RealServerSource.ServiceEndpoints svc) {
            ObjectNode k = rs.putObject("kubernetes");
            ObjectNode ref = k.putObject("service");
            ref.put("namespace", svc.namespace());
            ref.put("name", svc.name());
            // A number stays a number, so that a spec read back equals the one written.
            if (svc.portNumber() > 0) {
                ref.put("port", svc.portNumber());
            } else {
                ref.put("port", svc.port());
            }
            k.put("port", vs.port());
            k.put("addressType", addressType.kubernetesName());
            k.put("weight", svc.weight());
        }
        HealthCheck c = spec.healthCheck();
        if (c != null) {
            ObjectNode h = o.putObject("healthCheck");
            c.match(http -> writeHttp(h.put("type", "http"), http), https -> {
                writeHttp(h.put("type", "https"), https.asHttp());
                if (https.caFile() != null) {
                    h.put("caFile", https.caFile());
                }
                return h.put("insecureSkipVerify", https.insecureSkipVerify());
            }, tcp -> h.put("type", "tcp").put("port", tcp.port()));
            h.put("intervalMs", c.interval().toMillis());
            h.put("timeoutMs", c.timeout().toMillis());
            h.put("rise", c.rise());
            h.put("fall", c.fall());
            h.put("via", c.via().json());
        }
        WhenAllDown w = spec.whenAllDown();
        if (w instanceof WhenAllDown.SorryServer sorry) {
            ObjectNode s = o.putObject("whenAllDown").putObject("sorryServer");
            s.put("address", IpAddresses.toText(sorry.address()));
            s.put("weight", sorry.weight());
        } else {
            o.put("whenAllDown", w.label());
        }
        o.put("minHealthy", spec.quorum().minHealthy());
        o.put("minHealthyHysteresis", spec.quorum().hysteresis());
        o.put("drainTimeoutSeconds", spec.drainTimeout().toSeconds());
        o.put("adopt", spec.adopt());
        ObjectNode limits = o.putObject("realServerLimits");
        limits.put("upperConnections", spec.realServerLimits().upperConnections());
        limits.put("lowerConnections", spec.realServerLimits().lowerConnections());
        return o;
    }

    /**
     * The JSON of a spec as a store keeps it: {@link #toJson} without the fields newer than the state
     * file's format whose value is the default ({@code adopt: false}, no {@code realServerLimits},
     * {@code minHealthy: 1}, {@code minHealthyHysteresis: 0}).
     * A director rolled back to a build that does not know them can then still load a file this one
     * wrote, as long as no service uses them; one that does fails that build's start with a clear
     * message naming the field, rather than being silently dropped.
     */
    public ObjectNode toStoredJson(ServiceSpec spec) {
        ObjectNode o = toJson(spec);
        if (!spec.adopt()) {
            o.remove("adopt");
        }
        if (spec.realServerLimits().upperConnections() == 0 && spec.realServerLimits().lowerConnections() == 0) {
            o.remove("realServerLimits");
        }
        if (spec.quorum().minHealthy() == Quorum.DEFAULT.minHealthy()) {
            o.remove("minHealthy");
        }
        if (spec.quorum().hysteresis() == Quorum.DEFAULT.hysteresis()) {
            o.remove("minHealthyHysteresis");
        }
        if (spec.healthCheck() != null && spec.healthCheck().via() == HealthCheck.Via.NODE) {
            ((ObjectNode) o.get("healthCheck")).remove("via");
        }
        return o;
    }

    // ---- fields --------------------------------------------------------------------------------

    private static InetAddress vip(JsonNode n, Errors errors) {
        if (n == null || n.isNull()) {
            errors.add("vip", "is required");
            return null;
        }
        InetAddress a = address(n, "vip", errors);
        if (a == null) {
            return null;
        }
        String why = unicastProblem(a);
        if (why != null) {
            errors.add("vip", "must be a unicast address, not " + why + ": " + n.asText());
            return null;
        }
        return a;
    }

    /**
     * Why an address cannot be a VIP, real server or sorry server, or {@code null} if it can.
     * Refused: unspecified (0.0.0.0/8, "this network", and ::), loopback (127.0.0.0/8, ::1),
     * multicast (224.0.0.0/4, ff00::/8), the limited broadcast 255.255.255.255, link-local
     * (169.254.0.0/16, fe80::/10) and deprecated IPv4-compatible IPv6 (::a.b.c.d).
     *
     * <p>Link-local is refused in both families: the kernel refuses an IPv6 link-local real server
     * ({@code ip_vs_new_dest}: EINVAL), a link-local address needs a zone this spec cannot name,
     * and RFC 3927 addresses are picked by each host at boot, so they do not belong in a
     * configuration two directors share. A subnet's directed broadcast address (198.18.0.255 of a
     * /24 on the director), which the kernel also refuses, depends on the director's interfaces and
     * is not checked here: the service would fail at apply time and say so in its status.
     */
    public static String unicastProblem(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            if (first == 0) {
                return "an unspecified (0.0.0.0/8) address";
            }
            if (first == 127) {
                return "a loopback address";
            }
            if (a.isMulticastAddress()) {
                return "a multicast address";
            }
            if ((b[0] & b[1] & b[2] & b[3] & 0xff) == 0xff) {
                return "the broadcast address";
            }
            if (a.isLinkLocalAddress()) {
                return "a link-local address";
            }
            return null;
        }
        if (a.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        if (a.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local address";
        }
        if (((Inet6Address) a).isIPv4CompatibleAddress()) {
            return "a deprecated IPv4-compatible IPv6 address";
        }
        return null;
    }

    /** A real or sorry server's address: unicast, of the VIP's family, not the VIP. */
    private static boolean checkServerAddress(InetAddress a, InetAddress vip, String field, Errors errors) {
        if (vip != null && a.getClass() != vip.getClass()) {
            errors.add(field, "must be of the VIP's address family (" + (vip instanceof Inet6Address ? "IPv6" : "IPv4")
                    + "): " + IpAddresses.toText(a));
            return false;
        }
        if (!errors.strict) {
            return true;
        }
        String why = unicastProblem(a);
        if (why != null) {
            errors.add(field, "must be a unicast address, not " + why + ": " + IpAddresses.toText(a));
            return false;
        }
        if (a.equals(vip)) {
            errors.add(field, "is the VIP itself: the director would send its clients back to itself");
            return false;
        }
        return true;
    }

    private static InetAddress address(JsonNode n, String field, Errors errors) {
        if (n == null || !n.isTextual()) {
            errors.add(field, "must be an IP address string");
            return null;
        }
        try {
            return IpAddresses.parse(n.asText());
        } catch (IllegalArgumentException e) {
            errors.add(field, "not an IP address literal: '" + n.asText() + "'");
            return null;
        }
    }

    private static int port(JsonNode n, String field, boolean required, Errors errors) {
        if (n == null || n.isNull()) {
            if (required) {
                errors.add(field, "is required");
            }
            return 0;
        }
        Integer p = integer(n, field, 1, 65535, errors);
        return p == null ? 0 : p;
    }

    private static Protocol protocol(JsonNode n, Errors errors) {
        String t = text(n, "protocol", errors);
        if (t == null) {
            return Protocol.TCP;
        }
        switch (t) {
            case "tcp":
                return Protocol.TCP;
            case "udp":
                return Protocol.UDP;
            case "sctp":
                return Protocol.SCTP;
            default:
                errors.add("protocol", "must be tcp, udp or sctp: '" + t + "'");
                return Protocol.TCP;
        }
    }

    private static Forwarding forwarding(JsonNode n, Errors errors) {
        String t = text(n, "forwarding", errors);
        if (t == null) {
            return Forwarding.DIRECT_ROUTE;
        }
        switch (t) {
            case "dr":
                return Forwarding.DIRECT_ROUTE;
            case "tun":
                return Forwarding.TUNNEL;
            case "nat":
                return Forwarding.MASQ;
            default:
                errors.add("forwarding", "must be dr, tun or nat: '" + t + "'");
                return Forwarding.DIRECT_ROUTE;
        }
    }

    private static String forwardingName(Forwarding f) {
        switch (f) {
            case TUNNEL:
                return "tun";
            case MASQ:
                return "nat";
            case DIRECT_ROUTE:
            default:
                return "dr";
        }
    }

    private static String flagName(ServiceFlag f) {
        switch (f) {
            case ONE_PACKET:
                return "ops";
            case SCHED_FLAG_1:
                return "flag-1";
            case SCHED_FLAG_2:
                return "flag-2";
            case SCHED_FLAG_3:
            default:
                return "flag-3";
        }
    }

    private static Set<ServiceFlag> flags(JsonNode n, String scheduler, Errors errors) {
        Set<ServiceFlag> out = EnumSet.noneOf(ServiceFlag.class);
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            errors.add("schedulerFlags", "must be an array of flag names (flag-1, flag-2, flag-3, ops, sh-port, ...)");
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String field = "schedulerFlags[" + i + "]";
            if (!e.isTextual()) {
                errors.add(field, "must be a string");
                continue;
            }
            try {
                ServiceFlag f = parseFlag(e.asText());
                String why = flagProblem(e.asText(), f, scheduler);
                if (why != null) {
                    errors.add(field, why);
                    continue;
                }
                out.add(f);
            } catch (IllegalArgumentException ex) {
                errors.add(field, "unknown flag '" + e.asText() + "' (flag-1, flag-2, flag-3, ops, sh-fallback, sh-port,"
                        + " mh-fallback, mh-port)");
            }
        }
        return out;
    }

    /**
     * An ipvsadm flag name ({@code ops}, {@code sh-fallback}, {@code flag-2}, ...) or an enum name,
     * case-insensitively: {@code sh-fallback} and {@code mh-fallback} are both the kernel's first
     * scheduler flag.
     *
     * @throws IllegalArgumentException when the name is unknown
     */
    public static ServiceFlag parseFlag(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "ops", "one-packet", "one_packet":
                return ServiceFlag.ONE_PACKET;
            case "flag-1", "sh-fallback", "mh-fallback", "sched_flag_1":
                return ServiceFlag.SCHED_FLAG_1;
            case "flag-2", "sh-port", "mh-port", "sched_flag_2":
                return ServiceFlag.SCHED_FLAG_2;
            case "flag-3", "sched_flag_3":
                return ServiceFlag.SCHED_FLAG_3;
            default:
                throw new IllegalArgumentException("unknown service flag: " + name);
        }
    }

    /**
     * Why a flag means nothing with this scheduler, or {@code null}. The kernel takes every flag with
     * every scheduler and ignores what the scheduler does not read, so a flag set by mistake would be
     * accepted and silently do nothing.
     */
    private static String flagProblem(String text, ServiceFlag f, String scheduler) {
        if (f == ServiceFlag.ONE_PACKET || scheduler == null) {
            return null;
        }
        if (f == ServiceFlag.SCHED_FLAG_3) {
            return "flag-3 is read by no scheduler of the kernel; it would do nothing";
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("sh-") && !scheduler.equals("sh")) {
            return "'" + text + "' is a flag of the sh scheduler, not of " + scheduler;
        }
        if (t.startsWith("mh-") && !scheduler.equals("mh")) {
            return "'" + text + "' is a flag of the mh scheduler, not of " + scheduler;
        }
        if (!FLAG_SCHEDULERS.contains(scheduler)) {
            return "'" + text + "' is read only by the sh and mh schedulers; " + scheduler + " would ignore it";
        }
        return null;
    }

    private RealServerSource realServers(JsonNode n, InetAddress vip, int port, Errors errors) {
        if (n == null || n.isNull()) {
            errors.add("realServers", "is required: {\"static\": [...]} or {\"kubernetes\": {...}}");
            return null;
        }
        if (!n.isObject()) {
            errors.add("realServers", "must be an object");
            return null;
        }
        errors.unknownFields(n, "realServers", SpecFields.REAL_SERVERS_FIELDS);
        boolean hasStatic = n.has("static");
        boolean hasK8s = n.has("kubernetes");
        if (hasStatic == hasK8s) {
            errors.add("realServers", "needs exactly one of static or kubernetes");
            return null;
        }
        if (hasStatic) {
            return staticList(n.get("static"), vip, port, errors);
        }
        return kubernetes(n.get("kubernetes"), port, errors);
    }

    private static RealServerSource staticList(JsonNode n, InetAddress vip, int port, Errors errors) {
        if (!n.isArray()) {
            errors.add("realServers.static", "must be an array of {address, port, weight}");
            return null;
        }
        List<StaticRealServer> out = new ArrayList<>();
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String at = "realServers.static[" + i + "]";
            JsonNode e = n.get(i);
            if (!e.isObject()) {
                errors.add(at, "must be an object {address, port, weight}");
                continue;
            }
            errors.unknownFields(e, at, STATIC_FIELDS);
            InetAddress a = address(e.get("address"), at + ".address", errors);
            samePort(e.get("port"), at + ".port", port, errors);
            Integer weight = integer(e.get("weight"), at + ".weight", 1, 65535, errors);
            if (a == null) {
                continue;
            }
            if (!checkServerAddress(a, vip, at + ".address", errors)) {
                continue;
            }
            if (!seen.add(a)) {
                errors.add(at + ".address", "repeats an earlier real server: " + IpAddresses.toText(a));
                continue;
            }
            out.add(new StaticRealServer(a, weight == null ? 1 : weight));
        }
        return new RealServerSource.StaticList(out);
    }

    private RealServerSource kubernetes(JsonNode n, int port, Errors errors) {
        String at = "realServers.kubernetes";
        if (!n.isObject()) {
            errors.add(at, "must be an object {nodeSelector, port, addressType}");
            return null;
        }
        errors.unknownFields(n, at, KUBERNETES_FIELDS);
        JsonNode svc = n.get("service");
        boolean hasService = svc != null && !svc.isNull();
        if (hasService && n.has("nodeSelector")) {
            errors.add(at, "needs at most one of nodeSelector or service (the nodes a selector picks, or those"
                    + " serving a Service)");
            return null;
        }
        Map<String, String> labels = new TreeMap<>();
        JsonNode sel = n.get("nodeSelector");
        if (sel != null && !sel.isNull()) {
            if (!sel.isObject()) {
                errors.add(at + ".nodeSelector", "must be an object of label: value");
            } else {
                Iterator<Map.Entry<String, JsonNode>> it = sel.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String field = at + ".nodeSelector." + e.getKey();
                    if (!e.getValue().isTextual()) {
                        errors.add(field, "label values are strings");
                    } else if (!LABEL_VALUE.matcher(e.getValue().asText()).matches()) {
                        errors.add(field, "not a label value: '" + e.getValue().asText() + "'");
                    } else {
                        labels.put(e.getKey(), e.getValue().asText());
                    }
                }
            }
        }
        samePort(n.get("port"), at + ".port", port, errors);
        String type = text(n.get("addressType"), at + ".addressType", errors);
        if (type != null) {
            try {
                AddressType t = AddressType.parse(type);
                if (t != addressType) {
                    errors.add(at + ".addressType", "this director prefers " + addressType.kubernetesName()
                            + " for every node (its k8s addressType setting); per-service address types are not"
                            + " supported");
                }
            } catch (IllegalArgumentException e) {
                errors.add(at + ".addressType", "must be InternalIP or ExternalIP: '" + type + "'");
            }
        }
        Integer weight = integer(n.get("weight"), at + ".weight", 1, 65535, errors);
        if (hasService) {
            return serviceRef(svc, at + ".service", weight == null ? 1 : weight, errors);
        }
        try {
            return new RealServerSource.NodeSelector(labels, weight == null ? 1 : weight);
        } catch (IllegalArgumentException e) {
            errors.add(at + ".nodeSelector", e.getMessage());
            return null;
        }
    }

    /**
     * {@code {"namespace", "name", "port"}}: the names as Kubernetes spells them (a namespace is a
     * DNS-1123 label, a Service name a DNS-1035 label), the port a Service port's name or number.
     */
    private static RealServerSource serviceRef(JsonNode n, String at, int weight, Errors errors) {
        if (!n.isObject()) {
            errors.add(at, "must be an object {namespace, name, port}");
            return null;
        }
        errors.unknownFields(n, at, SERVICE_FIELDS);
        String namespace = requiredText(n.get("namespace"), at + ".namespace", errors);
        if (namespace != null && !RealServerSource.ServiceEndpoints.NAMESPACE.matcher(namespace).matches()) {
            errors.add(at + ".namespace", "not a namespace name (a DNS-1123 label): '" + namespace + "'");
            namespace = null;
        }
        String name = requiredText(n.get("name"), at + ".name", errors);
        if (name != null && !RealServerSource.ServiceEndpoints.SERVICE_NAME.matcher(name).matches()) {
            errors.add(at + ".name", "not a Service name (a DNS-1035 label): '" + name + "'");
            name = null;
        }
        JsonNode p = n.get("port");
        String port = null;
        if (p == null || p.isNull()) {
            errors.add(at + ".port", "is required: the Service port's name or number");
        } else if (p.isIntegralNumber()) {
            Integer number = integer(p, at + ".port", 1, 65535, errors);
            port = number == null ? null : number.toString();
        } else if (p.isTextual()) {
            String problem = RealServerSource.ServiceEndpoints.portProblem(p.asText());
            if (problem != null) {
                errors.add(at + ".port", problem);
            } else {
                port = p.asText();
            }
        } else {
            errors.add(at + ".port", "must be the Service port's name or number");
        }
        if (namespace == null || name == null || port == null) {
            return null;
        }
        return new RealServerSource.ServiceEndpoints(namespace, name, port, weight);
    }

    private static String requiredText(JsonNode n, String field, Errors errors) {
        if (n == null || n.isNull()) {
            errors.add(field, "is required");
            return null;
        }
        return text(n, field, errors);
    }

    private static void samePort(JsonNode n, String field, int servicePort, Errors errors) {
        if (n == null || n.isNull()) {
            return;
        }
        Integer p = integer(n, field, 1, 65535, errors);
        if (p != null && servicePort != 0 && p != servicePort) {
            errors.add(field, "must equal the service port " + servicePort
                    + " (real servers receive the virtual port; direct routing cannot change it)");
        }
    }

    private static ObjectNode writeHttp(ObjectNode h, HealthCheck.Http http) {
        h.put("port", http.port());
        h.put("path", http.path());
        if (http.host() != null) {
            h.put("host", http.host());
        }
        ArrayNode expect = h.putArray("expectStatus");
        http.expectedStatuses().forEach(expect::add);
        ArrayNode drain = h.putArray("drainStatus");
        http.drainStatuses().forEach(drain::add);
        return h;
    }

    private static HealthCheck healthCheck(JsonNode n, Errors errors) {
        String at = "healthCheck";
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            errors.add(at, "must be an object");
            return null;
        }
        errors.unknownFields(n, at, HEALTH_CHECK_FIELDS);
        String type = text(n.get("type"), at + ".type", errors);
        if (type == null) {
            errors.add(at + ".type", "is required: http, https or tcp");
            return null;
        } else if (!type.equals("http") && !type.equals("https") && !type.equals("tcp")) {
            errors.add(at + ".type", "must be http, https or tcp: '" + type + "'");
            return null;
        }
        boolean http = type.equals("http") || type.equals("https");
        boolean https = type.equals("https");
        int before = errors.size();
        Integer port = integer(n.get("port"), at + ".port", 0, 65535, errors);
        String path = text(n.get("path"), at + ".path", errors);
        String host = text(n.get("host"), at + ".host", errors);
        Set<Integer> expect = statuses(n.get("expectStatus"), at + ".expectStatus", errors);
        Set<Integer> drain = statuses(n.get("drainStatus"), at + ".drainStatus", errors);
        String caFile = text(n.get("caFile"), at + ".caFile", errors);
        boolean skipVerify = bool(n.get("insecureSkipVerify"), at + ".insecureSkipVerify", errors);
        Integer interval = integer(n.get("intervalMs"), at + ".intervalMs", 10, 3_600_000, errors);
        Integer timeout = integer(n.get("timeoutMs"), at + ".timeoutMs", 1, 3_600_000, errors);
        Integer rise = integer(n.get("rise"), at + ".rise", 1, 100, errors);
        Integer fall = integer(n.get("fall"), at + ".fall", 1, 100, errors);
        String viaText = text(n.get("via"), at + ".via", errors);
        HealthCheck.Via via = HealthCheck.Via.NODE;
        if ("vip".equals(viaText)) {
            via = HealthCheck.Via.VIP;
        } else if (viaText != null && !viaText.equals("node")) {
            errors.add(at + ".via", "must be node or vip: '" + viaText + "'");
        }
        HealthCheck.Timing defaults = HealthCheck.Timing.DEFAULTS;
        Duration iv = interval == null ? defaults.interval() : Duration.ofMillis(interval);
        Duration to = timeout == null ? defaults.timeout() : Duration.ofMillis(timeout);
        if (to.compareTo(iv) > 0) {
            errors.add(at + ".timeoutMs", "must not exceed intervalMs (" + iv.toMillis() + ")");
        }
        if (http && path != null
                && (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            errors.add(at + ".path", "must start with / and contain no blanks: '" + path + "'");
        }
        if (!http) {
            for (String f : List.of("path", "host", "expectStatus", "drainStatus")) {
                if (n.hasNonNull(f)) {
                    errors.add(at + "." + f, "only means something for an http or https check");
                }
            }
        }
        if (!https) {
            for (String f : List.of("caFile", "insecureSkipVerify")) {
                if (n.hasNonNull(f)) {
                    errors.add(at + "." + f, "only means something for an https check");
                }
            }
        } else if (caFile != null) {
            if (skipVerify) {
                errors.add(at + ".caFile", "means nothing with insecureSkipVerify: true (nothing is verified)");
            } else {
                caFile(caFile, at + ".caFile", errors);
            }
        }
        if (errors.size() > before) {
            return null;
        }
        try {
            HealthCheck.Timing timing = new HealthCheck.Timing(iv, to, rise == null ? defaults.rise() : rise,
                    fall == null ? defaults.fall() : fall);
            int p = port == null ? 0 : port;
            // One case per kind. The Http record fills in the default statuses (200, 503) where none are given.
            return switch (type) {
                case "http" -> new HealthCheck.Http(p, path == null ? HealthCheck.http().path() : path, host, expect,
                        drain, timing, via);
                case "https" -> new HealthCheck.Https(p, path == null ? HealthCheck.https().path() : path, host,
                        expect, drain, caFile, skipVerify, timing, via);
                case "tcp" -> new HealthCheck.Tcp(p, timing, via);
                default -> throw new IllegalStateException("checked above: " + type);
            };
        } catch (IllegalArgumentException e) {
            errors.add(at, e.getMessage());
            return null;
        }
    }

    /**
     * An HTTPS check's CA file: an absolute path; on a new write also readable now and holding at
     * least one X.509 certificate in PEM, so a wrong path is refused at the PUT rather than found
     * at probe time. A stored spec is not held to the file (it may be restored before the file is),
     * a CA that cannot be loaded then fails that check's probes only, with the reason.
     */
    private static void caFile(String caFile, String field, Errors errors) {
        if (!caFile.startsWith("/")) {
            errors.add(field, "must be an absolute path: '" + caFile + "'");
            return;
        }
        if (!errors.strict) {
            return;
        }
        java.nio.file.Path path;
        try {
            path = java.nio.file.Path.of(caFile);
        } catch (java.nio.file.InvalidPathException e) {
            errors.add(field, "not a path: '" + caFile + "'");
            return;
        }
        if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path)) {
            errors.add(field, "cannot be read by the director: " + caFile);
            return;
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                errors.add(field, "holds no certificate (PEM expected): " + caFile);
            }
        } catch (java.io.IOException | java.security.cert.CertificateException e) {
            errors.add(field, "holds no readable certificate (PEM expected): " + caFile);
        }
    }

    /** An HTTP status, or an array of them. */
    private static Set<Integer> statuses(JsonNode n, String field, Errors errors) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<JsonNode> items = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(items::add);
        } else {
            items.add(n);
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (JsonNode e : items) {
            Integer s = integer(e, field, 100, 599, errors);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private static final String WHEN_ALL_DOWN_FORMS =
            "must be fail-open, empty, keep-last-healthy or {\"sorryServer\": {\"address\", \"weight\"}}";

    private static WhenAllDown whenAllDown(JsonNode n, InetAddress vip, Errors errors) {
        String at = "whenAllDown";
        if (n == null || n.isNull()) {
            return WhenAllDown.FAIL_OPEN;
        }
        if (n.isTextual()) {
            switch (n.asText()) {
                case "fail-open":
                    return WhenAllDown.FAIL_OPEN;
                case "empty":
                    return WhenAllDown.EMPTY;
                case "keep-last-healthy":
                    return WhenAllDown.KEEP_LAST_HEALTHY;
                default:
                    errors.add(at, WHEN_ALL_DOWN_FORMS + ": '"
                            + n.asText() + "'");
                    return null;
            }
        }
        if (!n.isObject() || !n.has("sorryServer")) {
            errors.add(at, WHEN_ALL_DOWN_FORMS);
            return null;
        }
        errors.unknownFields(n, at, SpecFields.WHEN_ALL_DOWN_FIELDS);
        JsonNode s = n.get("sorryServer");
        if (!s.isObject()) {
            errors.add(at + ".sorryServer", "must be an object {address, weight}");
            return null;
        }
        errors.unknownFields(s, at + ".sorryServer", SpecFields.SORRY_SERVER_FIELDS);
        InetAddress a = address(s.get("address"), at + ".sorryServer.address", errors);
        Integer weight = integer(s.get("weight"), at + ".sorryServer.weight", 1, 65535, errors);
        if (a == null) {
            return null;
        }
        if (!checkServerAddress(a, vip, at + ".sorryServer.address", errors)) {
            return null;
        }
        return new WhenAllDown.SorryServer(a, weight == null ? 1 : weight);
    }

    /**
     * Thresholds for every real server: each 0..{@link RealServerLimits#MAX_SPEC}, 0 = none, the
     * lower at most the upper (the kernel's ERANGE, which it applies even with no upper threshold).
     */
    private static RealServerLimits realServerLimits(JsonNode n, Errors errors) {
        String at = "realServerLimits";
        if (n == null || n.isNull()) {
            return RealServerLimits.NONE;
        }
        if (!n.isObject()) {
            errors.add(at, "must be an object {upperConnections, lowerConnections}");
            return null;
        }
        errors.unknownFields(n, at, SpecFields.REAL_SERVER_LIMITS_FIELDS);
        int max = (int) RealServerLimits.MAX_SPEC;
        Integer upper = integer(n.get("upperConnections"), at + ".upperConnections", 0, max, errors);
        Integer lower = integer(n.get("lowerConnections"), at + ".lowerConnections", 0, max, errors);
        if (upper == null && n.hasNonNull("upperConnections") || lower == null && n.hasNonNull("lowerConnections")) {
            return null;
        }
        long u = upper == null ? 0 : upper;
        long l = lower == null ? 0 : lower;
        if (l > u) {
            errors.add(at + ".lowerConnections", "must not exceed upperConnections (" + u
                    + (u == 0 ? ", no limit: a lower threshold needs an upper one" : "") + "): " + l);
            return null;
        }
        return new RealServerLimits(u, l);
    }

    private static boolean bool(JsonNode n, String field, Errors errors) {
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            errors.add(field, "must be true or false");
            return false;
        }
        return n.booleanValue();
    }

    private static String text(JsonNode n, String field, Errors errors) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            errors.add(field, "must be a string");
            return null;
        }
        return n.asText();
    }

    /** A whole number in range; 80.0 and "80" are refused, so a typo never becomes a port. */
    private static Integer integer(JsonNode n, String field, int min, int max, Errors errors) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            errors.add(field, "must be a whole number from " + min + " to " + max);
            return null;
        }
        int v = n.intValue();
        if (v < min || v > max) {
            errors.add(field, "must be from " + min + " to " + max + ": " + v);
            return null;
        }
        return v;
    }

    /** Problems in document order. */
    private static final class Errors {
        private final List<SpecValidationException.FieldError> list = new ArrayList<>();
        // Whether this is a new write, checked by every rule (see "New writes and stored specs").
        final boolean strict;

        Errors(boolean strict) {
            this.strict = strict;
        }

        void add(String field, String reason) {
            list.add(new SpecValidationException.FieldError(field, reason));
        }

        void unknownFields(JsonNode object, String at, List<String> known) {
            Iterator<String> names = object.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                if (!known.contains(f)) {
                    add(at.isEmpty() ? f : at + "." + f, "unknown field (known: " + String.join(", ", known) + ")");
                }
            }
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        int size() {
            return list.size();
        }

        SpecValidationException exception() {
            return new SpecValidationException(list);
        }
    }
}
