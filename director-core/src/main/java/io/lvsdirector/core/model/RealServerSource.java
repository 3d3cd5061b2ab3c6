package io.lvsdirector.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** Where a virtual service's real servers come from: a static list, or the nodes a selector matches. */
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

    static void checkWeight(int weight) {
        if (weight < 1 || weight > 65535) {
            throw new IllegalArgumentException("weight must be 1..65535: " + weight);
        }
    }
}
