package io.lvsdirector.ipvs.socket;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.nio.ByteBuffer;

/**
 * The handful of C library calls a netlink socket needs, bound with JNA direct mapping.
 *
 * <p>Direct mapping (static natives registered with {@link Native#register}) is used rather than an
 * interface proxy because a batch of IPVS operations is a tight loop of {@code send}/{@code recv}: the
 * proxy's reflection per call is measurable there, direct calls are not. Every method declares
 * {@link LastErrorException} so JNA captures {@code errno} on the calling thread right after the call,
 * before anything else (the JVM included) can overwrite it.
 *
 * <p>Buffers passed here must be direct {@link ByteBuffer}s; JNA hands their address to C without a copy.
 *
 * <p>The numeric constants are the Linux generic ABI values, identical on x86_64 and aarch64 (the only
 * platforms this module supports: {@code struct timeval} is two 64-bit longs there).
 */
final class LibC {

    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_GENERIC = 16;

    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    /** SO_RCVTIMEO_OLD: takes a {@code struct timeval} of two longs on 64-bit. */
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDTIMEO = 21;
    /** Like SO_SNDBUF but ignores {@code net.core.wmem_max}; needs CAP_NET_ADMIN. */
    static final int SO_SNDBUFFORCE = 32;
    /** Like SO_RCVBUF but ignores {@code net.core.rmem_max}; needs CAP_NET_ADMIN. */
    static final int SO_RCVBUFFORCE = 33;

    static final int SOL_NETLINK = 270;
    /** Do not echo the whole offending request inside an NLMSG_ERROR, only its header. */
    static final int NETLINK_CAP_ACK = 10;
    /** Ask the kernel for extended-ack attributes (error text, offending attribute offset). */
    static final int NETLINK_EXT_ACK = 11;

    static final int MSG_TRUNC = 0x20;

    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;

    static {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new UnsupportedOperationException(
                    "netlink needs 64-bit Linux; this is " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, ByteBuffer addr, int addrlen) throws LastErrorException;

    static native int getsockname(int fd, ByteBuffer addr, int[] addrlen) throws LastErrorException;

    static native int setsockopt(int fd, int level, int optname, int[] optval, int optlen) throws LastErrorException;

    static native int setsockopt(int fd, int level, int optname, long[] optval, int optlen) throws LastErrorException;

    static native int getsockopt(int fd, int level, int optname, int[] optval, int[] optlen) throws LastErrorException;

    /** A netlink socket that was never connected sends to port 0, the kernel; no address is needed. */
    static native long send(int fd, ByteBuffer buf, long len, int flags) throws LastErrorException;

    static native long recvfrom(int fd, ByteBuffer buf, long len, int flags, ByteBuffer srcAddr, int[] addrlen)
            throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int open(String path, int flags) throws LastErrorException;

    static native int setns(int fd, int nstype) throws LastErrorException;
}
