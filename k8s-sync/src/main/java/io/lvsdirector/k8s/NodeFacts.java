package io.lvsdirector.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.spec.AddressType;
import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one Kubernetes {@code Node} object says, reduced to what the director uses. Pure: the time
 * dependent part (the NotReady grace) is applied later by {@link KubernetesNodeSource}.
 *
 * @param name the node name
 * @param addresses IP addresses, the preferred {@link AddressType} first, then the other; host names
 *     and DNS entries are left out (a director needs an address it can route to)
 * @param labels the node's labels
 * @param readyCondition whether the {@code Ready} condition is {@code True}; a missing condition or
 *     {@code Unknown} (the node controller's verdict on a silent kubelet) counts as not ready
 * @param readyTransition the Ready condition's {@code lastTransitionTime}, or {@code null}
 * @param unschedulable {@code spec.unschedulable}, set by {@code kubectl cordon}
 * @param resourceVersion the object's resourceVersion, for logs
 */
public record NodeFacts(
        String name,
        List<InetAddress> addresses,
        Map<String, String> labels,
        boolean readyCondition,
        Instant readyTransition,
        boolean unschedulable,
        String resourceVersion) {

    public NodeFacts {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
        labels = Map.copyOf(labels);
    }

    /** Reduces a Node object; addresses ordered by {@code preferred}. Never throws for odd content. */
    public static NodeFacts from(Node node, AddressType preferred) {
        String name = node.getMetadata().getName();
        List<InetAddress> first = new ArrayList<>();
        List<InetAddress> second = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress a : node.getStatus().getAddresses()) {
                InetAddress ip = parseLiteral(a.getAddress());
                if (ip == null || a.getType() == null) {
                    continue;
                }
                if (a.getType().equals(preferred.kubernetesName())) {
                    addOnce(first, ip);
                } else if (a.getType().equals(preferred.other().kubernetesName())) {
                    addOnce(second, ip);
                }
            }
        }
        for (InetAddress ip : second) {
            addOnce(first, ip);
        }
        boolean ready = false;
        Instant transition = null;
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            for (NodeCondition c : node.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    ready = "True".equals(c.getStatus());
                    transition = parseTime(c.getLastTransitionTime());
                }
            }
        }
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return new NodeFacts(name, first, labels, ready, transition, cordoned,
                node.getMetadata().getResourceVersion());
    }

    /** The director-core view, with readiness already decided by the caller (grace applied). */
    public NodeView toView(boolean ready) {
        return new NodeView(name, addresses, labels, ready, unschedulable, labels.containsKey(NodeView.EXCLUDE_LABEL));
    }

    private static void addOnce(List<InetAddress> list, InetAddress ip) {
        if (!list.contains(ip)) {
            list.add(ip);
        }
    }

    /**
     * Parses an IP literal, never asking DNS ({@link InetAddress#getByName} would resolve anything
     * that is not a literal, on the informer thread). {@code null} for anything else.
     */
    static InetAddress parseLiteral(String text) {
        if (text == null) {
            return null;
        }
        try {
            return IpAddresses.parse(text.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Instant parseTime(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
