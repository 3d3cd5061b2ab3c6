package io.lvsdirector.k8s;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.lvsdirector.core.model.ServiceEndpointsView;
import io.lvsdirector.core.model.ServiceEndpointsView.EndpointState;
import io.lvsdirector.core.model.ServiceEndpointsView.IpFamily;
import io.lvsdirector.core.model.ServiceEndpointsView.TrafficPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a Service and its EndpointSlices say, reduced to what the director uses. Pure: no I/O, never
 * throws for odd content (an informer thread must not die of a strange object).
 */
final class EndpointFacts {

    /** The label that ties an EndpointSlice to its Service (set by the EndpointSlice controller). */
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private EndpointFacts() {
    }

    /**
     * One EndpointSlice, reduced.
     *
     * @param name the slice's name (for notes)
     * @param family its {@code addressType}; {@code null} for FQDN slices, which name no pod on a node
     * @param nodes node name to the best state of this slice's endpoints there
     * @param notes what was left out (an endpoint without {@code nodeName})
     */
    record SliceFacts(String name, IpFamily family, Map<String, EndpointState> nodes, List<String> notes) {
        SliceFacts {
            nodes = Map.copyOf(nodes);
            notes = List.copyOf(notes);
        }
    }

    /**
     * A slice as kept by the source: its last valid reduction (or {@code null}), and why the newest
     * version is not valid (or {@code null}). A malformed update keeps the last valid content, so a
     * broken write by some controller does not empty the rotation.
     */
    record SliceEntry(String name, SliceFacts valid, String malformed) {}

    /** The entry for a new version of a slice, given the previous entry (or {@code null}). */
    static SliceEntry next(SliceEntry previous, EndpointSlice slice) {
        String problem = malformed(slice);
        if (problem == null) {
            return new SliceEntry(slice.getMetadata().getName(), reduce(slice), null);
        }
        return new SliceEntry(slice.getMetadata().getName(), previous == null ? null : previous.valid(), problem);
    }

    /** Why a slice cannot be read, or {@code null}. */
    static String malformed(EndpointSlice slice) {
        String type = slice.getAddressType();
        if (type == null) {
            return "no addressType";
        }
        if (!type.equals("IPv4") && !type.equals("IPv6") && !type.equals("FQDN")) {
            return "unknown addressType '" + type + "'";
        }
        if (slice.getEndpoints() != null) {
            for (int i = 0; i < slice.getEndpoints().size(); i++) {
                Endpoint e = slice.getEndpoints().get(i);
                if (e == null || e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    return "endpoints[" + i + "] has no address";
                }
            }
        }
        return null;
    }

    /** Reduces a slice that is not {@link #malformed}. */
    static SliceFacts reduce(EndpointSlice slice) {
        String name = slice.getMetadata().getName();
        IpFamily family = switch (slice.getAddressType()) {
            case "IPv4" -> IpFamily.IPV4;
            case "IPv6" -> IpFamily.IPV6;
            default -> null;
        };
        Map<String, EndpointState> nodes = new HashMap<>();
        List<String> notes = new ArrayList<>();
        if (family != null && slice.getEndpoints() != null) {
            for (Endpoint e : slice.getEndpoints()) {
                EndpointState state = state(e.getConditions());
                if (state == null) {
                    continue;
                }
                if (e.getNodeName() == null || e.getNodeName().isBlank()) {
                    notes.add("EndpointSlice " + name + ": endpoint " + e.getAddresses().get(0)
                            + " names no node, ignored");
                    continue;
                }
                nodes.merge(e.getNodeName(), state, EndpointFacts::best);
            }
        }
        return new SliceFacts(name, family, nodes, notes);
    }

    /**
     * An endpoint's state by the EndpointSlice API's rules: {@code ready} unset means ready, and a
     * terminating endpoint is never ready; {@code terminating} unset means not terminating. An
     * endpoint neither ready nor terminating (a pod not ready yet) serves nothing.
     */
    static EndpointState state(EndpointConditions c) {
        Boolean ready = c == null ? null : c.getReady();
        Boolean terminating = c == null ? null : c.getTerminating();
        if (Boolean.TRUE.equals(terminating)) {
            return EndpointState.TERMINATING;
        }
        if (ready == null || ready) {
            return EndpointState.READY;
        }
        return null;
    }

