package io.lvsdirector.api.resources;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.kernel.KernelMapping;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.plan.ServiceKey;
import io.lvsdirector.core.status.DestinationStatus;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.k8s.ServiceSpecJson;
import java.util.Locale;
import java.util.Optional;

/**
 * The JSON of a service as {@code GET} answers it: its spec, and the status joining what the loop
 * wanted at its last pass with what the kernel has now (weights, connections, counters).
 */
final class StatusViews {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private StatusViews() {
    }

    /**
     * @param kernel a fresh kernel read for counters, or empty when it failed (counters are then
     *     left out, the rest still answers)
     */
    static ObjectNode service(ServiceSpec spec, ServiceSpecJson mapper, DirectorStatus loop,
            Optional<IpvsSnapshot> kernel) {
        ObjectNode o = F.objectNode();
        o.put("name", spec.name());
        o.set("spec", mapper.toJson(spec));
        ObjectNode status = o.putObject("status");
        ServiceKey key = ServiceKey.of(spec.service());
        ServiceStatus ss = loop.services().stream().filter(s -> s.name().equals(spec.name()) && s.key().equals(key))
                .findFirst().orElse(null);
        VirtualServerKey vkey = KernelMapping.key(key);
        IpvsSnapshot.Entry entry = kernel.map(k -> k.byKey().get(vkey)).orElse(null);
        status.put("reconciled", ss != null);
        status.put("inKernel", kernel.isPresent() ? entry != null : ss != null && ss.inKernel());
        status.put("whenAllDown", spec.whenAllDown().label());
        status.put("allDown", ss != null && ss.allDown());
        if (entry != null) {
            status.set("counters", counters(entry.service().stats()));
        }
        var list = status.putArray("realServers");
        if (ss != null) {
            for (DestinationStatus d : ss.destinations()) {
                ObjectNode r = list.addObject();
                r.put("address", IpAddresses.toText(d.address()));
                r.put("port", d.port());
                if (d.node() != null) {
                    r.put("node", d.node());
                }
                putWeight(r, "desiredWeight", d.desiredWeight());
                RealServerStatus krs = entry == null ? null : entry.realServers().stream()
                        .filter(x -> x.key().address().equals(d.address()) && x.key().port() == d.port())
                        .findFirst().orElse(null);
                if (kernel.isPresent()) {
                    putWeight(r, "kernelWeight", krs == null ? null : krs.spec().weight());
                } else {
                    putWeight(r, "kernelWeight", d.kernelWeight());
                }
                r.put("health", d.health().name().toLowerCase(Locale.ROOT));
                r.put("disposition", d.disposition().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                r.put("reason", d.reason());
                r.put("since", d.since().toString());
                r.put("activeConnections", krs == null ? d.activeConnections() : krs.activeConns());
                r.put("inactiveConnections", krs == null ? d.inactiveConnections() : krs.inactiveConns());
                if (krs != null) {
                    r.set("counters", counters(krs.stats()));
                }
            }
        }
        return o;
    }

    static ObjectNode counters(Stats s) {
        ObjectNode c = F.objectNode();
        c.put("connections", s.conns());
        c.put("inPackets", s.inPkts());
        c.put("outPackets", s.outPkts());
        c.put("inBytes", s.inBytes());
        c.put("outBytes", s.outBytes());
        return c;
    }

    private static void putWeight(ObjectNode o, String field, Integer w) {
        if (w == null) {
            o.putNull(field);
        } else {
            o.put(field, w);
        }
    }
}
