package io.lvsdirector.k8s.lb;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the load-balancer controller reads of one Kubernetes {@code Service}, with no fabric8 type:
 * the allocator and the spec builder are pure functions of these.
 *
 * @param namespace its namespace
 * @param name its name
 * @param uid its {@code metadata.uid}
 * @param created its {@code metadata.creationTimestamp} (the older of two claims wins)
 * @param ours whether this director implements it: {@code type: LoadBalancer} and our class (or no
 *     class when we are the default implementation)
 * @param ports its {@code spec.ports}
 * @param localTraffic {@code externalTrafficPolicy: Local}
 * @param healthCheckNodePort {@code spec.healthCheckNodePort}, 0 if none
 * @param families {@code spec.ipFamilies} as {@code true} = IPv4, in order; empty when the server
 *     set none
 * @param dualStack {@code spec.ipFamilyPolicy} is {@code RequireDualStack} (every family or none)
 * @param requested the addresses asked for ({@code spec.loadBalancerIP} or the
 *     {@code lvsdirector.io/load-balancer-ips} annotation); empty when none
 * @param requestProblem why the request could not be read (a malformed address), null if none
 * @param ingress the IPs in {@code status.loadBalancer.ingress}: the allocation as the cluster records it
 */
public record LbService(String namespace, String name, String uid, Instant created, boolean ours, List<Port> ports,
        boolean localTraffic, int healthCheckNodePort, List<Boolean> families, boolean dualStack,
        List<InetAddress> requested, String requestProblem, List<InetAddress> ingress) {

    /** One {@code spec.ports} entry; {@code nodePort} 0 when none was allocated. */
    public record Port(String name, String protocol, int port, int nodePort) {
        public Port {
            Objects.requireNonNull(protocol, "protocol");
            name = name == null ? "" : name;
        }
    }

    public LbService {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        uid = uid == null ? "" : uid;
        created = created == null ? Instant.EPOCH : created;
        ports = List.copyOf(ports);
        families = List.copyOf(families);
        requested = List.copyOf(requested);
        ingress = List.copyOf(ingress);
    }

    /** {@code namespace/name}, as kubectl and logs name it. */
    public String key() {
        return namespace + "/" + name;
    }
}
