package io.lvsdirector.core.plan;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.VirtualService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which services each probe target feeds, and the other way round, for one desired state: a
 * health transition of a target then rebuilds only its services
 * ({@link DesiredStateBuilder#rebuild}). A target shared by several services (one node in two
 * services with the same check) maps to all of them. Immutable.
 */
public final class ServiceTargets {

    private final Map<ProbeTarget, List<ServiceKey>> servicesByTarget;
    private final Map<ServiceKey, List<ProbeTarget>> targetsByService;

    private ServiceTargets(Map<ProbeTarget, List<ServiceKey>> servicesByTarget,
            Map<ServiceKey, List<ProbeTarget>> targetsByService) {
        this.servicesByTarget = servicesByTarget;
        this.targetsByService = targetsByService;
    }

    /**
     * @param desired a state built from {@code specs}
     * @param specs the specs it was built from
     */
    public static ServiceTargets of(DesiredState desired, Collection<ServiceSpec> specs) {
        Map<ProbeTarget, List<ServiceKey>> byTarget = new HashMap<>();
        Map<ServiceKey, List<ProbeTarget>> byService = new HashMap<>();
        for (ServiceSpec spec : specs) {
            VirtualService vs = spec.service();
            ServiceKey key = ServiceKey.of(vs);
            DesiredService ds = desired.services().get(key);
            if (ds == null || !ds.name().equals(spec.name()) || spec.healthCheck() == null) {
                continue;
            }
            HealthCheck check = spec.healthCheck().resolvePort(vs.port());
            List<ProbeTarget> targets = new ArrayList<>(ds.destinations().size());
            for (DesiredDestination d : ds.destinations().values()) {
                if (d.disposition() == Disposition.SORRY) {
                    continue;
                }
                ProbeTarget t = new ProbeTarget(d.key().address(), check);
                targets.add(t);
                byTarget.computeIfAbsent(t, x -> new ArrayList<>(1)).add(key);
            }
            byService.put(key, targets);
        }
        return new ServiceTargets(byTarget, byService);
    }

    /** The services that use any of {@code targets}. */
    public Set<ServiceKey> servicesOf(Collection<ProbeTarget> targets) {
        Set<ServiceKey> out = new HashSet<>();
        for (ProbeTarget t : targets) {
            out.addAll(servicesByTarget.getOrDefault(t, List.of()));
        }
        return out;
    }

    /** The targets a service's real servers are probed as (none for an unchecked service). */
    public List<ProbeTarget> targetsOf(ServiceKey service) {
        return targetsByService.getOrDefault(service, List.of());
    }
}
