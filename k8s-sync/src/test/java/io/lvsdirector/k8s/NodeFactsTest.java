package io.lvsdirector.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.spec.AddressType;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeFactsTest {

    private static Node node(String readyStatus) {
        return new NodeBuilder()
                .withNewMetadata().withName("n1").withResourceVersion("7")
                .withLabels(Map.of(NodeView.EXCLUDE_LABEL, "")).endMetadata()
                .withNewSpec().withUnschedulable(true).endSpec()
                .withNewStatus()
                .addNewAddress().withType("Hostname").withAddress("n1").endAddress()
                .addNewAddress().withType("InternalDNS").withAddress("n1.cluster.local").endAddress()
                .addNewAddress().withType("ExternalIP").withAddress("203.0.113.7").endAddress()
                .addNewAddress().withType("InternalIP").withAddress("10.0.0.7").endAddress()
                .addNewAddress().withType("InternalIP").withAddress("fd00::7").endAddress()
                .addNewAddress().withType("InternalIP").withAddress("999.0.0.1").endAddress()
                .addNewCondition().withType("MemoryPressure").withStatus("False").endCondition()
                .addNewCondition().withType("Ready").withStatus(readyStatus)
                .withLastTransitionTime("2026-01-01T00:00:10Z").endCondition()
                .endStatus().build();
    }

    @Test
    void internalFirstThenExternalAndNeverAName() {
        NodeFacts f = NodeFacts.from(node("True"), AddressType.INTERNAL_IP);
        assertThat(f.addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("10.0.0.7", "fd00:0:0:0:0:0:0:7", "203.0.113.7");
        NodeFacts g = NodeFacts.from(node("True"), AddressType.EXTERNAL_IP);
        assertThat(g.addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("203.0.113.7", "10.0.0.7", "fd00:0:0:0:0:0:0:7");
    }

    @Test
    void readyCordonAndExcludeAreRead() {
        NodeFacts f = NodeFacts.from(node("True"), AddressType.INTERNAL_IP);
        assertThat(f.readyCondition()).isTrue();
        assertThat(f.readyTransition()).isEqualTo(Instant.parse("2026-01-01T00:00:10Z"));
        assertThat(f.unschedulable()).isTrue();
        assertThat(f.resourceVersion()).isEqualTo("7");
        NodeView v = f.toView(true);
        assertThat(v.excludedFromLoadBalancers()).isTrue();
        assertThat(v.unschedulable()).isTrue();
        assertThat(NodeFacts.from(node("False"), AddressType.INTERNAL_IP).readyCondition()).isFalse();
        // The node controller writes Unknown when the kubelet stops reporting: not ready.
        assertThat(NodeFacts.from(node("Unknown"), AddressType.INTERNAL_IP).readyCondition()).isFalse();
    }

    @Test
    void aBareNodeIsNotReadyAndHasNoAddresses() {
        Node bare = new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build();
        NodeFacts f = NodeFacts.from(bare, AddressType.INTERNAL_IP);
        assertThat(f.readyCondition()).isFalse();
        assertThat(f.addresses()).isEmpty();
        assertThat(f.labels()).isEmpty();
        assertThat(f.unschedulable()).isFalse();
    }
}
