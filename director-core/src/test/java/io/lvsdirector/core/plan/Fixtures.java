package io.lvsdirector.core.plan;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.HealthStatus;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.NodeView;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Small builders shared by the plan tests. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final HealthCheck PING = HealthCheck.http().withPort(8080);

    private Fixtures() {
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ServiceSpec staticService(String name, String vip, int port, String... rs) {
        List<StaticRealServer> list = new ArrayList<>();
        for (String r : rs) {
            list.add(new StaticRealServer(ip(r), 100));
        }
        return ServiceSpec.of(VirtualService.tcp(name, ip(vip), port), new RealServerSource.StaticList(list), PING);
    }

    static ServiceSpec withPolicy(ServiceSpec s, WhenAllDown policy) {
        return new ServiceSpec(s.service(), s.realServers(), s.healthCheck(), policy, s.drainTimeout());
    }

    static ServiceSpec withDrainTimeout(ServiceSpec s, Duration timeout) {
        return new ServiceSpec(s.service(), s.realServers(), s.healthCheck(), s.whenAllDown(), timeout);
    }

    static ProbeTarget target(String address) {
        return new ProbeTarget(ip(address), PING);
    }

    static HealthStatus healthy() {
        return new HealthStatus(HealthState.HEALTHY, "ok", T0);
    }

    static HealthStatus failed(String reason) {
        return new HealthStatus(HealthState.FAILED, reason, T0);
    }

    static HealthStatus draining() {
        return new HealthStatus(HealthState.DRAINING, "draining: 503", T0);
    }

    static NodeView node(String name, String address, Map<String, String> labels) {
        return NodeView.of(name, ip(address), labels);
    }

    static VirtualServerKey key(String vip, int port) {
        return VirtualServerKey.of(io.lvsdirector.ipvs.Protocol.TCP, ip(vip), port);
    }

    static RealServerKey dest(String address, int port) {
        return new RealServerKey(ip(address), port);
    }

    /** The kernel table that {@code state} leads to, as if every op of a plan had succeeded. */
    static KernelTable apply(KernelTable actual, Plan plan) {
        KernelTable s = actual;
        for (PlanOp op : plan.ops()) {
            s = s.after(op.op());
        }
        return s;
    }

    /** A kernel table holding one service with these realServers. */
    static KernelTable table(VirtualServerKey key, VirtualServerSpec config, RealServerStatus... dests) {
        TreeMap<RealServerKey, RealServerStatus> d = new TreeMap<>();
        for (RealServerStatus a : dests) {
            d.put(a.key(), a);
        }
        TreeMap<VirtualServerKey, KernelService> t = new TreeMap<>();
        t.put(key, new KernelService(key, config, d));
        return new KernelTable(t);
    }

    static KernelTable plus(KernelTable a, KernelTable b) {
        TreeMap<VirtualServerKey, KernelService> t = new TreeMap<>(a.services());
        t.putAll(b.services());
        return new KernelTable(t);
    }
}
