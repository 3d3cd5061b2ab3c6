package io.lvsdirector.core.ha;

import java.io.IOException;
import java.util.Map;

/**
 * Where the instance states survive a restart of the service: keepalived reports a state only when
 * it changes, so a director restarted while MASTER must remember that by itself.
 *
 * <p>Called under {@link HaController}'s lock, one call at a time.
 */
public interface HaStore {

    /**
     * The saved states by instance name; empty when nothing was saved yet.
     *
     * @throws IOException if what was saved cannot be read
     */
    Map<String, InstanceState> load() throws IOException;

    /**
     * Replaces what is saved, atomically: after a crash the old or the new map is there, never a mix.
     *
     * @throws IOException if the new map could not be made durable (the old one is still there)
     */
    void save(Map<String, InstanceState> instances) throws IOException;

    /** A store that keeps nothing across a restart: for tests and one-shot tools. */
    static HaStore inMemory() {
        return new HaStore() {
            private Map<String, InstanceState> saved = Map.of();

            @Override
            public Map<String, InstanceState> load() {
                return saved;
            }

            @Override
            public void save(Map<String, InstanceState> instances) {
                saved = Map.copyOf(instances);
            }
        };
    }
}
