package io.lvsdirector.core.loop;

import io.lvsdirector.ipvs.VirtualServerKey;
import java.util.Optional;
import java.util.Set;

/**
 * Where the reconcile loop keeps the set of kernel services the director owns (created, or adopted
 * on request), so that ownership outlives a restart: a service removed from the desired state while
 * the director was stopped is deleted at the next start, and a service it never owned is never
 * deleted.
 *
 * <p>Called only from the loop's thread.
 */
public interface OwnershipStore {

    /**
     * The services owned when the director last saved; empty when nothing was ever saved (a first
     * start, or a director upgraded from a version that did not record ownership).
     */
    Optional<Set<VirtualServerKey>> load();

    /**
     * Saves the set durably before the loop acts on it (a service is saved as owned before it is
     * created, and dropped only after it was deleted).
     *
     * @throws java.io.UncheckedIOException when it cannot be saved (disk full): the loop then leaves
     *     the services whose ownership would change untouched and retries
     */
    void save(Set<VirtualServerKey> owned);

    /** Keeps ownership in memory only (tests, one-shot commands). */
    static OwnershipStore inMemory() {
        return new OwnershipStore() {
            private Set<VirtualServerKey> owned;

            @Override
            public synchronized Optional<Set<VirtualServerKey>> load() {
                return Optional.ofNullable(owned);
            }

            @Override
            public synchronized void save(Set<VirtualServerKey> set) {
                owned = Set.copyOf(set);
            }
        };
    }
}
