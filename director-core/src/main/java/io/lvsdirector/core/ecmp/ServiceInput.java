package io.lvsdirector.core.ecmp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What the announce planner needs to know of one service, taken from the loop's published status and
 * the service's spec.
 *
 * @param name the service's name
 * @param vip its virtual address ({@code null} for a fwmark service, which has none to announce)
 * @param scheduler its kernel scheduler
 * @param inKernel whether the kernel had it after the last pass
 * @param applyError whether the kernel refused its last change (this director's table is out of step)
 * @param belowQuorum whether fewer real servers than its quorum are healthy (by default: none)
 */
public record ServiceInput(String name, InetAddress vip, String scheduler, boolean inKernel, boolean applyError,
        boolean belowQuorum) {

    public ServiceInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scheduler, "scheduler");
    }
}
