package io.lvsdirector.ipvs.socket;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to open a {@link NetlinkConnection}.
 *
 * @param netns               network namespace to open the socket in (a file such as
 *                            {@code /run/netns/dir1} or {@code /proc/PID/ns/net}), or {@code null} for the
 *                            caller's own; the socket stays bound to it for life
 * @param timeout             how long a receive may wait for the kernel ({@code SO_RCVTIMEO}, and
 *                            {@code SO_SNDTIMEO}); nothing blocks forever
 * @param socketReceiveBuffer kernel receive queue size asked for ({@code SO_RCVBUFFORCE} when privileged,
 *                            else {@code SO_RCVBUF}, capped by {@code net.core.rmem_max})
 * @param socketSendBuffer    kernel send buffer asked for; a single send may not exceed it
 * @param receiveBufferBytes  our buffer for one datagram (dump parts reach 32 KiB; big is cheap, reused)
 * @param maxSendBytes        most bytes packed into one {@code send} of a batch
 * @param maxSendMessages     most messages packed into one {@code send} of a batch; also capped from the
 *                            receive queue actually granted, so that a send in which every message
 *                            fails cannot overflow it with error answers
 */
public record NetlinkOptions(Path netns, Duration timeout, int socketReceiveBuffer, int socketSendBuffer,
                             int receiveBufferBytes, int maxSendBytes, int maxSendMessages) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public NetlinkOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (socketReceiveBuffer < 4096 || socketSendBuffer < 4096) {
            throw new IllegalArgumentException("socket buffers must be at least 4096 bytes");
        }
        if (receiveBufferBytes < 32 * 1024) {
            // The kernel fills dump datagrams up to 32 KiB; a smaller buffer would truncate them.
            throw new IllegalArgumentException("receiveBufferBytes must be at least 32 KiB, got " + receiveBufferBytes);
        }
        if (maxSendBytes < 4096 || maxSendBytes > socketSendBuffer) {
            // netlink_sendmsg refuses a datagram larger than the socket's send buffer (EMSGSIZE).
            throw new IllegalArgumentException("maxSendBytes must be in [4096, socketSendBuffer], got " + maxSendBytes);
        }
        if (maxSendMessages < 1) {
            throw new IllegalArgumentException("maxSendMessages must be positive, got " + maxSendMessages);
        }
    }

    /** The defaults: own namespace, 10 s timeout, 4 MiB receive queue, 1 MiB receive buffer, 64 KiB / 1024 messages per send. */
    public static NetlinkOptions defaults() {
        return new NetlinkOptions(null, DEFAULT_TIMEOUT, 4 << 20, 1 << 20, 1 << 20, 64 << 10, 1024);
    }

    /**
     * A named namespace as {@code ip netns} keeps it ({@code /run/netns/NAME}), or, when the argument
     * contains a slash, a namespace file path.
     */
    public NetlinkOptions withNetns(String nameOrPath) {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        if (nameOrPath.isEmpty()) {
            throw new IllegalArgumentException("empty namespace name");
        }
        Path p = nameOrPath.contains("/") ? Path.of(nameOrPath) : Path.of("/run/netns", nameOrPath);
        return new NetlinkOptions(p, timeout, socketReceiveBuffer, socketSendBuffer, receiveBufferBytes, maxSendBytes, maxSendMessages);
    }

    public NetlinkOptions withTimeout(Duration t) {
        return new NetlinkOptions(netns, t, socketReceiveBuffer, socketSendBuffer, receiveBufferBytes, maxSendBytes, maxSendMessages);
    }

    public NetlinkOptions withMaxSend(int bytes, int messages) {
        return new NetlinkOptions(netns, timeout, socketReceiveBuffer, socketSendBuffer, receiveBufferBytes, bytes, messages);
    }

    public Optional<Path> netnsPath() {
        return Optional.ofNullable(netns);
    }
}
