package io.lvsdirector.ipvs.socket;

import com.sun.jna.LastErrorException;
import io.lvsdirector.ipvs.Errno;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An AF_NETLINK socket file descriptor and the system calls on it. Not thread-safe: the owning
 * {@link NetlinkConnection} serialises every use.
 */
final class NetlinkSocket implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NetlinkSocket.class.getName());
    private static final int SOCKADDR_NL_LEN = 12;
    private static final AtomicInteger NETNS_THREADS = new AtomicInteger();

    private int fd;
    private final int portId;
    private final int receiveQueueBytes;
    private final ByteBuffer fromAddr = ByteBuffer.allocateDirect(SOCKADDR_NL_LEN).order(ByteOrder.nativeOrder());
    private final int[] fromLen = new int[1];

    private NetlinkSocket(int fd, int portId, int receiveQueueBytes) {
        this.fd = fd;
        this.portId = portId;
        this.receiveQueueBytes = receiveQueueBytes;
    }

    /**
     * Opens, configures and binds a socket; in {@code options.netns()} when set.
     *
     * <p>A socket belongs to the network namespace its creating thread was in at {@code socket()} time,
     * and keeps it. Switching namespace is per thread ({@code setns} on a thread only moves that thread),
     * so a short-lived thread enters the namespace, creates the socket and leaves; no pooled thread
     * ever runs in a foreign namespace.
     */
    static NetlinkSocket open(int protocol, NetlinkOptions options) throws NetlinkException {
        Path netns = options.netns();
        if (netns == null) {
            return configure(create(protocol), options);
        }
        CompletableFuture<Integer> created = new CompletableFuture<>();
        Thread t = new Thread(() -> createInNetns(protocol, netns, created),
                "netlink-netns-" + NETNS_THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
        int fd;
        try {
            fd = created.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // The helper may still create a socket; it closes it when nobody takes it.
            created.cancel(false);
            throw new NetlinkException(Errno.EINTR, "open netlink socket in " + netns, null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NetlinkException ne) {
                throw ne;
            }
            throw new NetlinkException(Errno.EIO, "open netlink socket in " + netns, null, e.getCause());
        }
        return configure(fd, options);
    }

    private static void createInNetns(int protocol, Path netns, CompletableFuture<Integer> result) {
        int own = -1;
        int target = -1;
        try {
            own = openNs("/proc/thread-self/ns/net");
            target = openNs(netns.toString());
            try {
                LibC.setns(target, LibC.CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new NetlinkException(e.getErrorCode(), "setns(" + netns + ", CLONE_NEWNET)", null);
            }
            int fd;
            try {
                fd = create(protocol);
            } finally {
                try {
                    LibC.setns(own, LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    // This thread ends right after; the socket is already made in the right namespace.
                    LOG.log(System.Logger.Level.WARNING, "netns=" + netns + " could not switch helper thread back: "
                            + Errno.name(e.getErrorCode()));
                }
            }
            if (!result.complete(fd)) {
                closeQuietly(fd);
            }
        } catch (NetlinkException e) {
            result.completeExceptionally(e);
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        } finally {
            closeQuietly(own);
            closeQuietly(target);
        }
    }

    private static int openNs(String path) throws NetlinkException {
        try {
            return LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException(e.getErrorCode(), "open network namespace " + path, null);
        }
    }

    private static int create(int protocol) throws NetlinkException {
        try {
            return LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw new NetlinkException(e.getErrorCode(), "socket(AF_NETLINK, SOCK_RAW, " + protocol + ")", null);
        }
    }

    private static NetlinkSocket configure(int fd, NetlinkOptions options) throws NetlinkException {
        try {
            int sndbuf = setBuffer(fd, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, options.socketSendBuffer());
            int rcvbuf = setBuffer(fd, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, options.socketReceiveBuffer());
            if (sndbuf < options.maxSendBytes() + 1024) {
                // The kernel refuses a datagram bigger than sk_sndbuf - 32; an unprivileged socket may be
                // granted less than asked (net.core.wmem_max), so fail here rather than on the first batch.
                throw new NetlinkException(Errno.EMSGSIZE, "SO_SNDBUF granted " + sndbuf + " bytes, less than maxSendBytes "
                        + options.maxSendBytes(), null);
            }
            setTimeout(fd, LibC.SO_RCVTIMEO, options.timeout());
            setTimeout(fd, LibC.SO_SNDTIMEO, options.timeout());
            // Extended ack: the kernel adds its reason ("Unknown family", the bad attribute's offset).
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK", true);
            // Errors then echo only the offending message's header, not the whole message: smaller
            // answers, so a batch in which many messages fail still fits the receive queue.
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK", true);

            ByteBuffer addr = ByteBuffer.allocateDirect(SOCKADDR_NL_LEN).order(ByteOrder.nativeOrder());
            addr.putShort(0, (short) LibC.AF_NETLINK); // nl_pid 0: the kernel picks our port id
            try {
                LibC.bind(fd, addr, SOCKADDR_NL_LEN);
            } catch (LastErrorException e) {
                throw new NetlinkException(e.getErrorCode(), "bind(AF_NETLINK)", null);
            }
            int[] len = {SOCKADDR_NL_LEN};
            addr.clear();
            try {
                LibC.getsockname(fd, addr, len);
            } catch (LastErrorException e) {
                throw new NetlinkException(e.getErrorCode(), "getsockname(AF_NETLINK)", null);
            }
            int portId = addr.getInt(4);
            return new NetlinkSocket(fd, portId, rcvbuf);
        } catch (NetlinkException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /** Tries the privileged FORCE option first (ignores rmem_max/wmem_max), then the plain one; returns what was granted. */
    private static int setBuffer(int fd, int forceOpt, int plainOpt, int bytes) throws NetlinkException {
        try {
            LibC.setsockopt(fd, LibC.SOL_SOCKET, forceOpt, new int[]{bytes}, 4);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EPERM) {
                throw new NetlinkException(e.getErrorCode(), "setsockopt(SOL_SOCKET, " + forceOpt + ")", null);
            }
            setInt(fd, LibC.SOL_SOCKET, plainOpt, bytes, "SO_RCVBUF/SO_SNDBUF", false);
        }
        int[] value = new int[1];
        int[] len = {4};
        try {
            LibC.getsockopt(fd, LibC.SOL_SOCKET, plainOpt, value, len);
        } catch (LastErrorException e) {
            throw new NetlinkException(e.getErrorCode(), "getsockopt(SOL_SOCKET, " + plainOpt + ")", null);
        }
        // The kernel reports the doubled value it reserves for bookkeeping; half of it is payload room.
        return value[0] / 2;
    }

    private static void setInt(int fd, int level, int opt, int value, String name, boolean optional) throws NetlinkException {
        try {
            LibC.setsockopt(fd, level, opt, new int[]{value}, 4);
        } catch (LastErrorException e) {
            if (optional && (e.getErrorCode() == Errno.ENOPROTOOPT || e.getErrorCode() == Errno.EINVAL)) {
                // Older kernels lack NETLINK_EXT_ACK / NETLINK_CAP_ACK; everything still works without them.
                LOG.log(System.Logger.Level.DEBUG, "option=" + name + " unsupported errno=" + Errno.name(e.getErrorCode()));
                return;
            }
            throw new NetlinkException(e.getErrorCode(), "setsockopt(" + name + ")", null);
        }
    }

    private static void setTimeout(int fd, int opt, Duration timeout) throws NetlinkException {
        long micros = Math.min(timeout.toNanos() / 1000, Long.MAX_VALUE / 2);
        long[] tv = {micros / 1_000_000, micros % 1_000_000};
        try {
            LibC.setsockopt(fd, LibC.SOL_SOCKET, opt, tv, 16);
        } catch (LastErrorException e) {
            throw new NetlinkException(e.getErrorCode(), "setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)", null);
        }
    }

    int portId() {
        return portId;
    }

    /** The receive queue the kernel granted, in payload bytes. */
    int receiveQueueBytes() {
        return receiveQueueBytes;
    }

    /** The file descriptor, for tests that look the socket up in /proc. */
    int fd() {
        return fd;
    }

    boolean isOpen() {
        return fd >= 0;
    }

    /** Sends {@code buf}'s remaining bytes as one datagram to the kernel. */
    void send(ByteBuffer buf) throws NetlinkException {
        ensureOpen();
        int len = buf.remaining();
        while (true) {
            try {
                long n = LibC.send(fd, buf.slice(), len, 0);
                if (n != len) {
                    // Netlink datagrams are all-or-nothing; a short count would mean a broken libc.
                    throw new NetlinkException(Errno.EIO, "send: " + n + " of " + len + " bytes", null);
                }
                buf.position(buf.limit());
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) {
                    continue;
                }
                if (e.getErrorCode() == Errno.EAGAIN) {
                    throw new NetlinkException(Errno.ETIMEDOUT, "send: kernel did not take " + len + " bytes in time", null);
                }
                throw new NetlinkException(e.getErrorCode(), "send " + len + " bytes", null);
            }
        }
    }

    /**
     * Receives one datagram into {@code buf} (cleared first; flipped for reading on return) and checks
     * it came from the kernel (sender port id 0): another process could otherwise inject answers.
     *
     * @throws NetlinkException ETIMEDOUT when nothing came within the timeout; ENOBUFS when the kernel
     *         dropped answers because our receive queue was full; EMSGSIZE when a datagram was larger
     *         than {@code buf}
     */
    void receive(ByteBuffer buf) throws NetlinkException {
        ensureOpen();
        while (true) {
            buf.clear();
            fromLen[0] = SOCKADDR_NL_LEN;
            long n;
            try {
                n = LibC.recvfrom(fd, buf, buf.capacity(), LibC.MSG_TRUNC, fromAddr, fromLen);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) {
                    continue;
                }
                if (e.getErrorCode() == Errno.EAGAIN) {
                    throw new NetlinkException(Errno.ETIMEDOUT, "recv: no answer from the kernel in time", null);
                }
                throw new NetlinkException(e.getErrorCode(), "recv", null);
            }
            if (n > buf.capacity()) {
                // MSG_TRUNC makes recv report the real size; the tail is gone.
                throw new NetlinkException(Errno.EMSGSIZE, "recv: datagram of " + n + " bytes exceeds buffer of "
                        + buf.capacity(), null);
            }
            int sender = fromAddr.getInt(4);
            if (sender != 0) {
                LOG.log(System.Logger.Level.WARNING, "netlink datagram from port " + sender + " ignored: not the kernel");
                continue;
            }
            buf.limit((int) n);
            buf.position(0);
            return;
        }
    }

    private void ensureOpen() throws NetlinkException {
        if (fd < 0) {
            throw new NetlinkException(Errno.EBADF, "netlink socket is closed", null);
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            closeQuietly(fd);
            fd = -1;
        }
    }

    private static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            LOG.log(System.Logger.Level.DEBUG, "close fd=" + fd + " errno=" + Errno.name(e.getErrorCode()));
        }
    }
}
