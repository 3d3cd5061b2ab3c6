package io.lvsdirector.core.status;

import io.lvsdirector.core.plan.DesiredRealServer;
import io.lvsdirector.core.plan.DesiredService;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.core.plan.KernelService;
import io.lvsdirector.core.plan.KernelTable;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Joins the desired state and the kernel table after a pass into per-server status. Pure. */
public final class StatusBuilder {

    private StatusBuilder() {
    }

    public static List<ServiceStatus> services(DesiredState desired, KernelTable kernel) {
        return services(desired, kernel, Map.of());
    }

    /** @param errors the services out of step, with why */
    public static List<ServiceStatus> services(DesiredState desired, KernelTable kernel,
            Map<VirtualServerKey, ApplyError> errors) {
        List<ServiceStatus> out = new ArrayList<>(desired.services().size());
        for (DesiredService ds : desired.services().values()) {
            if (io.lvsdirector.core.plan.VipPaths.isInternal(ds.name())) {
                // The director's own probe paths are not services anyone asked for.
                continue;
            }
            KernelService as = kernel.services().get(ds.key());
            List<RealServerReport> servers = new ArrayList<>(ds.realServers().size());
            for (DesiredRealServer dd : ds.realServers().values()) {
                RealServerStatus ad = as == null ? null : as.realServers().get(dd.key());
                int want = dd.desiredWeight();
                Integer desiredWeight = want < 0 ? null : want;
                // A draining server at 0 connections (or past its deadline) is wanted out, not at 0.
                if (dd.disposition() == io.lvsdirector.core.plan.Disposition.DRAINING && ad == null) {
                    desiredWeight = null;
                }
                servers.add(new RealServerReport(dd.key().address(), dd.key().port(), dd.node(), desiredWeight,
                        ad == null ? null : ad.spec().weight(), dd.health(), dd.disposition(), dd.reason(),
                        dd.since(), ad == null ? 0 : ad.activeConns(),
                        ad == null ? 0 : ad.inactiveConns()));
            }
            // A service that could not be read is in the kernel all the same.
            out.add(new ServiceStatus(ds.name(), ds.key(), kernel.hasService(ds.key()), ds.whenAllDown().label(),
                    ds.allDown(), servers, errors.get(ds.key()), ds.minHealthy(), ds.belowQuorumSince()));
        }
        return out;
    }
}
