package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.wire.NetlinkCodec;
import io.lvsdirector.ipvs.wire.NetlinkCodec.Frame;
import io.lvsdirector.ipvs.wire.NetlinkCodec.GenlFamilyInfo;
import io.lvsdirector.ipvs.wire.NetlinkCodec.NetlinkError;
import io.lvsdirector.ipvs.wire.WireFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

import static io.lvsdirector.ipvs.wire.NetlinkConstants.CTRL_CMD_GETFAMILY;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.CTRL_CMD_NEWFAMILY;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.GENL_ID_CTRL;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLMSG_DONE;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLMSG_ERROR;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLMSG_NOOP;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLMSG_OVERRUN;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLM_F_ACK;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLM_F_DUMP;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLM_F_DUMP_INTR;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLM_F_REQUEST;

/**
 * A generic-netlink conversation with the kernel over one AF_NETLINK socket: sequence numbers,
 * acknowledgements and errors, multi-part dumps, batches, and family resolution through
 * {@code nlctrl}.
 *
 * <h2>Three ways to talk</h2>
 * <ul>
 *   <li>{@link #request}: one message with {@code NLM_F_ACK}; returns the kernel's replies (a "get")
 *       or nothing (a "do"), throws {@link NetlinkException} with the errno when refused.</li>
 *   <li>{@link #dump}: one {@code NLM_F_DUMP} request; gathers every {@code NLM_F_MULTI} part up to
 *       {@code NLMSG_DONE}, and starts over if the kernel flags the dump inconsistent
 *       ({@code NLM_F_DUMP_INTR}).</li>
 *   <li>{@link #batch}: many messages packed into few {@code send} calls; the outcome of each is
 *       reported separately (see {@link AckPolicy} for why that is sound without an ACK per message).</li>
 * </ul>
 *
 * <h2>Matching answers</h2>
 * Each message carries a fresh sequence number. Only datagrams from the kernel (sender port 0), addressed
 * to this socket's port id and carrying a sequence number we are waiting for, are taken; anything else
 * (a late answer to a request that timed out) is dropped. So a timeout never shifts answers onto the
 * wrong request.
 *
 * <h2>Thread-safety</h2>
 * Safe for use by many threads: every exchange holds the connection's lock from its {@code send} to its
 * last {@code recv}, so exchanges are serialised, never interleaved. The director has one writer, so
 * the lock is uncontended there. Family resolution is cached (the id of a family never changes while
 * its module stays loaded). {@link #close} takes the lock too, so it waits for an exchange in progress
 * (at most the timeout).
 *
 * <h2>Limits</h2>
 * After a timeout in the middle of a dump, the kernel may still hold that dump's state for this socket;
 * a new dump then fails with {@code EBUSY} until the old one is drained. Close and reopen the connection
 * after a timeout if that matters.
 */
