package io.lvsdirector.core.model;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the director needs to know about one Kubernetes node, as k8s-sync sees it.
 *
 * @param name the node name
 * @param addresses its addresses, preferred first (k8s-sync puts InternalIP before ExternalIP)
 * @param labels its labels
 * @param ready whether its Ready condition is True
 * @param unschedulable whether it is cordoned ({@code spec.unschedulable})
 * @param excludedFromLoadBalancers whether it carries the label
 *     {@value #EXCLUDE_LABEL}
 */
public record NodeView(
        String name,
        List<InetAddress> addresses,
        Map<String, String> labels,
        boolean ready,
        boolean unschedulable,
        boolean excludedFromLoadBalancers) {

    public static final String EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

    public NodeView {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("node name must not be blank");
        }
        addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
        labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    }

    /** A ready, schedulable node with one address and these labels. */
    public static NodeView of(String name, InetAddress address, Map<String, String> labels) {
        return new NodeView(name, List.of(address), labels, true, false, labels.containsKey(EXCLUDE_LABEL));
    }

    /** The first address of the same family as {@code vip}: DR needs the VIP's family. */
    public Optional<InetAddress> addressFor(InetAddress vip) {
        boolean v4 = vip instanceof Inet4Address;
        for (InetAddress a : addresses) {
            if ((a instanceof Inet4Address) == v4) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public NodeView withUnschedulable(boolean cordoned) {
        return new NodeView(name, addresses, labels, ready, cordoned, excludedFromLoadBalancers);
    }

    public NodeView withReady(boolean isReady) {
        return new NodeView(name, addresses, labels, isReady, unschedulable, excludedFromLoadBalancers);
    }

    public NodeView withExcluded(boolean excluded) {
        return new NodeView(name, addresses, labels, ready, unschedulable, excluded);
    }
}
