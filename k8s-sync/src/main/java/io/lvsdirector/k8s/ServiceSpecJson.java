package io.lvsdirector.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.model.Forwarding;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.Protocol;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.IpAddresses;
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
 *   "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "host": null, "expectStatus": 200,
 *                   "drainStatus": 503, "intervalMs": 100, "timeoutMs": 100, "rise": 2, "fall": 3},
 *   "whenAllDown": "fail-open",      // | "empty" | {"sorryServer": {"address": "...", "weight": 1}}
 *   "drainTimeoutSeconds": 300
 * }
 * </pre>
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

    /** Top-level fields, in the order {@link #toJson} writes them. */
    public static final List<String> FIELDS = List.of("vip", "port", "protocol", "scheduler", "schedulerFlags",
            "persistenceSeconds", "persistenceNetmask", "forwarding", "realServers", "healthCheck", "whenAllDown",
            "drainTimeoutSeconds");
    public static final List<String> STATIC_FIELDS = List.of("address", "port", "weight");
    public static final List<String> KUBERNETES_FIELDS = List.of("nodeSelector", "port", "addressType", "weight");
    public static final List<String> HEALTH_CHECK_FIELDS = List.of("type", "port", "path", "host", "expectStatus",
            "drainStatus", "intervalMs", "timeoutMs", "rise", "fall");

    /** The schedulers of a stock kernel (net/netfilter/ipvs/ip_vs_*.c); anything else fails at -A. */
    public static final Set<String> KERNEL_SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
            "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    public static final String DEFAULT_SCHEDULER = "wrr";

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
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SpecValidationException(List.of(new SpecValidationException.FieldError("",
                    "not valid JSON: " + e.getOriginalMessage())));
        }
        return fromJson(name, node);
    }

    /**
     * Maps a spec object.
     *
     * @param name the service name (resource name, URL segment): a lower-case DNS label
     * @throws SpecValidationException listing every field that is missing, unknown, of the wrong type
     *     or out of range
     */
    public ServiceSpec fromJson(String name, JsonNode spec) {
        Errors errors = new Errors();
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
        Set<ServiceFlag> flags = flags(spec.get("schedulerFlags"), errors);
        if (flags.contains(ServiceFlag.ONE_PACKET) && protocol != Protocol.UDP) {
            errors.add("schedulerFlags", "one-packet scheduling (ops) is for UDP services only");
        }
        Integer persistenceSeconds = integer(spec.get("persistenceSeconds"), "persistenceSeconds", 0, Integer.MAX_VALUE,
                errors);
        int maxPrefix = vip instanceof Inet6Address ? 128 : 32;
        Integer netmask = integer(spec.get("persistenceNetmask"), "persistenceNetmask", 0, maxPrefix, errors);
        Forwarding forwarding = forwarding(spec.get("forwarding"), errors);
        RealServerSource realServers = realServers(spec.get("realServers"), vip, port, errors);
        HealthCheck check = healthCheck(spec.get("healthCheck"), errors);
        WhenAllDown whenAllDown = whenAllDown(spec.get("whenAllDown"), vip, errors);
        Integer drainSeconds = integer(spec.get("drainTimeoutSeconds"), "drainTimeoutSeconds", 0, 86_400 * 7, errors);

        if (!errors.isEmpty()) {
            throw errors.exception();
        }
        Persistence persistence = persistenceSeconds == null || persistenceSeconds == 0
                ? Persistence.NONE
                : new Persistence(Duration.ofSeconds(persistenceSeconds), netmask == null ? 0 : netmask);
        try {
            VirtualService vs = new VirtualService(name, vip, port, protocol, scheduler, flags, persistence, forwarding);
            return new ServiceSpec(vs, realServers, check, whenAllDown,
                    drainSeconds == null ? null : Duration.ofSeconds(drainSeconds));
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
        }
        HealthCheck c = spec.healthCheck();
        if (c != null) {
            ObjectNode h = o.putObject("healthCheck");
            h.put("type", c.kind().name().toLowerCase(Locale.ROOT));
            h.put("port", c.port());
            if (c.kind() == HealthCheck.Kind.HTTP) {
                h.put("path", c.path());
                if (c.host() != null) {
                    h.put("host", c.host());
                }
                ArrayNode expect = h.putArray("expectStatus");
                c.expectedStatuses().forEach(expect::add);
                ArrayNode drain = h.putArray("drainStatus");
                c.drainStatuses().forEach(drain::add);
            }
            h.put("intervalMs", c.interval().toMillis());
            h.put("timeoutMs", c.timeout().toMillis());
            h.put("rise", c.rise());
            h.put("fall", c.fall());
        }
        WhenAllDown w = spec.whenAllDown();
        if (w instanceof WhenAllDown.SorryServer sorry) {
            ObjectNode s = o.putObject("whenAllDown").putObject("sorryServer");
            s.put("address", IpAddresses.toText(sorry.address()));
            s.put("weight", sorry.weight());
        } else {
            o.put("whenAllDown", w.label());
        }
        o.put("drainTimeoutSeconds", spec.drainTimeout().toSeconds());
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
        String why = null;
        if (a.isAnyLocalAddress()) {
            why = "the unspecified address";
        } else if (a.isLoopbackAddress()) {
            why = "a loopback address";
        } else if (a.isMulticastAddress()) {
            why = "a multicast address";
        } else if (a.isLinkLocalAddress()) {
            why = "a link-local address";
        } else if (a instanceof Inet4Address && (a.getAddress()[0] & 0xff) == 255) {
            why = "a broadcast address";
        }
        if (why != null) {
            errors.add("vip", "must be a unicast address, not " + why + ": " + n.asText());
            return null;
        }
        return a;
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
                return Forwarding.MASQUERADE;
            default:
                errors.add("forwarding", "must be dr, tun or nat: '" + t + "'");
                return Forwarding.DIRECT_ROUTE;
        }
    }

    private static String forwardingName(Forwarding f) {
        switch (f) {
            case TUNNEL:
                return "tun";
            case MASQUERADE:
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

    private static Set<ServiceFlag> flags(JsonNode n, Errors errors) {
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
                out.add(ServiceFlag.parse(e.asText()));
            } catch (IllegalArgumentException ex) {
                errors.add(field, "unknown flag '" + e.asText() + "' (flag-1, flag-2, flag-3, ops, sh-fallback, sh-port,"
                        + " mh-fallback, mh-port)");
            }
        }
        return out;
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
        errors.unknownFields(n, "realServers", List.of("static", "kubernetes"));
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
            if (vip != null && a.getClass() != vip.getClass()) {
                errors.add(at + ".address", "must be of the VIP's address family (direct routing cannot cross it)");
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
        try {
            return new RealServerSource.NodeSelector(labels, weight == null ? 1 : weight);
        } catch (IllegalArgumentException e) {
            errors.add(at + ".nodeSelector", e.getMessage());
            return null;
        }
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
        HealthCheck.Kind kind;
        if (type == null) {
            errors.add(at + ".type", "is required: http or tcp");
            return null;
        } else if (type.equals("http")) {
            kind = HealthCheck.Kind.HTTP;
        } else if (type.equals("tcp")) {
            kind = HealthCheck.Kind.TCP;
        } else {
            errors.add(at + ".type", "must be http or tcp: '" + type + "'");
            return null;
        }
        int before = errors.size();
        Integer port = integer(n.get("port"), at + ".port", 0, 65535, errors);
        String path = text(n.get("path"), at + ".path", errors);
        String host = text(n.get("host"), at + ".host", errors);
        Set<Integer> expect = statuses(n.get("expectStatus"), at + ".expectStatus", errors);
        Set<Integer> drain = statuses(n.get("drainStatus"), at + ".drainStatus", errors);
        Integer interval = integer(n.get("intervalMs"), at + ".intervalMs", 10, 3_600_000, errors);
        Integer timeout = integer(n.get("timeoutMs"), at + ".timeoutMs", 1, 3_600_000, errors);
        Integer rise = integer(n.get("rise"), at + ".rise", 1, 100, errors);
        Integer fall = integer(n.get("fall"), at + ".fall", 1, 100, errors);
        HealthCheck base = kind == HealthCheck.Kind.HTTP ? HealthCheck.http() : HealthCheck.tcp();
        Duration iv = interval == null ? base.interval() : Duration.ofMillis(interval);
        Duration to = timeout == null ? base.timeout() : Duration.ofMillis(timeout);
        if (to.compareTo(iv) > 0) {
            errors.add(at + ".timeoutMs", "must not exceed intervalMs (" + iv.toMillis() + ")");
        }
        if (kind == HealthCheck.Kind.HTTP && path != null
                && (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            errors.add(at + ".path", "must start with / and contain no blanks: '" + path + "'");
        }
        if (kind == HealthCheck.Kind.TCP) {
            for (String f : List.of("path", "host", "expectStatus", "drainStatus")) {
                if (n.hasNonNull(f)) {
                    errors.add(at + "." + f, "only means something for an http check");
                }
            }
        }
        if (errors.size() > before) {
            return null;
        }
        try {
            return new HealthCheck(kind, port == null ? 0 : port, path == null ? base.path() : path, host,
                    expect == null ? base.expectedStatuses() : expect,
                    drain == null ? (kind == HealthCheck.Kind.HTTP ? Set.of(503) : null) : drain,
                    iv, to, rise == null ? base.rise() : rise, fall == null ? base.fall() : fall);
        } catch (IllegalArgumentException e) {
            errors.add(at, e.getMessage());
            return null;
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
                default:
                    errors.add(at, "must be fail-open, empty or {\"sorryServer\": {\"address\", \"weight\"}}: '"
                            + n.asText() + "'");
                    return null;
            }
        }
        if (!n.isObject() || !n.has("sorryServer")) {
            errors.add(at, "must be fail-open, empty or {\"sorryServer\": {\"address\", \"weight\"}}");
            return null;
        }
        errors.unknownFields(n, at, List.of("sorryServer"));
        JsonNode s = n.get("sorryServer");
        if (!s.isObject()) {
            errors.add(at + ".sorryServer", "must be an object {address, weight}");
            return null;
        }
        errors.unknownFields(s, at + ".sorryServer", List.of("address", "weight"));
        InetAddress a = address(s.get("address"), at + ".sorryServer.address", errors);
        Integer weight = integer(s.get("weight"), at + ".sorryServer.weight", 1, 65535, errors);
        if (a == null) {
            return null;
        }
        if (vip != null && a.getClass() != vip.getClass()) {
            errors.add(at + ".sorryServer.address", "must be of the VIP's address family");
            return null;
        }
        return new WhenAllDown.SorryServer(a, weight == null ? 1 : weight);
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