public final class NetlinkConnection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NetlinkConnection.class.getName());

    /**
     * Receive-queue room one error answer may take, counting the kernel's per-datagram overhead
     * (skb truesize is ~1 KiB for a 100-byte answer); used to cap messages per send.
     */
    private static final int ERROR_ANSWER_COST = 2048;
    private static final int DUMP_ATTEMPTS = 3;

    private final ReentrantLock lock = new ReentrantLock();
    private final NetlinkSocket socket;
    private final NetlinkOptions options;
    private final ByteBuffer sendBuffer;
    private final ByteBuffer receiveBuffer;
    private final int maxSendMessages;
    private final Map<String, GenlFamilyInfo> families = new ConcurrentHashMap<>();
    private int nextSeq;

    private NetlinkConnection(NetlinkSocket socket, NetlinkOptions options) {
        this.socket = socket;
        this.options = options;
        this.sendBuffer = ByteBuffer.allocateDirect(options.maxSendBytes()).order(ByteOrder.nativeOrder());
        this.receiveBuffer = ByteBuffer.allocateDirect(options.receiveBufferBytes()).order(ByteOrder.nativeOrder());
        this.maxSendMessages = Math.max(1, Math.min(options.maxSendMessages(), socket.receiveQueueBytes() / ERROR_ANSWER_COST));
        // A random start makes answers meant for an earlier socket with the same port id unlikely to match.
        this.nextSeq = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE / 2);
    }

    /** Opens a generic-netlink connection in the caller's network namespace with default options. */
    public static NetlinkConnection open() throws NetlinkException {
        return open(NetlinkOptions.defaults());
    }

    /**
     * Opens a generic-netlink connection ({@code NETLINK_GENERIC}) with these options; in
     * {@code options.netns()} when set, which needs CAP_SYS_ADMIN.
     *
     * @throws NetlinkException with the errno of the failing {@code open}/{@code setns}/{@code socket}/
     *         {@code setsockopt}/{@code bind} call
     */
    public static NetlinkConnection open(NetlinkOptions options) throws NetlinkException {
        Objects.requireNonNull(options, "options");
        return new NetlinkConnection(NetlinkSocket.open(LibC.NETLINK_GENERIC, options), options);
    }

    /** The port id the kernel bound this socket to. */
    public int portId() {
        return socket.portId();
    }

    /** The socket's file descriptor, for tests that look it up in /proc. */
    int fd() {
        return socket.fd();
    }

    /** The options this connection was opened with. */
    public NetlinkOptions options() {
        return options;
    }

    /** How many messages {@link #batch} packs into one send, after capping by the granted receive queue. */
    public int maxSendMessages() {
        return maxSendMessages;
    }

    /**
     * Sends one request with {@code NLM_F_ACK} and waits for its acknowledgement.
     *
     * @return the replies that came before the acknowledgement (a "get" answers with one; a "do" with
     *         none), each with its own copy of the payload
     * @throws NetlinkException the kernel's errno and extended-ack text when it refused the request;
     *         {@code ETIMEDOUT} when no answer came within the timeout; a socket errno otherwise
     */
    public List<Frame> request(NetlinkRequest request) throws NetlinkException {
        Objects.requireNonNull(request, "request");
        lock.lock();
        try {
            int seq = sendOne(request, NLM_F_REQUEST | NLM_F_ACK);
            List<Frame> replies = new ArrayList<>();
            while (true) {
                for (Frame m : receive(request.label())) {
                    if (!mine(m, seq, 1)) {
                        continue;
                    }
                    switch (m.type()) {
                        case NLMSG_ERROR -> {
                            NetlinkError e = parseError(m, request.label());
                            if (!e.isAck()) {
                                throw new NetlinkException(e.errno(), request.label(), e.message());
                            }
                            return replies;
                        }
                        case NLMSG_OVERRUN -> throw overrun(request.label());
                        case NLMSG_NOOP, NLMSG_DONE -> {
                        }
                        default -> replies.add(copy(m));
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends one {@code NLM_F_DUMP} request and gathers the whole multi-part answer.
     *
     * <p>When any part carries {@code NLM_F_DUMP_INTR} (the kernel's table changed during the dump, so
     * parts may be inconsistent with each other), the dump is repeated, up to three times.
     *
     * @return every data message of the dump, in order, each with its own copy of the payload
     * @throws NetlinkException the kernel's errno when it refused the dump (an NLMSG_ERROR, or a negative
     *         code in NLMSG_DONE); {@code EINTR} when it stayed inconsistent on every attempt;
     *         {@code ETIMEDOUT}, or a socket errno
     */
    public List<Frame> dump(NetlinkRequest request) throws NetlinkException {
        Objects.requireNonNull(request, "request");
        lock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                List<Frame> parts = new ArrayList<>();
                boolean interrupted = dumpOnce(request, parts);
                if (!interrupted) {
                    return parts;
                }
                LOG.log(System.Logger.Level.DEBUG, "dump=" + request.label() + " interrupted attempt=" + attempt);
                if (attempt == DUMP_ATTEMPTS) {
                    throw new NetlinkException(Errno.EINTR, request.label()
                            + ": dump stayed inconsistent (NLM_F_DUMP_INTR) after " + attempt + " attempts", null);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean dumpOnce(NetlinkRequest request, List<Frame> parts) throws NetlinkException {
        int seq = sendOne(request, NLM_F_REQUEST | NLM_F_DUMP);
        boolean interrupted = false;
        while (true) {
            for (Frame m : receive(request.label())) {
                if (!mine(m, seq, 1)) {
                    continue;
                }
                interrupted |= (m.flags() & NLM_F_DUMP_INTR) != 0;
                switch (m.type()) {
                    case NLMSG_DONE -> {
                        // NLMSG_DONE carries the dump's final status: 0, or a negative errno if it ended badly.
                        ByteBuffer p = m.payload();
                        int status = p.remaining() >= 4 ? p.getInt(p.position()) : 0;
                        if (status < 0) {
                            throw new NetlinkException(-status, request.label() + " (dump)", null);
                        }
                        return interrupted;
                    }
                    case NLMSG_ERROR -> {
                        NetlinkError e = parseError(m, request.label());
                        if (!e.isAck()) {
                            throw new NetlinkException(e.errno(), request.label() + " (dump)", e.message());
                        }
                        return interrupted;
                    }
                    case NLMSG_OVERRUN -> throw overrun(request.label());
                    case NLMSG_NOOP -> {
                    }
                    default -> parts.add(copy(m));
                }
            }
        }
    }

    /**
     * Sends many requests in as few {@code send} calls as the size limits allow, and reports what became
     * of each one.
     *
     * <p>The kernel handles the messages of one send in order, one after the other, and a failure does
     * not stop it from handling the rest; this method likewise sends every request even when some fail.
     * Requests must therefore be ordered so that dependencies come first (a service before its
     * destinations); a destination whose service could not be created fails on its own, with its errno.
     *
     * @return one result per request: DONE or FAILED(errno, extended ack); and, only if a socket failure
     *         stopped the batch, NOT_SENT for requests never sent and UNKNOWN for requests sent whose
     *         answer was lost, plus that failure
     */
    public BatchOutcome batch(List<NetlinkRequest> requests, AckPolicy policy) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(policy, "policy");
        int n = requests.size();
        BatchOutcome.Status[] status = new BatchOutcome.Status[n];
        int[] errnos = new int[n];
        String[] extAcks = new String[n];
        NetlinkException failure = null;
        lock.lock();
        try {
            int start = 0;
            while (start < n) {
                int end = packEnd(requests, start);
                int base;
                try {
                    base = sendPacked(requests, start, end, policy);
                } catch (NetlinkException e) {
                    failure = e;
                    Arrays.fill(status, start, n, BatchOutcome.Status.NOT_SENT);
                    break;
                }
                try {
                    collectBatchAnswers(base, start, end, status, errnos, extAcks);
                } catch (NetlinkException e) {
                    failure = e;
                    for (int i = start; i < end; i++) {
                        if (status[i] == null) {
                            status[i] = BatchOutcome.Status.UNKNOWN;
                        }
                    }
                    Arrays.fill(status, end, n, BatchOutcome.Status.NOT_SENT);
                    break;
                }
                start = end;
            }
        } finally {
            lock.unlock();
        }
        List<BatchOutcome.Result> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(new BatchOutcome.Result(i, requests.get(i).label(), status[i], errnos[i], extAcks[i]));
        }
        return new BatchOutcome(results, failure);
    }

    /** The end (exclusive) of the run of requests starting at {@code start} that fits one send. */
    private int packEnd(List<NetlinkRequest> requests, int start) {
        int bytes = 0;
        int end = start;
        while (end < requests.size() && end - start < maxSendMessages) {
            int len = requests.get(end).framedLength();
            if (bytes + len > sendBuffer.capacity()) {
                break;
            }
            bytes += len;
            end++;
        }
        // A single request larger than the buffer is "packed" alone; sendPacked reports EMSGSIZE for it.
        return end == start ? start + 1 : end;
    }

    private int sendPacked(List<NetlinkRequest> requests, int start, int end, AckPolicy policy) throws NetlinkException {
        sendBuffer.clear();
        int base = nextSeq;
        for (int i = start; i < end; i++) {
            NetlinkRequest r = requests.get(i);
            boolean ack = policy == AckPolicy.EACH || i == end - 1;
            if (r.framedLength() > sendBuffer.remaining()) {
                throw new NetlinkException(Errno.EMSGSIZE, r.label() + ": " + r.framedLength()
                        + " bytes exceed the send buffer of " + sendBuffer.capacity(), null);
            }
            write(r, NLM_F_REQUEST | (ack ? NLM_F_ACK : 0), nextSeq++);
        }
        sendBuffer.flip();
        socket.send(sendBuffer);
        return base;
    }

    /**
     * Reads answers to the messages {@code [start, end)} sent with sequence numbers from {@code base} until
     * the last one's answer, which, since the kernel answers in order and had finished before send
     * returned, is the last answer of that send.
     */
    private void collectBatchAnswers(int base, int start, int end, BatchOutcome.Status[] status, int[] errnos,
                                     String[] extAcks) throws NetlinkException {
        int count = end - start;
        while (true) {
            for (Frame m : receive("batch")) {
                if (!mine(m, base, count)) {
                    continue;
                }
                if (m.type() == NLMSG_OVERRUN) {
                    throw overrun("batch");
                }
                if (m.type() != NLMSG_ERROR) {
                    continue; // a reply to a "get" inside a batch: not what batches are for; its ACK still counts
                }
                int offset = m.seq() - base;
                int i = start + offset;
                NetlinkError e = parseError(m, "batch");
                if (!e.isAck()) {
                    status[i] = BatchOutcome.Status.FAILED;
                    errnos[i] = e.errno();
                    extAcks[i] = e.message().isEmpty() ? null : e.message();
                } else {
                    status[i] = BatchOutcome.Status.DONE;
                }
                if (offset == count - 1) {
                    for (int j = start; j < end; j++) {
                        if (status[j] == null) {
                            // No error came for it before the last message's answer: the kernel accepted it.
                            status[j] = BatchOutcome.Status.DONE;
                        }
                    }
                    return;
                }
            }
        }
    }

    /**
     * Resolves a generic-netlink family by name through {@code nlctrl} ({@code CTRL_CMD_GETFAMILY});
     * cached once found (a family keeps its id while its module stays loaded).
     *
     * @throws GenlFamilyNotFoundException ({@code ENOENT}) when the kernel has no such family, e.g. "IPVS"
     *         without the ip_vs module
     * @throws NetlinkException any other failure
     */
    public GenlFamilyInfo family(String name) throws NetlinkException {
        Objects.requireNonNull(name, "name");
        GenlFamilyInfo cached = families.get(name);
        if (cached != null) {
            return cached;
        }
        NetlinkRequest req = NetlinkRequest.genl(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                NetlinkCodec.getFamilyAttributes(name), "resolve generic netlink family " + name);
        List<Frame> replies;
        try {
            replies = request(req);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new GenlFamilyNotFoundException(name, e.extAck().orElse(null));
            }
            throw e;
        }
        for (Frame m : replies) {
            if (m.type() == GENL_ID_CTRL) {
                GenlFamilyInfo f = parseFamily(m, req.label());
                families.put(name, f);
                return f;
            }
        }
        throw new NetlinkException(Errno.EIO, req.label() + ": the controller acknowledged without describing it", null);
    }

    /**
     * Resolves a family again, whatever is cached: a family gets a new id when its module is unloaded
     * and loaded again (the kernel hands ids out cyclically), and requests sent with the old id are
     * then refused with {@code ENOENT} before any handler sees them.
     *
     * @throws GenlFamilyNotFoundException ({@code ENOENT}) when the kernel has no such family now
     * @throws NetlinkException any other failure
     */
    public GenlFamilyInfo refreshFamily(String name) throws NetlinkException {
        Objects.requireNonNull(name, "name");
        families.remove(name);
        return family(name);
    }

    /**
     * Whether a failure with this errno means the socket itself can no longer be trusted, so the
     * connection should be closed and a new one opened: the descriptor is gone or not a socket
     * ({@code EBADF}, {@code ENOTSOCK}), the peer refused or dropped it ({@code ENOTCONN},
     * {@code ECONNREFUSED}, {@code ECONNRESET}, {@code EPIPE}), answers were lost to a full receive
     * queue ({@code ENOBUFS}), or no answer came in time ({@code ETIMEDOUT}: the kernel may still hold
     * an unfinished dump for this socket, and every later dump would be {@code EBUSY}). A kernel's
     * refusal of a request (EEXIST, ESRCH, ...) is none of these.
     */
    public static boolean isBrokenSocket(int errno) {
        return switch (errno) {
            case Errno.EBADF, Errno.ENOTSOCK, Errno.ENOTCONN, Errno.ECONNREFUSED, Errno.ECONNRESET, Errno.EPIPE,
                 Errno.ENOBUFS, Errno.ETIMEDOUT -> true;
            default -> false;
        };
    }

    /** Every generic-netlink family the kernel has, via a {@code CTRL_CMD_GETFAMILY} dump. */
    public List<GenlFamilyInfo> families() throws NetlinkException {
        NetlinkRequest req = NetlinkRequest.genl(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, new byte[0],
                "dump generic netlink families");
        List<GenlFamilyInfo> out = new ArrayList<>();
        for (Frame m : dump(req)) {
            if (m.type() == GENL_ID_CTRL) {
                out.add(parseFamily(m, req.label()));
            }
        }
        return out;
    }

    private static GenlFamilyInfo parseFamily(Frame m, String label) throws NetlinkException {
        try {
            return NetlinkCodec.parseFamily(m.payload());
        } catch (WireFormatException e) {
            throw new NetlinkException(Errno.EIO, label + ": " + e.getMessage(), null, e);
        }
    }

    /** True while the socket is open. */
    public boolean isOpen() {
        lock.lock();
        try {
            return socket.isOpen();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the socket; idempotent. Waits for an exchange in progress on another thread. */
    @Override
    public void close() {
        lock.lock();
        try {
            socket.close();
        } finally {
            lock.unlock();
        }
    }

    // ---- framing -------------------------------------------------------------------------------

    private int sendOne(NetlinkRequest request, int flags) throws NetlinkException {
        if (request.framedLength() > sendBuffer.capacity()) {
            throw new NetlinkException(Errno.EMSGSIZE, request.label() + ": " + request.framedLength()
                    + " bytes exceed the send buffer of " + sendBuffer.capacity(), null);
        }
        sendBuffer.clear();
        int seq = nextSeq++;
        write(request, flags, seq);
        sendBuffer.flip();
        socket.send(sendBuffer);
        return seq;
    }

    /**
     * Frames a request straight into the send buffer (the layout of {@link NetlinkCodec#frame}, without
     * its intermediate array: a batch frames thousands).
     */
    private void write(NetlinkRequest r, int flags, int seq) {
        int start = sendBuffer.position();
        int len = r.framedLength();
        sendBuffer.putInt(0)
                .putShort((short) r.type())
                .putShort((short) (flags | r.flags()))
                .putInt(seq)
                .putInt(socket.portId());
        r.writePayloadTo(sendBuffer);
        sendBuffer.putInt(start, sendBuffer.position() - start);
        while (sendBuffer.position() < start + len) {
            sendBuffer.put((byte) 0);
        }
    }

    /** Receives one datagram and splits it into messages (views into the receive buffer until the next receive). */
    private List<Frame> receive(String label) throws NetlinkException {
        socket.receive(receiveBuffer);
        try {
            return NetlinkCodec.split(receiveBuffer);
        } catch (WireFormatException e) {
            throw new NetlinkException(Errno.EIO, label + ": malformed answer from the kernel: " + e.getMessage(), null, e);
        }
    }

    /** Addressed to us and carrying one of {@code count} sequence numbers from {@code base}. */
    private boolean mine(Frame m, int base, int count) {
        int offset = m.seq() - base;
        if (m.portId() != socket.portId() || offset < 0 || offset >= count) {
            LOG.log(System.Logger.Level.DEBUG, "stale netlink answer dropped: seq=" + m.seq() + " pid=" + m.portId()
                    + " type=" + m.type());
            return false;
        }
        return true;
    }

    private static NetlinkError parseError(Frame m, String label) throws NetlinkException {
        try {
            return NetlinkCodec.parseError(m.payload(), m.flags());
        } catch (WireFormatException e) {
            throw new NetlinkException(Errno.EIO, label + ": malformed NLMSG_ERROR: " + e.getMessage(), null, e);
        }
    }

    private static NetlinkException overrun(String label) {
        return new NetlinkException(Errno.ENOBUFS, label + ": kernel reported NLMSG_OVERRUN", null);
    }

    /** The frame with a payload of its own, so it outlives the receive buffer. */
    private static Frame copy(Frame m) {
        ByteBuffer src = m.payload();
        ByteBuffer own = ByteBuffer.allocate(src.remaining()).order(ByteOrder.nativeOrder());
        own.put(src).flip();
        return new Frame(m.type(), m.flags(), m.seq(), m.portId(), own);
    }
}
