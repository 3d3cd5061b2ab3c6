package io.lvsdirector.core.loop;

import io.lvsdirector.ipvs.Ipvs;

/**
 * Kernel state other than the service table that the director also keeps as desired — the
 * connection sync daemons of an HA pair. Such a task runs on the reconcile loop's thread at the start
 * of every pass, so the loop stays the only writer to the kernel's IPVS state.
 *
 * <p>A task runs even while the loop waits for its sources' first full view: whether this host
 * sends or receives the connection table does not depend on the service list.
 */
@FunctionalInterface
public interface KernelTask {

    /**
     * Brings this task's part of the kernel to what it wants. Must not throw for a kernel refusal:
     * the task keeps its own error for its status.
     *
     * @param ipvs the kernel table
     * @return true when the kernel is as wanted; false asks the loop to retry with its backoff
     */
    boolean reconcile(Ipvs ipvs);
}
