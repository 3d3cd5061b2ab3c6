package io.lvsdirector.k8s.lb;

import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.Protocol;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The IPVS services of one LoadBalancer Service: one direct-routing virtual service per port and
 * address. Pure, no I/O.
 *
 * <p><b>Names</b>: {@code lb..<namespace>.<name>.<protocol>-<port>}, e.g. {@code lb..shop.web.tcp-80}.
 * The {@code ..} is what keeps them apart from {@code LvsService} objects: a Kubernetes object name
 * is a DNS subdomain, whose labels cannot be empty, so no {@code LvsService} can ever be named so.
 * A name over 63 characters (the director's limit) keeps its start and gets a hash of the whole.
 * Dual-stack Services get one virtual service per family; the IPv6 one ends in {@code -v6}.
 *
 * <p><b>Health</b>: {@code externalTrafficPolicy: Local} probes {@code GET /healthz} on the
 * Service's {@code healthCheckNodePort}, which kube-proxy serves on every node: 200 while the node
 * has a ready local endpoint, 503 when it has none (drained: weight 0, its open connections stay), as
 * cloud load balancers do. {@code Cluster} probes the port's {@code nodePort} over TCP, which
 * kube-proxy answers on every node it programs (the Service port itself is not bound on a node:
 * kube-proxy matches only the LoadBalancer address); a port without a nodePort
 * ({@code allocateLoadBalancerNodePorts: false}) or a UDP port has no probe.
 */
public final class LbSpecs {

    /** The one health check path kube-proxy serves on a Local Service's healthCheckNodePort. */
    public static final String HEALTHZ = "/healthz";
    private static final int MAX_NAME = 63;

    private LbSpecs() {}

    /**
     * What one Service becomes.
     *
     * @param specs the virtual services to program
     * @param problems one line per port that cannot be served (the others are)
     */
    public record Result(List<ServiceSpec> specs, List<String> problems) {
        public Result {
            specs = List.copyOf(specs);
            problems = List.copyOf(problems);
        }
    }

    /**
     * @param addresses the Service's allocated addresses (one per family)
     * @param scheduler the IPVS scheduler of every generated service
     */
    public static Result build(LbService s, List<InetAddress> addresses, String scheduler) {
        List<ServiceSpec> specs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (LbService.Port p : s.ports()) {
            String where = "port " + (p.name().isEmpty() ? "" : p.name() + " ") + p.port() + "/" + p.protocol();
            Protocol protocol = switch (p.protocol().toUpperCase(Locale.ROOT)) {
                case "TCP" -> Protocol.TCP;
                case "UDP" -> Protocol.UDP;
                default -> null;
            };
            if (protocol == null) {
                // IPVS has SCTP, but neither kube-proxy's healthz nor a probe here can vouch for an
                // SCTP endpoint, and a protocol the kernel may not have loaded must not stop the others.
                problems.add(where + ": protocol " + p.protocol() + " is not served (TCP and UDP only)");
                continue;
            }
            if (p.port() < 1 || p.port() > 65535) {
                problems.add(where + ": not a port IPVS can serve");
                continue;
            }
            for (InetAddress vip : addresses) {
                boolean v6 = !(vip instanceof java.net.Inet4Address);
                String name = name(s.namespace(), s.name(), protocol, p.port(), v6 && addresses.size() > 1);
                VirtualService vs = new VirtualService(name, vip, p.port(), protocol, scheduler, Set.of(),
                        Persistence.NONE, Forwarding.DIRECT_ROUTE);
                specs.add(ServiceSpec.of(vs, realServers(s, p), check(s, p, protocol)));
            }
        }
        return new Result(specs, problems);
    }

    /** The director's name for one port of a Service (see the class comment). */
    public static String name(String namespace, String name, Protocol protocol, int port, boolean v6) {
        String tail = "." + protocol.name().toLowerCase(Locale.ROOT) + "-" + port + (v6 ? "-v6" : "");
        String full = "lb.." + namespace + "." + name + tail;
        if (full.length() <= MAX_NAME) {
            return full;
        }
        String hash = hash(namespace + "/" + name).substring(0, 10);
        String head = ("lb.." + namespace + "." + name);
        head = head.substring(0, MAX_NAME - tail.length() - hash.length() - 1);
        return head + "-" + hash + tail;
    }

    private static HealthCheck check(LbService s, LbService.Port p, Protocol protocol) {
        if (s.localTraffic()) {
            return new HealthCheck.Http(s.healthCheckNodePort(), HEALTHZ, null, Set.of(200), Set.of(503),
                    HealthCheck.Timing.DEFAULTS);
        }
        if (protocol == Protocol.TCP && p.nodePort() > 0) {
            return new HealthCheck.Tcp(p.nodePort(), HealthCheck.Timing.DEFAULTS);
        }
        return null;
    }

    private static RealServerSource realServers(LbService s, LbService.Port p) {
        // The endpoints of this Service port (by name when it has one, as EndpointSlices name
        // them): the nodes with ready endpoints for Local, every eligible node for Cluster.
        return new RealServerSource.ServiceEndpoints(s.namespace(), s.name(),
                p.name().isEmpty() ? Integer.toString(p.port()) : p.name(), 1);
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
