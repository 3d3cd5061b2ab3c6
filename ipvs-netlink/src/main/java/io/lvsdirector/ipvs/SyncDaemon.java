package io.lvsdirector.ipvs;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A connection synchronisation daemon, {@code ipvsadm --start-daemon} / {@code -L --daemon}.
 *
 * <p>When starting, 0 for maxLen, port and ttl and a {@code null} group ask for the kernel's
 * defaults; when read back the kernel reports the values in effect (port 8848, ttl 1, group
 * 224.0.0.81 unless set, and a max length derived from the interface MTU).
 *
 * @param state MASTER or BACKUP
 * @param interfaceName multicast interface ({@code --mcast-interface}), 1..15 characters
 * @param syncId sync id 0..255 ({@code --syncid})
 * @param maxLen UDP payload size ({@code --sync-maxlen}), 0..65535, 0 = kernel default
 * @param port multicast base port ({@code --mcast-port}), 0..65535, 0 = 8848
 * @param ttl multicast TTL ({@code --mcast-ttl}), 0..255, 0 = 1
 * @param multicastGroup multicast group ({@code --mcast-group}), IPv4 or IPv6, {@code null} =
 *     224.0.0.81
 */
public record SyncDaemon(
        State state, String interfaceName, int syncId, int maxLen, int port, int ttl,
        InetAddress multicastGroup) {

    /** {@code IP_VS_STATE_*}. */
    public enum State {
        /** {@code IP_VS_STATE_MASTER}. */
        MASTER(1),
        /** {@code IP_VS_STATE_BACKUP}. */
        BACKUP(2);

        private final int value;

        State(int value) {
            this.value = value;
        }

        /** The kernel value in {@code IPVS_DAEMON_ATTR_STATE}. */
        public int value() {
            return value;
        }

        /**
         * @throws IllegalArgumentException for any value but 1 and 2
         */
        public static State fromValue(int value) {
            for (State s : values()) {
                if (s.value == value) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown sync daemon state " + value);
        }
    }

    /** {@code IP_VS_IFNAME_MAXLEN - 1}. */
    public static final int MAX_INTERFACE_NAME = 15;

    public SyncDaemon {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (interfaceName.isEmpty() || interfaceName.length() > MAX_INTERFACE_NAME) {
            throw new IllegalArgumentException("interface name '" + interfaceName + "' must be 1.."
                    + MAX_INTERFACE_NAME + " characters");
        }
        for (int i = 0; i < interfaceName.length(); i++) {
            char c = interfaceName.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/') {
                throw new IllegalArgumentException("interface name '" + interfaceName + "' is not a valid name");
            }
        }
        check("sync id", syncId, 255);
        check("max length", maxLen, 65535);
        check("port", port, 65535);
        check("ttl", ttl, 255);
        if (multicastGroup != null && !multicastGroup.isMulticastAddress()) {
            throw new IllegalArgumentException("group " + IpAddresses.toText(multicastGroup)
                    + " is not a multicast address (the kernel refuses it with EINVAL)");
        }
    }

    /** A daemon with the kernel's defaults for everything but state, interface and sync id. */
    public static SyncDaemon of(State state, String interfaceName, int syncId) {
        return new SyncDaemon(state, interfaceName, syncId, 0, 0, 0, null);
    }

    private static void check(String what, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + " " + v + " out of range 0.." + max);
        }
    }
}
