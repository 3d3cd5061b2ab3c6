package io.lvsdirector.core.status;

import io.lvsdirector.core.plan.ActualDestination;
import io.lvsdirector.core.plan.ActualService;
import io.lvsdirector.core.plan.ActualState;
import io.lvsdirector.core.plan.DesiredDestination;
import io.lvsdirector.core.plan.DesiredService;
import io.lvsdirector.core.plan.DesiredState;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Joins the desired state and the kernel table after a pass into per-server status. Pure. */
public final class StatusBuilder {

    private StatusBuilder() {
    }

    public static List<ServiceStatus> services(DesiredState desired, ActualState kernel) {
        return services(desired, kernel, Map.of());
    }

    /** @param errors the services out of step, with why */
    public static List<ServiceStatus> services(DesiredState desired, ActualState kernel,
            Map<VirtualServerKey, ApplyError> errors) {
        List<ServiceStatus> out = new ArrayList<>(desired.services().size());
        for (DesiredService ds : desired.services().values()) {
            ActualService as = kernel.services().get(ds.key());
            List<DestinationStatus> dests = new ArrayList<>(ds.destinations().size());
            for (DesiredDestination dd : ds.destinations().values()) {
                ActualDestination ad = as == null ? null : as.destinations().get(dd.key());
                int want = dd.desiredWeight();
                Integer desiredWeight = want < 0 ? null : want;
                // A draining server at 0 connections (or past its deadline) is wanted out, not at 0.
                if (dd.disposition() == io.lvsdirector.core.plan.Disposition.DRAINING && ad == null) {
                    desiredWeight = null;
                }
                dests.add(new DestinationStatus(dd.key().address(), dd.key().port(), dd.node(), desiredWeight,
                        ad == null ? null : ad.config().weight(), dd.health(), dd.disposition(), dd.reason(),
                        dd.since(), ad == null ? 0 : ad.activeConnections(),
                        ad == null ? 0 : ad.inactiveConnections()));
            }
            // A service that could not be read is in the kernel all the same.
            out.add(new ServiceStatus(ds.name(), ds.key(), kernel.hasService(ds.key()), ds.whenAllDown().label(),
                    ds.allDown(), dests, errors.get(ds.key())));
        }
        return out;
    }
}
