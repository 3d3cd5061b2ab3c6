package io.lvsdirector.api.ecmp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lvsdirector.core.ecmp.Announcement;
import io.lvsdirector.core.ecmp.BirdProtocol;
import io.lvsdirector.core.ecmp.BirdView;
import io.lvsdirector.core.ecmp.EcmpStatus;
import io.lvsdirector.core.ecmp.VipRange;
import io.lvsdirector.ipvs.IpAddresses;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/** The JSON of {@code GET /v1/ecmp}. */
public final class EcmpViews {

    private EcmpViews() {
    }

    public static ObjectNode disabled() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("enabled", false);
        return o;
    }

    public static ObjectNode view(EcmpStatus st, List<VipRange> ranges) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("enabled", true);
        o.put("interface", st.interfaceName());
        var r = o.putArray("vipRanges");
        ranges.forEach(x -> r.add(x.toString()));
        var vips = o.putArray("vips");
        for (Announcement a : st.decisions().values()) {
            ObjectNode v = vips.addObject();
            v.put("vip", IpAddresses.toText(a.vip()));
            v.put("announced", a.announced());
            v.put("reason", a.reason().label());
            if (a.service() != null) {
                v.put("service", a.service());
            } else {
                v.putNull("service");
            }
            var names = v.putArray("services");
            a.services().forEach(names::add);
            Instant since = st.since().get(a.vip());
            v.put("since", since == null ? null : since.toString());
        }
        if (st.onInterface() == null) {
            o.putNull("onInterface");
        } else {
            var on = o.putArray("onInterface");
            for (InetAddress a : st.onInterface()) {
                on.add(IpAddresses.toText(a));
            }
        }
        o.put("lastError", st.lastError());
        o.put("at", st.at() == null ? null : st.at().toString());
        ObjectNode b = o.putObject("bird");
        BirdView bird = st.bird();
        if (bird == null) {
            b.putNull("reachable");
        } else {
            b.put("reachable", bird.reachable());
            b.put("error", bird.error());
            b.put("at", bird.at().toString());
            var sessions = b.putArray("bgp");
            for (BirdProtocol p : bird.bgp()) {
                ObjectNode s = sessions.addObject();
                s.put("protocol", p.name());
                s.put("state", p.state());
                s.put("up", p.up());
                s.put("since", p.since());
                s.put("info", p.info());
            }
        }
        return o;
    }
}