    static EndpointState best(EndpointState a, EndpointState b) {
        return a == EndpointState.READY || b == EndpointState.READY ? EndpointState.READY : EndpointState.TERMINATING;
    }

    /**
     * The view of one Service.
     *
     * @param service the Service, or {@code null} when the cache has none
     * @param slices its slices' entries (by the service-name label)
     * @param outage a note while the API server cannot be watched, or {@code null}
     */
    static ServiceEndpointsView view(String namespace, String name, Service service, Collection<SliceEntry> slices,
            String outage) {
        Objects.requireNonNull(namespace, "namespace");
        List<String> notes = new ArrayList<>();
        if (outage != null) {
            notes.add(outage);
        }
        if (service == null) {
            ServiceEndpointsView failed = ServiceEndpointsView.failed(namespace, name,
                    "Service " + namespace + "/" + name + " not found");
            return notes.isEmpty() ? failed : new ServiceEndpointsView(namespace, name, failed.trafficPolicy(),
                    Set.of(), Map.of(), Map.of(), failed.problem(), notes);
        }
        var spec = service.getSpec();
        if (spec == null) {
            return new ServiceEndpointsView(namespace, name, TrafficPolicy.CLUSTER, Set.of(), Map.of(), Map.of(),
                    "Service " + namespace + "/" + name + " has no spec", notes);
        }
        if ("ExternalName".equals(spec.getType())) {
            return new ServiceEndpointsView(namespace, name, TrafficPolicy.CLUSTER, Set.of(), Map.of(), Map.of(),
                    "Service " + namespace + "/" + name + " is of type ExternalName: it has no endpoints on nodes",
                    notes);
        }
        TrafficPolicy policy = "Local".equals(spec.getExternalTrafficPolicy()) ? TrafficPolicy.LOCAL
                : TrafficPolicy.CLUSTER;
        Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);
        if (spec.getIpFamilies() != null) {
            for (String f : spec.getIpFamilies()) {
                if ("IPv4".equals(f)) {
                    families.add(IpFamily.IPV4);
                } else if ("IPv6".equals(f)) {
                    families.add(IpFamily.IPV6);
                }
            }
        }
        if (families.isEmpty()) {
            // Set by the API server since 1.20; an older object is single-stack IPv4 or names its
            // family in its cluster IP.
            String ip = spec.getClusterIP();
            families.add(ip != null && ip.contains(":") ? IpFamily.IPV6 : IpFamily.IPV4);
        }
        Map<String, Integer> ports = new TreeMap<>();
        if (spec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                if (p.getPort() != null) {
                    ports.put(p.getName() == null ? "" : p.getName(), p.getPort());
                }
            }
        }
        Map<IpFamily, Map<String, EndpointState>> nodes = new EnumMap<>(IpFamily.class);
        if (slices.isEmpty() && policy == TrafficPolicy.LOCAL) {
            // Not an error (the EndpointSlice controller writes them after the Service, and a Service
            // without a selector has none until someone writes them), but why a Local service has no
            // real server. (Cluster serves every eligible node whatever the slices say.)
            notes.add("Service " + namespace + "/" + name + " has no EndpointSlice yet: waiting for endpoints,"
                    + " no node serves it");
        }
        List<SliceEntry> ordered = new ArrayList<>(slices);
        ordered.sort((a, b) -> a.name().compareTo(b.name()));
        for (SliceEntry e : ordered) {
            if (e.malformed() != null) {
                notes.add("EndpointSlice " + namespace + "/" + e.name() + " is malformed (" + e.malformed() + "): "
                        + (e.valid() == null ? "ignored" : "its last valid version is kept"));
            }
            SliceFacts f = e.valid();
            if (f == null || f.family() == null) {
                continue;
            }
            notes.addAll(f.notes());
            Map<String, EndpointState> m = nodes.computeIfAbsent(f.family(), x -> new HashMap<>());
            f.nodes().forEach((node, state) -> m.merge(node, state, EndpointFacts::best));
        }
        return new ServiceEndpointsView(namespace, name, policy, families, ports, nodes, null, notes);
    }
}
