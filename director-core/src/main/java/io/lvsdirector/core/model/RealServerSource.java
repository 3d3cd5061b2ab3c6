package io.lvsdirector.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a virtual service's real servers come from: a static list, the nodes a selector matches, or
 * the nodes that serve a Kubernetes Service (its EndpointSlices).
 */
public sealed interface RealServerSource {

    /** A fixed list of addresses, as an operator writes it in the config file. */
    record StaticList(List<StaticRealServer> servers) implements RealServerSource {
        public StaticList {
            servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
            long distinct = servers.stream().map(StaticRealServer::address).distinct().count();
            if (distinct != servers.size()) {
                throw new IllegalArgumentException("static real servers must have distinct addresses");
            }
        }
    }

    /**
     * The Kubernetes nodes whose labels contain every entry of {@code labels} (an empty map matches
     * every node). The k8s-sync module resolves it into {@link NodeView}s through a {@link NodeSource}.
     *
     * @param labels label equality requirements
     * @param weight the weight every matching node gets, 1..65535
     */
    record NodeSelector(Map<String, String> labels, int weight) implements RealServerSource {
        private static final Pattern LABEL_KEY =
                Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

        public NodeSelector {
            labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
            labels.keySet().forEach(k -> {
                if (!LABEL_KEY.matcher(k).matches()) {
                    throw new IllegalArgumentException("not a label key: '" + k + "'");
                }
            });
            checkWeight(weight);
        }

        /** Whether a node with these labels is selected. */
        public boolean matches(Map<String, String> nodeLabels) {
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (!e.getValue().equals(nodeLabels.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The nodes that serve a Kubernetes Service, from its EndpointSlices: with
     * {@code externalTrafficPolicy: Local} the nodes hosting a ready endpoint (a node whose endpoints
     * are all terminating drains), with {@code Cluster} every node. k8s-sync resolves it through an
     * {@link EndpointSource} into a {@link ServiceEndpointsView}, and the nodes through the
     * {@link NodeSource}; the node rules (not ready, cordoned, excluded) apply as for a selector.
     *
     * <p>The real-server port is the virtual service's own: with direct routing the node receives
     * VIP:port unchanged and kube-proxy there matches the Service's LoadBalancer address and port.
     *
     * @param namespace the Service's namespace (a DNS-1123 label)
     * @param name the Service's name (a DNS-1035 label)
     * @param port the Service port, by name ({@code "https"}) or number ({@code "443"}) as text
     * @param weight the weight every serving node gets, 1..65535
     */
    record ServiceEndpoints(String namespace, String name, String port, int weight) implements RealServerSource {
        /** DNS-1123 label: a namespace. */
        public static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
        /** DNS-1035 label: a Service name. */
        public static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
        /** IANA_SVC_NAME (a port name: at most 15, a letter among them, no "--") or a number 1..65535. */
        private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");

        public ServiceEndpoints {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(port, "port");
            if (!NAMESPACE.matcher(namespace).matches()) {
                throw new IllegalArgumentException("not a namespace name: '" + namespace + "'");
            }
            if (!SERVICE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a Service name: '" + name + "'");
            }
            String problem = portProblem(port);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            checkWeight(weight);
        }

        /** Why {@code port} is neither a port name nor a number 1..65535, or {@code null}. */
        public static String portProblem(String port) {
            if (port.chars().allMatch(Character::isDigit) && !port.isEmpty()) {
                if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                    return "a Service port number is 1..65535: " + port;
                }
                return null;
            }
            if (!PORT_NAME.matcher(port).matches() || port.contains("--") || port.chars().noneMatch(Character::isLetter)) {
                return "not a Service port name (IANA_SVC_NAME) or number: '" + port + "'";
            }
            return null;
        }

        /** The port as a number, or -1 when it is a name. */
        public int portNumber() {
            return port.chars().allMatch(Character::isDigit) ? Integer.parseInt(port) : -1;
        }

        /** {@code namespace/name}: the key of the Service's view in an {@link EndpointSource}. */
        public String serviceKey() {
            return namespace + "/" + name;
        }
    }

    static void checkWeight(int weight) {
        if (weight < 1 || weight > 65535) {
            throw new IllegalArgumentException("weight must be 1..65535: " + weight);
        }
    }
}
