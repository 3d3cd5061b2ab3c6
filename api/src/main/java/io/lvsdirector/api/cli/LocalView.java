package io.lvsdirector.api.cli;

import io.lvsdirector.api.config.LvsDirectorConfiguration;
import io.lvsdirector.api.config.StateFactory;
import io.lvsdirector.api.runtime.DirectorBuilder;
import io.lvsdirector.api.state.FileServiceStore;
import io.lvsdirector.api.state.StateFileException;
import java.nio.file.Files;

/** What the one-shot commands share: the desired state read from the state file, without creating it. */
final class LocalView {

    private LocalView() {
    }

    /**
     * @throws StateFileException if the file is missing, corrupt or invalid
     * @throws IllegalStateException if the desired state is not in a local file
     */
    static FileServiceStore store(LvsDirectorConfiguration config) throws StateFileException {
        StateFactory state = config.getState();
        if (state.getStore() != StateFactory.Store.file) {
            throw new IllegalStateException("this command reads the local state file; with state.store: kubernetes"
                    + " use the running server's GET /v1/services");
        }
        if (!Files.exists(state.getFile())) {
            throw new StateFileException(state.getFile(), "state file does not exist"
                    + (state.isCreateIfMissing() ? " yet (the server creates it empty at its first start)" : ""));
        }
        return FileServiceStore.load(state.getFile(), DirectorBuilder.mapper(config), false);
    }
}
