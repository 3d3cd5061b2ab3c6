package io.lvsdirector.core.ha;

import io.lvsdirector.ipvs.SyncDaemon;
import java.util.Objects;

/** One change to the kernel's sync daemons, as {@link HaPlanner#plan} lists them. */
public sealed interface DaemonOp {

    /** {@code ipvsadm --start-daemon STATE --mcast-interface IF --syncid ID}. */
    record Start(SyncDaemon daemon) implements DaemonOp {
        public Start {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /** {@code ipvsadm --stop-daemon STATE}. */
    record Stop(SyncDaemon.State state) implements DaemonOp {
        public Stop {
            Objects.requireNonNull(state, "state");
        }
    }
}
