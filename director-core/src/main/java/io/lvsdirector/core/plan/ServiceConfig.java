package io.lvsdirector.core.plan;

import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.model.VirtualService;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The part of a virtual service the kernel can change in place ({@code ipvsadm -E}): a difference
 * here is an edit, never a delete and add.
 */
public record ServiceConfig(String scheduler, Set<ServiceFlag> flags, Persistence persistence) {

    public ServiceConfig {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(persistence, "persistence");
        flags = flags == null || flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
    }

    public static ServiceConfig of(VirtualService service) {
        return new ServiceConfig(service.scheduler(), service.flags(), service.persistence());
    }
}
