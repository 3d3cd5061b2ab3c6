package io.lvsdirector.api.resources;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.status.ApplyError;
import io.lvsdirector.core.status.DirectorStatus;
import io.lvsdirector.core.status.KernelView;
import io.lvsdirector.core.status.RealServerReport;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.spec.ServiceSpecJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The JSON of a service as {@code GET} answers it: its spec, and the status the loop published after
 * its last pass (weights and connections as the loop's table has them, {@code applyError} while the
 * kernel refuses a change of it), with the counters of the loop's last kernel read and that read's
 * age. Nothing here reads the kernel.
 */
final class StatusViews {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private StatusViews() {
    }

    /**
     * @param kernel a kernel read for counters, or empty (counters are then left out, the rest still
     *     answers)
     */
    static ObjectNode service(ServiceSpec spec, ServiceSpecJson mapper, DirectorStatus loop,
            Optional<IpvsSnapshot> kernel) {
        return service(spec, mapper, loop, kernel.map(k -> new KernelView(k, Instant.EPOCH)), null);
    }

    /**
     * @param view the loop's last kernel read, for counters and its age
     * @param clock for the age; {@code null} leaves the read time out
     */
    static ObjectNode service(ServiceSpec spec, ServiceSpecJson mapper, DirectorStatus loop,
            Optional<KernelView> view, Clock clock) {
        ObjectNode o = F.objectNode();
        o.put("name", spec.name());
        o.set("spec", mapper.toJson(spec));
        ObjectNode status = o.putObject("status");
        VirtualServerKey key = spec.service().key();
        ServiceStatus ss = loop.services().stream().filter(s -> s.name().equals(spec.name()) && s.key().equals(key))
                .findFirst().orElse(null);
        IpvsSnapshot.Entry entry = view.map(k -> k.snapshot().byKey().get(key)).orElse(null);
        status.put("reconciled", ss != null);
        status.put("inKernel", ss != null ? ss.inKernel() : entry != null);
        status.put("whenAllDown", spec.whenAllDown().label());
        status.put("allDown", ss != null && ss.allDown());
        status.put("minHealthy", spec.quorum().minHealthy());
        if (ss == null || ss.belowQuorumSince() == null) {
            status.putNull("belowQuorumSince");
        } else {
            status.put("belowQuorumSince", ss.belowQuorumSince().toString());
        }
        ApplyError e = ss == null ? null : ss.applyError();
        if (e == null) {
            status.putNull("applyError");
        } else {
            ObjectNode a = status.putObject("applyError");
            a.put("op", e.op());
            a.put("errno", e.errno());
            a.put("message", e.message());
            a.put("since", e.since().toString());
            a.put("failures", e.failures());
        }
        if (clock != null) {
            putReadAt(status, view.map(KernelView::readAt).orElse(null), clock);
        }
        if (entry != null) {
            status.set("counters", counters(entry.service().stats()));
        }
        var list = status.putArray("realServers");
        if (ss != null) {
            for (RealServerReport d : ss.realServers()) {
                ObjectNode r = list.addObject();
                r.put("address", IpAddresses.toText(d.address()));
                r.put("port", d.port());
                if (d.node() != null) {
                    r.put("node", d.node());
                }
                putWeight(r, "desiredWeight", d.desiredWeight());
                putWeight(r, "kernelWeight", d.kernelWeight());
                r.put("health", d.health().name().toLowerCase(Locale.ROOT));
                r.put("disposition", d.disposition().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                r.put("reason", d.reason());
                r.put("since", d.since().toString());
                r.put("activeConnections", d.activeConnections());
                r.put("inactiveConnections", d.inactiveConnections());
                RealServerStatus krs = entry == null ? null : entry.realServers().stream()
                        .filter(x -> x.key().address().equals(d.address()) && x.key().port() == d.port())
                        .findFirst().orElse(null);
                if (krs != null) {
                    r.set("counters", counters(krs.stats()));
                }
            }
        }
        return o;
    }

    /** {@code kernelReadAt} (null before the first read) and {@code kernelAgeSeconds}. */
    static void putReadAt(ObjectNode o, Instant readAt, Clock clock) {
        if (readAt == null) {
            o.putNull("kernelReadAt");
            o.putNull("kernelAgeSeconds");
        } else {
            o.put("kernelReadAt", readAt.toString());
            o.put("kernelAgeSeconds", ageSeconds(readAt, clock));
        }
    }

    /** Seconds from {@code at} to now, millisecond precision, never negative. */
    static double ageSeconds(Instant at, Clock clock) {
        long ms = Duration.between(at, clock.instant()).toMillis();
        return Math.max(0, ms) / 1000.0;
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
