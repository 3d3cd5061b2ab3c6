package io.lvsdirector.k8s.lb;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.lvsdirector.ipvs.IpAddresses;
import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a fabric8 {@link Service} into an {@link LbService}. Pure, no I/O. */
public final class LbServices {

    /** The annotation a Service asks for its addresses with, comma-separated (one per family). */
    public static final String IPS_ANNOTATION = "lvsdirector.io/load-balancer-ips";

    private LbServices() {}

    /**
     * @param className the {@code spec.loadBalancerClass} this director implements
     * @param isDefault whether it also takes LoadBalancer Services that name no class
     */
    public static LbService read(Service svc, String className, boolean isDefault) {
        ServiceSpec spec = svc.getSpec() == null ? new ServiceSpec() : svc.getSpec();
        var meta = svc.getMetadata();
        String cls = spec.getLoadBalancerClass();
        boolean ours = "LoadBalancer".equals(spec.getType())
                && (className.equals(cls) || (cls == null && isDefault));
        List<LbService.Port> ports = new ArrayList<>();
        if (spec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                ports.add(new LbService.Port(p.getName(), p.getProtocol() == null ? "TCP" : p.getProtocol(),
                        p.getPort() == null ? 0 : p.getPort(), p.getNodePort() == null ? 0 : p.getNodePort()));
            }
        }
        boolean local = "Local".equals(spec.getExternalTrafficPolicy());
        int hcnp = spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort();
        List<Boolean> families = new ArrayList<>();
        if (spec.getIpFamilies() != null) {
            for (String f : spec.getIpFamilies()) {
                families.add(!"IPv6".equals(f));
            }
        }
        boolean dual = "RequireDualStack".equals(spec.getIpFamilyPolicy());

        List<InetAddress> requested = new ArrayList<>();
        String problem = null;
        Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        String ask = annotations.get(IPS_ANNOTATION);
        String field = IPS_ANNOTATION + " annotation";
        if (ask == null || ask.isBlank()) {
            ask = spec.getLoadBalancerIP();
            field = "spec.loadBalancerIP";
        }
        if (ask != null && !ask.isBlank()) {
            for (String part : ask.split(",")) {
                try {
                    requested.add(IpAddresses.parse(part.trim()));
                } catch (RuntimeException e) {
                    problem = field + ": '" + part.trim() + "' is not an IP address";
                    requested.clear();
                    break;
                }
            }
        }
        if (problem == null && local && hcnp == 0) {
            // Without the node port kube-proxy answers on, there is no way to tell which nodes have
            // an endpoint: every node would get traffic and the ones without one would drop it.
            problem = "externalTrafficPolicy Local needs spec.healthCheckNodePort (kube-proxy's /healthz),"
                    + " which this Service does not have";
        }

        List<InetAddress> ingress = new ArrayList<>();
        if (svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
                && svc.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress i : svc.getStatus().getLoadBalancer().getIngress()) {
                if (i.getIp() != null) {
                    try {
                        ingress.add(IpAddresses.parse(i.getIp()));
                    } catch (RuntimeException e) {
                        // Someone else's entry we cannot read: not ours, ignore it.
                    }
                }
            }
        }
        return new LbService(meta.getNamespace() == null ? "default" : meta.getNamespace(), meta.getName(),
                meta.getUid(), created(meta.getCreationTimestamp()), ours, ports, local, hcnp, families, dual,
                requested, problem, ingress);
    }

    private static Instant created(String text) {
        if (text == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
