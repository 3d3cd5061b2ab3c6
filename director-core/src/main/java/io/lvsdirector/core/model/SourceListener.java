package io.lvsdirector.core.model;

/**
 * Told that a source's content changed. Implementations only record that fact and ask for a
 * reconcile pass; they must not block or do the work themselves (the pass reads the newest content
 * from the source, not from the notification).
 */
@FunctionalInterface
public interface SourceListener {

    /** Called on the source's own thread after its content changed. Must return quickly and not throw. */
    void changed();
}
