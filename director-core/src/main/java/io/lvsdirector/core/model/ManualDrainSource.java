package io.lvsdirector.core.model;

import java.util.Collection;

/** Drains requested by hand (the api module's drain endpoint). */
public interface ManualDrainSource {

    /** The drains in force now. No I/O; thread-safe. */
    Collection<ManualDrain> drains();

    /** Registers a listener called after every change. Thread-safe. */
    void addListener(SourceListener listener);
}
