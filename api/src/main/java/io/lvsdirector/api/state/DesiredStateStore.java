package io.lvsdirector.api.state;

import io.lvsdirector.core.model.ManualDrain;
import io.lvsdirector.core.model.ManualDrainSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.ServiceStore;
import java.util.Optional;

/**
 * The director's desired state as the REST API edits it: the services and the drains made by hand.
 * The reconcile loop reads it as a {@link ServiceStore} and a {@link ManualDrainSource}.
 *
 * <p>Every write is all or nothing: it is checked against the whole state (one
 * VIP:port:protocol per service), made durable, and only then visible to readers and announced to
 * listeners. Implementations are thread-safe; writes are serialised.
 */
public interface DesiredStateStore extends ServiceStore, ManualDrainSource {

    /** The service with this name. No I/O. */
    Optional<ServiceSpec> get(String name);

    /** The state's version: starts at 1 and grows by one with every successful write. */
    long version();

    /** Whether {@link #put}, {@link #delete}, {@link #drain} and {@link #undrain} are supported. */
    boolean writable();

    /**
     * Creates or replaces the service {@code spec.name()}.
     *
     * @return true if it was created, false if it replaced one
     * @throws ConflictException if another service has the same protocol, VIP and port
     * @throws ReadOnlyStateException if the store is not {@link #writable()}
     * @throws StateWriteException if the change could not be made durable (the state is then unchanged)
     */
    boolean put(ServiceSpec spec);

    /**
     * Deletes a service and the drains made by hand for it.
     *
     * @return false if there was no such service
     * @throws ReadOnlyStateException if the store is not {@link #writable()}
     * @throws StateWriteException if the change could not be made durable (the state is then unchanged)
     */
    boolean delete(String name);

    /**
     * Starts a drain by hand.
     *
     * @return false if that drain was already in force
     * @throws ReadOnlyStateException if the store is not {@link #writable()}
     * @throws StateWriteException if the change could not be made durable (the state is then unchanged)
     */
    boolean drain(ManualDrain drain);

    /**
     * Ends a drain by hand.
     *
     * @return false if that drain was not in force
     * @throws ReadOnlyStateException if the store is not {@link #writable()}
     * @throws StateWriteException if the change could not be made durable (the state is then unchanged)
     */
    boolean undrain(ManualDrain drain);
}
