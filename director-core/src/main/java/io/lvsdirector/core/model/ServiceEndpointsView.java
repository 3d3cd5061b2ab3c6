package io.lvsdirector.core.model;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the director needs to know about one Kubernetes Service and its EndpointSlices, as k8s-sync
 * sees them: the resolved form of a {@link RealServerSource.ServiceEndpoints}. Equality is value
 * equality, so a build can tell whether anything it was built from changed.
 *
 * @param namespace the Service's namespace
 * @param name the Service's name
 * @param trafficPolicy its {@code spec.externalTrafficPolicy}
 * @param ipFamilies its {@code spec.ipFamilies}
 * @param ports its ports: port name ({@code ""} for the one unnamed port) to port number
 * @param nodes per address family of the slices ({@code addressType}), node name to the best state of
 *     the endpoints on that node: {@link EndpointState#READY} if any is ready, else
 *     {@link EndpointState#TERMINATING} if any is terminating; nodes without either are absent
 * @param problem why the Service's real servers cannot be known ("Service lvs/web not found"), or
 *     {@code null}; with a problem the view gives no real server
 * @param notes what was left out but did not stop the view (a malformed slice ignored, the last
 *     view kept through an API outage); shown in status, never fatal
 */
public record ServiceEndpointsView(
        String namespace,
        String name,
        TrafficPolicy trafficPolicy,
        Set<IpFamily> ipFamilies,
        Map<String, Integer> ports,
        Map<IpFamily, Map<String, EndpointState>> nodes,
        String problem,
        List<String> notes) {

    /** {@code spec.externalTrafficPolicy}. */
    public enum TrafficPolicy {
        /** Every node forwards to any endpoint: every eligible node is a real server. */
        CLUSTER,
        /** A node forwards only to its own endpoints: only nodes with a ready endpoint serve. */
        LOCAL
    }

    /** An address family, as a Service's {@code ipFamilies} and a slice's {@code addressType} say it. */
    public enum IpFamily {
        IPV4, IPV6;

        public static IpFamily of(InetAddress address) {
            return address instanceof Inet4Address ? IPV4 : IPV6;
        }
    }

    /** The state of a node's endpoints of a Service, best first. */
    public enum EndpointState {
        /** At least one endpoint on the node is ready. */
        READY,
        /**
         * None is ready and at least one is terminating (EndpointSlice {@code conditions.terminating}):
         * the node drains, as kube-proxy's graceful termination does.
         */
        TERMINATING
    }

    public ServiceEndpointsView {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(trafficPolicy, "trafficPolicy");
        ipFamilies = Set.copyOf(Objects.requireNonNull(ipFamilies, "ipFamilies"));
        ports = Map.copyOf(Objects.requireNonNull(ports, "ports"));
        EnumMap<IpFamily, Map<String, EndpointState>> copy = new EnumMap<>(IpFamily.class);
        Objects.requireNonNull(nodes, "nodes").forEach((f, m) -> copy.put(f, Map.copyOf(m)));
        nodes = Map.copyOf(copy);
        notes = List.copyOf(Objects.requireNonNull(notes, "notes"));
    }

    /** A view that gives no real server, for {@code problem}. */
    public static ServiceEndpointsView failed(String namespace, String name, String problem) {
        return new ServiceEndpointsView(namespace, name, TrafficPolicy.CLUSTER, Set.of(), Map.of(), Map.of(),
                Objects.requireNonNull(problem, "problem"), List.of());
    }

    /** The nodes with endpoints of this family, by name. */
    public Map<String, EndpointState> nodes(IpFamily family) {
        return nodes.getOrDefault(family, Map.of());
    }

    /**
     * The number of the Service port {@code port} names (a name, or a number as text), or -1 when
     * the Service has no such port.
     */
    public int portNumber(String port) {
        Integer byName = ports.get(port);
        if (byName != null) {
            return byName;
        }
        for (Integer p : ports.values()) {
            if (String.valueOf(p).equals(port)) {
                return p;
            }
        }
        return -1;
    }
}
