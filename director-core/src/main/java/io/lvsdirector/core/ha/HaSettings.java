package io.lvsdirector.core.ha;

import io.lvsdirector.ipvs.SyncDaemon;
import java.net.InetAddress;
import java.util.Objects;

/**
 * How this director runs the kernel's connection sync daemons. Both daemons (master and backup) use
 * the same values: the peer's backup daemon only accepts what was sent with its own sync id.
 *
 * @param syncInterface multicast interface ({@code --mcast-interface}), checked as the kernel checks it
 * @param syncId sync id 0..255 ({@code --syncid}); both directors of a pair use the same
 * @param maxLen UDP payload size ({@code --sync-maxlen}), 0 = the kernel's default (from the MTU)
 * @param port multicast base port ({@code --mcast-port}), 0 = 8848
 * @param ttl multicast TTL ({@code --mcast-ttl}), 0 = 1
 * @param multicastGroup multicast group ({@code --mcast-group}), {@code null} = 224.0.0.81
 */
public record HaSettings(String syncInterface, int syncId, int maxLen, int port, int ttl,
        InetAddress multicastGroup) {

    public HaSettings {
        Objects.requireNonNull(syncInterface, "syncInterface");
        // SyncDaemon's constructor holds the kernel's limits; building one validates them all.
        new SyncDaemon(SyncDaemon.State.BACKUP, syncInterface, syncId, maxLen, port, ttl, multicastGroup);
    }

    /** The kernel's defaults for everything but the interface and the sync id. */
    public static HaSettings of(String syncInterface, int syncId) {
        return new HaSettings(syncInterface, syncId, 0, 0, 0, null);
    }

    /** The daemon to start in {@code state}. */
    public SyncDaemon daemon(SyncDaemon.State state) {
        return new SyncDaemon(state, syncInterface, syncId, maxLen, port, ttl, multicastGroup);
    }
}
