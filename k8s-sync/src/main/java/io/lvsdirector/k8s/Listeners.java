package io.lvsdirector.k8s;

import io.lvsdirector.core.model.SourceListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/**
 * A source's listeners: added from any thread, all told on {@link #fire()}; one that throws is
 * logged ({@code event=listener_failed}, on the source's logger) and the others still hear.
 */
final class Listeners {

    private final Logger log;
    private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();

    Listeners(Logger log) {
        this.log = log;
    }

    void add(SourceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void fire() {
        for (SourceListener l : listeners) {
            try {
                l.changed();
            } catch (RuntimeException e) {
                log.warn("event=listener_failed listener={}", l, e);
            }
        }
    }
}
