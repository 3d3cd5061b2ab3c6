package io.lvsdirector.ipvs.socket;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

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
    private final Map<String, GenlFamily> families = new ConcurrentHashMap<>();
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
     * @return the replies that came before the acknowledgement (a "get" answers with one; a "do" with none)
     * @throws NetlinkException the kernel's errno and extended-ack text when it refused the request;
     *         {@code ETIMEDOUT} when no answer came within the timeout; a socket errno otherwise
     */
    public List<NetlinkMessage> request(NetlinkRequest request) throws NetlinkException {
        Objects.requireNonNull(request, "request");
        lock.lock();
        try {
            int seq = sendOne(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
            List<NetlinkMessage> replies = new ArrayList<>();
            while (true) {
                socket.receive(receiveBuffer);
                for (ByteBuffer m = next(receiveBuffer); m != null; m = next(receiveBuffer)) {
                    if (!mine(m, seq, 1)) {
                        continue;
                    }
                    int type = type(m);
                    if (type == Netlink.NLMSG_ERROR) {
                        ErrorAnswer e = ErrorAnswer.parse(m);
                        if (e.errno != 0) {
                            throw new NetlinkException(e.errno, request.label(), e.extAck);
                        }
                        return replies;
                    }
                    if (type == Netlink.NLMSG_OVERRUN) {
                        throw new NetlinkException(Errno.ENOBUFS, request.label() + ": kernel reported overrun", null);
                    }
                    if (type != Netlink.NLMSG_NOOP && type != Netlink.NLMSG_DONE) {
                        replies.add(copy(m));
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
     * @return every data message of the dump, in order
     * @throws NetlinkException the kernel's errno when it refused the dump (an NLMSG_ERROR, or a negative
     *         code in NLMSG_DONE); {@code EINTR} when it stayed inconsistent on every attempt;
     *         {@code ETIMEDOUT}, or a socket errno
     */
    public List<NetlinkMessage> dump(NetlinkRequest request) throws NetlinkException {
        Objects.requireNonNull(request, "request");
        lock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                List<NetlinkMessage> parts = new ArrayList<>();
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

    private boolean dumpOnce(NetlinkRequest request, List<NetlinkMessage> parts) throws NetlinkException {
        int seq = sendOne(request, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP);
        boolean interrupted = false;
        while (true) {
            socket.receive(receiveBuffer);
            for (ByteBuffer m = next(receiveBuffer); m != null; m = next(receiveBuffer)) {
                if (!mine(m, seq, 1)) {
                    continue;
                }
                int type = type(m);
                interrupted |= (flags(m) & Netlink.NLM_F_DUMP_INTR) != 0;
                if (type == Netlink.NLMSG_DONE) {
                    // NLMSG_DONE carries the dump's final status: 0, or a negative errno if it ended badly.
                    int status = m.remaining() >= Netlink.NLMSG_HDRLEN + 4 ? m.getInt(m.position() + Netlink.NLMSG_HDRLEN) : 0;
                    if (status < 0) {
                        throw new NetlinkException(-status, request.label() + " (dump)", doneExtAck(m));
                    }
                    return interrupted;
                }
                if (type == Netlink.NLMSG_ERROR) {
                    ErrorAnswer e = ErrorAnswer.parse(m);
                    if (e.errno != 0) {
                        throw new NetlinkException(e.errno, request.label() + " (dump)", e.extAck);
                    }
                    return interrupted;
                }
                if (type == Netlink.NLMSG_OVERRUN) {
                    throw new NetlinkException(Errno.ENOBUFS, request.label() + ": kernel reported overrun", null);
                }
                if (type != Netlink.NLMSG_NOOP) {
                    parts.add(copy(m));
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
        // A single request larger than the buffer is sent alone; sendOne reports EMSGSIZE for it.
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
            write(r, Netlink.NLM_F_REQUEST | (ack ? Netlink.NLM_F_ACK : 0), nextSeq++);
        }
        sendBuffer.flip();
        socket.send(sendBuffer);
        return base;
    }

    /**
     * Reads answers to the messages {@code [start, end)} sent with sequence numbers from {@code base} until the
     * last one's answer, which, since the kernel answers in order and had finished before send returned,
     * is the last answer of that send.
     */
    private void collectBatchAnswers(int base, int start, int end, BatchOutcome.Status[] status, int[] errnos,
                                     String[] extAcks) throws NetlinkException {
        int count = end - start;
        while (true) {
            socket.receive(receiveBuffer);
            for (ByteBuffer m = next(receiveBuffer); m != null; m = next(receiveBuffer)) {
                if (!mine(m, base, count)) {
                    continue;
                }
                if (type(m) == Netlink.NLMSG_OVERRUN) {
                    throw new NetlinkException(Errno.ENOBUFS, "batch: kernel reported overrun", null);
                }
                if (type(m) != Netlink.NLMSG_ERROR) {
                    continue; // a reply to a "get" inside a batch: not what batches are for; its ACK still counts
                }
                int offset = seq(m) - base;
                int i = start + offset;
                ErrorAnswer e = ErrorAnswer.parse(m);
                if (e.errno != 0) {
                    status[i] = BatchOutcome.Status.FAILED;
                    errnos[i] = e.errno;
                    extAcks[i] = e.extAck;
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
     * cached once found.
     *
     * @throws GenlFamilyNotFoundException ({@code ENOENT}) when the kernel has no such family, e.g. "IPVS"
     *         without the ip_vs module
     * @throws NetlinkException any other failure
     */
    public GenlFamily family(String name) throws NetlinkException {
        Objects.requireNonNull(name, "name");
        GenlFamily cached = families.get(name);
        if (cached != null) {
            return cached;
        }
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        Attrs.putString(attrs, Netlink.CTRL_ATTR_FAMILY_NAME, name);
        NetlinkRequest req = NetlinkRequest.genl(Netlink.GENL_ID_CTRL, Netlink.CTRL_CMD_GETFAMILY, 1, attrs.toByteArray(),
                "resolve generic netlink family " + name);
        List<NetlinkMessage> replies;
        try {
            replies = request(req);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new GenlFamilyNotFoundException(name, e.extAck().orElse(null));
            }
            throw e;
        }
        for (NetlinkMessage m : replies) {
            if (m.type() == Netlink.GENL_ID_CTRL && m.genlCommand() == Netlink.CTRL_CMD_NEWFAMILY) {
                GenlFamily f = parseFamily(m);
                families.put(name, f);
                return f;
            }
        }
        throw new NetlinkException(Errno.EIO, req.label() + ": the controller acknowledged without describing it", null);
    }

    /** Every generic-netlink family the kernel has, via a {@code CTRL_CMD_GETFAMILY} dump. */
    public List<GenlFamily> families() throws NetlinkException {
        NetlinkRequest req = NetlinkRequest.genl(Netlink.GENL_ID_CTRL, Netlink.CTRL_CMD_GETFAMILY, 1, new byte[0],
                "dump generic netlink families");
        List<GenlFamily> out = new ArrayList<>();
        for (NetlinkMessage m : dump(req)) {
            if (m.type() == Netlink.GENL_ID_CTRL && m.genlCommand() == Netlink.CTRL_CMD_NEWFAMILY) {
                out.add(parseFamily(m));
            }
        }
        return out;
    }

    private static GenlFamily parseFamily(NetlinkMessage m) throws NetlinkException {
        Map<Integer, ByteBuffer> a = Attrs.parse(m.genlAttributes());
        ByteBuffer id = a.get(Netlink.CTRL_ATTR_FAMILY_ID);
        ByteBuffer name = a.get(Netlink.CTRL_ATTR_FAMILY_NAME);
        if (id == null || name == null) {
            throw new NetlinkException(Errno.EIO, "nlctrl answer without family id or name", null);
        }
        Map<String, Integer> groups = new HashMap<>();
        ByteBuffer mcast = a.get(Netlink.CTRL_ATTR_MCAST_GROUPS);
        if (mcast != null) {
            for (ByteBuffer group : Attrs.parse(mcast).values()) {
                Map<Integer, ByteBuffer> g = Attrs.parse(group);
                ByteBuffer gName = g.get(Netlink.CTRL_ATTR_MCAST_GRP_NAME);
                ByteBuffer gId = g.get(Netlink.CTRL_ATTR_MCAST_GRP_ID);
                if (gName != null && gId != null) {
                    groups.put(Attrs.string(gName), Attrs.u32(gId));
                }
            }
        }
        return new GenlFamily(Attrs.u16(id), Attrs.string(name), u32(a, Netlink.CTRL_ATTR_VERSION),
                u32(a, Netlink.CTRL_ATTR_HDRSIZE), u32(a, Netlink.CTRL_ATTR_MAXATTR), groups);
    }

    private static int u32(Map<Integer, ByteBuffer> a, int type) {
        ByteBuffer v = a.get(type);
        return v == null ? 0 : Attrs.u32(v);
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
     * <pre>
     *  nlmsghdr (host order)                          payload           pad
     *  | u32 len | u16 type | u16 flags | u32 seq | u32 pid | genlmsghdr attrs... | 0-3 |
     *  len counts header and payload, not the trailing pad.
     * </pre>
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

    /**
     * The next message of a received datagram as a view (position at its header, limit at its end), advancing
     * the datagram past it; {@code null} at the end. A malformed length ends the datagram.
     */
    private static ByteBuffer next(ByteBuffer datagram) {
        if (datagram.remaining() < Netlink.NLMSG_HDRLEN) {
            return null;
        }
        int start = datagram.position();
        int len = datagram.getInt(start);
        if (len < Netlink.NLMSG_HDRLEN || len > datagram.remaining()) {
            LOG.log(System.Logger.Level.WARNING, "malformed netlink message length " + len + " with "
                    + datagram.remaining() + " bytes left; rest of datagram dropped");
            datagram.position(datagram.limit());
            return null;
        }
        ByteBuffer m = datagram.duplicate().order(ByteOrder.nativeOrder());
        m.limit(start + len);
        datagram.position(Math.min(datagram.limit(), start + Netlink.align(len)));
        return m;
    }

    /** Addressed to us and carrying one of {@code count} sequence numbers from {@code base}. */
    private boolean mine(ByteBuffer m, int base, int count) {
        int pid = m.getInt(m.position() + 12);
        int offset = seq(m) - base;
        if (pid != socket.portId() || offset < 0 || offset >= count) {
            LOG.log(System.Logger.Level.DEBUG, "stale netlink answer dropped: seq=" + seq(m) + " pid=" + pid
                    + " type=" + type(m));
            return false;
        }
        return true;
    }

    private static int type(ByteBuffer m) {
        return m.getShort(m.position() + 4) & 0xffff;
    }

    private static int flags(ByteBuffer m) {
        return m.getShort(m.position() + 6) & 0xffff;
    }

    private static int seq(ByteBuffer m) {
        return m.getInt(m.position() + 8);
    }

    private static NetlinkMessage copy(ByteBuffer m) {
        int p = m.position();
        byte[] payload = new byte[m.limit() - p - Netlink.NLMSG_HDRLEN];
        m.duplicate().position(p + Netlink.NLMSG_HDRLEN).get(payload);
        return new NetlinkMessage(type(m), flags(m), seq(m), m.getInt(p + 12), ByteBuffer.wrap(payload));
    }

    private static String doneExtAck(ByteBuffer m) {
        if ((flags(m) & Netlink.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        ByteBuffer tlvs = m.duplicate().order(ByteOrder.nativeOrder());
        tlvs.position(m.position() + Netlink.NLMSG_HDRLEN + 4);
        ByteBuffer msg = Attrs.parse(tlvs.slice().order(ByteOrder.nativeOrder())).get(Netlink.NLMSGERR_ATTR_MSG);
        return msg == null ? null : Attrs.string(msg);
    }

    /**
     * An NLMSG_ERROR answer:
     * <pre>
     *  nlmsghdr | s32 error (0 = ACK, else -errno) | the request's nlmsghdr | [request payload unless
     *  NLM_F_CAPPED] | [extended-ack attributes if NLM_F_ACK_TLVS: NLMSGERR_ATTR_MSG, _OFFS, ...]
     * </pre>
     */
    static final class ErrorAnswer {
        final int errno;
        final String extAck;
        final int badAttributeOffset;

        private ErrorAnswer(int errno, String extAck, int badAttributeOffset) {
            this.errno = errno;
            this.extAck = extAck;
            this.badAttributeOffset = badAttributeOffset;
        }

        static ErrorAnswer parse(ByteBuffer m) {
            int p = m.position();
            int flags = flags(m);
            int body = p + Netlink.NLMSG_HDRLEN;
            if (m.limit() - body < 4) {
                return new ErrorAnswer(Errno.EIO, "truncated NLMSG_ERROR", -1);
            }
            int error = -m.getInt(body);
            String text = null;
            int offs = -1;
            if ((flags & Netlink.NLM_F_ACK_TLVS) != 0 && m.limit() - body >= 4 + Netlink.NLMSG_HDRLEN) {
                int echoed = (flags & Netlink.NLM_F_CAPPED) != 0
                        ? Netlink.NLMSG_HDRLEN
                        : Netlink.align(m.getInt(body + 4));
                int tlvStart = body + 4 + echoed;
                if (tlvStart <= m.limit()) {
                    ByteBuffer tlvs = m.duplicate().order(ByteOrder.nativeOrder());
                    tlvs.position(tlvStart);
                    Map<Integer, ByteBuffer> a = Attrs.parse(tlvs.slice().order(ByteOrder.nativeOrder()));
                    ByteBuffer msg = a.get(Netlink.NLMSGERR_ATTR_MSG);
                    text = msg == null ? null : Attrs.string(msg);
                    ByteBuffer o = a.get(Netlink.NLMSGERR_ATTR_OFFS);
                    offs = o == null ? -1 : Attrs.u32(o);
                    ByteBuffer missing = a.get(Netlink.NLMSGERR_ATTR_MISS_TYPE);
                    if (missing != null) {
                        text = (text == null ? "" : text + "; ") + "missing attribute type " + Attrs.u32(missing);
                    }
                }
            }
            return new ErrorAnswer(error, text, offs);
        }
    }
}
