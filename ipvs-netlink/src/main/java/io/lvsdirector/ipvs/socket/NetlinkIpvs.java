package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.BatchResult;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.Ipvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.IpvsInfo;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.Timeouts;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerStatus;
import io.lvsdirector.ipvs.wire.IpvsCodec;
import io.lvsdirector.ipvs.wire.IpvsConstants;
import io.lvsdirector.ipvs.wire.IpvsRequest;
import io.lvsdirector.ipvs.wire.NetlinkCodec.Frame;
import io.lvsdirector.ipvs.wire.NetlinkCodec.GenlFamilyInfo;
import io.lvsdirector.ipvs.wire.TableReader;
import io.lvsdirector.ipvs.wire.WireFormatException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * {@link Ipvs} over generic netlink: the kernel's IPVS table through one {@link NetlinkConnection}.
 *
 * <p>Requests are encoded and replies decoded by the wire codec ({@link IpvsCodec}); this class only
 * moves them and turns socket-level failures into {@link IpvsException}s that keep the errno and the
 * kernel's extended-ack text. A reply the codec cannot read (an attribute of the wrong size, a
 * missing attribute) is an {@code IpvsException} with {@code EIO}. A well-formed entry the public
 * records cannot hold is left out of table reads and reported ({@link Ipvs}, "Foreign entries"); for
 * {@link #getService} it is {@code EIO} too, since the one thing asked for cannot be answered.
 *
 * <h2>Batches</h2>
 * {@link #apply} packs many requests into each {@code send} (see {@link NetlinkConnection#batch}).
 * By default only the last message of each send asks for an acknowledgement ({@link AckPolicy#LAST_OF_SEND}):
 * the kernel answers every failed message with its errno regardless, so the outcome of every op is still
 * known, in about a fifth of the time an acknowledgement per message takes (measured in the lab on
 * 11,000 operations). Ops are independent: one op's
 * failure does not stop the ones after it, in the kernel as here.
 *
 * <h2>A broken connection is reopened</h2>
 * Two things break the conversation without a restart of the director, and both are repaired here so
 * that the next call works:
 * <ul>
 *   <li>The socket itself fails ({@link NetlinkConnection#isBrokenSocket}: EBADF, ENOTCONN,
 *       ECONNREFUSED, ETIMEDOUT ...). The call fails with that errno; the socket is closed, and the
 *       next call opens a new one (in the same namespace) and resolves the family again. The old
 *       socket is closed before the new one is opened: never two in use.</li>
 *   <li>The IPVS family gets a new id: {@code ip_vs} was unloaded and loaded again, and the kernel
 *       refuses the old id with ENOENT before IPVS sees the request. On ENOENT (or EOPNOTSUPP) the
 *       family is resolved again on the same socket; when its id changed, the request, which the
 *       kernel provably did not handle, is sent again with the new id. When the family is gone (ip_vs
 *       unloaded), the call fails with ENOENT and later calls resolve it again.</li>
 * </ul>
 * Attempts to reopen back off: the first is made at once, then after 100 ms, doubling up to 10 s;
 * a call in between fails fast with the last failure's errno, without touching the kernel. A
 * success resets the delay. Every failure is an {@link IpvsException} with its errno.
 *
 * <h2>Threads</h2>
 * Safe for use by many threads. Each public method holds this instance's lock for its whole exchange,
 * so an {@link #apply} or {@link #snapshot} is never interleaved with another call on the same instance.
 */
public final class NetlinkIpvs implements Ipvs {

    private static final System.Logger LOG = System.getLogger(NetlinkIpvs.class.getName());
    private static final int MAX_REPORTED = 1024;

    /** The first delay between two attempts to reopen; doubles per failed attempt. */
    static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The longest delay between two attempts to reopen. */
    static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ReentrantLock lock = new ReentrantLock();
    /** Unreadable entries already warned about, by their text; see {@link #report}. */
    private final Set<String> reported = new HashSet<>();
    private final NetlinkOptions options;
    private final AckPolicy ackPolicy;
    private final LongSupplier nanoTime;
    // Guarded by lock. conn is null while the socket is broken; familyId is -1 while unresolved.
    private NetlinkConnection conn;
    private volatile int familyId;
    private boolean closed;
    private long retryDelayNanos;
    private long nextAttemptNanos;
    private IpvsException lastFailure;

    private NetlinkIpvs(NetlinkOptions options, AckPolicy ackPolicy, LongSupplier nanoTime, NetlinkConnection conn,
                        int familyId) {
        this.options = options;
        this.ackPolicy = ackPolicy;
        this.nanoTime = nanoTime;
        this.conn = conn;
        this.familyId = familyId;
    }

    /**
     * Opens IPVS in the caller's network namespace.
     *
     * @throws IpvsException ENOENT when the kernel has no IPVS family (ip_vs not loaded); the socket's
     *         errno when the socket cannot be opened
     */
    public static NetlinkIpvs open() {
        return open(NetlinkOptions.defaults(), AckPolicy.LAST_OF_SEND);
    }

    /**
     * Opens IPVS in a named network namespace ({@code ip netns} name, i.e. {@code /run/netns/NAME}, or a
     * namespace file path such as {@code /proc/PID/ns/net}). Each namespace has its own IPVS table.
     * Needs CAP_SYS_ADMIN.
     *
     * @throws IpvsException ENOENT when the namespace or the IPVS family does not exist; EPERM without the
     *         capability
     */
    public static NetlinkIpvs open(String netns) {
        return open(NetlinkOptions.defaults().withNetns(netns), AckPolicy.LAST_OF_SEND);
    }

    /**
     * Opens IPVS with explicit socket options and acknowledgement policy for {@link #apply}.
     *
     * @throws IpvsException as {@link #open()}
     */
    public static NetlinkIpvs open(NetlinkOptions options, AckPolicy ackPolicy) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(ackPolicy, "ackPolicy");
        NetlinkConnection conn;
        try {
            conn = NetlinkConnection.open(options);
        } catch (NetlinkException e) {
            throw new IpvsException(e.errno(), "open netlink socket" + options.netnsPath().map(p -> " in " + p).orElse(""),
                    e.extAck().orElse(""), e);
        }
        try {
            GenlFamilyInfo family = conn.family(IpvsConstants.IPVS_GENL_NAME);
            return new NetlinkIpvs(options, ackPolicy, System::nanoTime, conn, family.id());
        } catch (NetlinkException e) {
            conn.close();
            throw familyFailure(e);
        }
    }

    /**
     * Opens without requiring IPVS to be there yet: the socket is opened, and the family is resolved
     * by the first call (and, while missing, again with backoff). For tests of the recovery.
     *
     * @throws IpvsException the socket's errno when it cannot be opened
     */
    static NetlinkIpvs openLazily(NetlinkOptions options, AckPolicy ackPolicy, LongSupplier nanoTime) {
        try {
            return new NetlinkIpvs(options, ackPolicy, nanoTime, NetlinkConnection.open(options), -1);
        } catch (NetlinkException e) {
            throw socketFailure(options, e);
        }
    }

    private static IpvsException socketFailure(NetlinkOptions options, NetlinkException e) {
        return new IpvsException(e.errno(), "open netlink socket" + options.netnsPath().map(p -> " in " + p).orElse(""),
                e.extAck().orElse(""), e);
    }

    private static IpvsException familyFailure(NetlinkException e) {
        if (e instanceof GenlFamilyNotFoundException) {
            return new IpvsException(e.errno(), "resolve generic netlink family IPVS: the kernel has no IPVS"
                    + " (is the ip_vs module loaded?)", e.extAck().orElse(""), e);
        }
        return new IpvsException(e.errno(), "resolve generic netlink family IPVS", e.extAck().orElse(""), e);
    }

    /** The generic-netlink family id the kernel gave IPVS; -1 while it is not resolved (ip_vs missing). */
    public int familyId() {
        return familyId;
    }

    /**
     * The underlying connection, for diagnostics (port id, limits); a new one after a reopen, and
     * null while the socket is broken and not reopened yet.
     */
    public NetlinkConnection connection() {
        lock.lock();
        try {
            return conn;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void addService(VirtualServer service) {
        execute(IpvsCodec.addService(service));
    }

    @Override
    public void updateService(VirtualServer service) {
        execute(IpvsCodec.updateService(service));
    }

    @Override
    public void deleteService(VirtualServerKey service) {
        execute(IpvsCodec.deleteService(service));
    }

    @Override
    public Optional<VirtualServerStatus> getService(VirtualServerKey service) {
        IpvsRequest r = IpvsCodec.getService(service);
        List<Frame> replies;
        try {
            replies = exchange(r);
        } catch (IpvsException e) {
            if (e.errno() == Errno.ESRCH) {
                return Optional.empty();
            }
            throw e;
        }
        if (replies.isEmpty()) {
            throw new IpvsException(Errno.EIO, r.label(), "the kernel acknowledged without a service");
        }
        return Optional.of(decode(r, replies.get(0), IpvsCodec::parseService));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A service the public records cannot hold is left out and logged (see {@link #report}).
     */
    @Override
    public List<VirtualServerStatus> services() {
        IpvsRequest r = IpvsCodec.dumpServices();
        TableReader.Services read = decode(r, payloads(exchange(r)), TableReader::services);
        read.unreadable().forEach(this::report);
        return read.services();
    }

    @Override
    public void addRealServer(VirtualServerKey service, RealServer realServer) {
        execute(IpvsCodec.addRealServer(service, realServer));
    }

    @Override
    public void updateRealServer(VirtualServerKey service, RealServer realServer) {
        execute(IpvsCodec.updateRealServer(service, realServer));
    }

    @Override
    public void deleteRealServer(VirtualServerKey service, RealServerKey realServer) {
        execute(IpvsCodec.deleteRealServer(service, realServer));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A real server the public records cannot hold is left out and logged (see {@link #report}).
     */
    @Override
    public List<RealServerStatus> realServers(VirtualServerKey service) {
        IpvsRequest r = IpvsCodec.dumpRealServers(service);
        TableReader.RealServers read = decode(r, payloads(exchange(r)), p -> TableReader.realServers(service, p));
        read.unreadable().forEach(this::report);
        return read.realServers();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Entries the public records cannot hold are in {@link IpvsSnapshot#unreadable()} and logged
     * (see {@link #report}).
     */
    @Override
    public IpvsSnapshot snapshot() {
        IpvsRequest r = IpvsCodec.dumpServices();
        lock.lock();
        try {
            List<Frame> services = exchange(r);
            IpvsSnapshot snap = decode(r, payloads(services),
                    parts -> TableReader.snapshot(parts, key -> payloads(exchange(IpvsCodec.dumpRealServers(key)))));
            snap.unreadable().forEach(this::report);
            return snap;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every op is encoded before anything is sent, so an op the codec refuses fails the call with
     * {@link IllegalArgumentException} and leaves the kernel untouched. The requests then go out packed,
     * many per {@code send}; an op sent whose answer was lost to a socket failure is reported FAILED with
     * the socket's errno (its effect is unknown: re-read the table), and the ops after it NOT_ATTEMPTED.
     */
    @Override
    public BatchResult apply(List<? extends IpvsOp> ops) {
        Objects.requireNonNull(ops, "ops");
        List<IpvsRequest> encoded = new ArrayList<>(ops.size());
        for (IpvsOp op : ops) {
            encoded.add(IpvsCodec.request(op));
        }
        BatchOutcome outcome;
        lock.lock();
        try {
            NetlinkConnection c;
            try {
                c = connected();
            } catch (IpvsException e) {
                List<BatchResult.Outcome> none = new ArrayList<>(ops.size());
                for (IpvsOp op : ops) {
                    none.add(BatchResult.Outcome.notAttempted(op, new IpvsException(e.errno(), op.describe(),
                            "not sent: " + e.getMessage(), op)));
                }
                return new BatchResult(none);
            }
            outcome = c.batch(toNetlink(encoded), ackPolicy);
            if (outcome.transportFailure() != null) {
                recover(outcome.transportFailure());
            } else if (refusedByGenl(outcome) && recover(firstFailure(outcome)) == Recovery.RETRY) {
                // Every op was refused with the old family id, so none was handled: send them all again.
                outcome = conn.batch(toNetlink(encoded), ackPolicy);
                if (outcome.transportFailure() != null) {
                    recover(outcome.transportFailure());
                }
            }
        } finally {
            lock.unlock();
        }
        NetlinkException transport = outcome.transportFailure();
        List<BatchResult.Outcome> out = new ArrayList<>(ops.size());
        for (BatchOutcome.Result r : outcome.results()) {
            IpvsOp op = ops.get(r.index());
            out.add(switch (r.status()) {
                case DONE -> BatchResult.Outcome.ok(op);
                case FAILED -> BatchResult.Outcome.failed(op,
                        new IpvsException(r.errno(), op.describe(), r.extAck() == null ? "" : r.extAck(), op));
                case UNKNOWN -> BatchResult.Outcome.failed(op, new IpvsException(transport.errno(), op.describe(),
                        "sent, but the answer was lost (" + transport.getMessage() + "); re-read the table", op));
                case NOT_SENT -> BatchResult.Outcome.notAttempted(op, new IpvsException(transport.errno(), op.describe(),
                        "not sent: the batch stopped at " + transport.getMessage(), op));
            });
        }
        return new BatchResult(out);
    }

    @Override
    public void zero(VirtualServerKey service) {
        execute(IpvsCodec.zero(service));
    }

    @Override
    public void zeroAll() {
        execute(IpvsCodec.zeroAll());
    }

    @Override
    public void flush() {
        execute(IpvsCodec.flush());
    }

    @Override
    public IpvsInfo info() {
        IpvsRequest r = IpvsCodec.getInfo();
        return decode(r, single(r, exchange(r)), IpvsCodec::parseInfo);
    }

    @Override
    public Timeouts timeouts() {
        IpvsRequest r = IpvsCodec.getConfig();
        return decode(r, single(r, exchange(r)), IpvsCodec::parseTimeouts);
    }

    @Override
    public void setTimeouts(Timeouts timeouts) {
        execute(IpvsCodec.setConfig(timeouts));
    }

    @Override
    public void startDaemon(SyncDaemon daemon) {
        execute(IpvsCodec.startDaemon(daemon));
    }

    @Override
    public void stopDaemon(SyncDaemon.State state) {
        execute(IpvsCodec.stopDaemon(state));
    }

    @Override
    public List<SyncDaemon> daemons() {
        IpvsRequest r = IpvsCodec.dumpDaemons();
        List<SyncDaemon> out = new ArrayList<>();
        for (Frame f : exchange(r)) {
            out.add(decode(r, f, IpvsCodec::parseDaemon));
        }
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends {@link IpvsCodec#probeScheduler}: one acknowledged request. Verified on Linux 6.1
     * in the lab ({@code SchedulerProbeKernelIT}): every scheduler loaded answers EINVAL, an unknown
     * one ENOENT, and the table reads the same before and after.
     */
    @Override
    public Optional<Boolean> schedulerAvailable(String name) {
        IpvsRequest r = IpvsCodec.probeScheduler(name);
        try {
            exchange(r);
        } catch (IpvsException e) {
            if (e.errno() == Errno.EINVAL) {
                return Optional.of(true);
            }
            if (e.errno() == Errno.ENOENT) {
                return Optional.of(false);
            }
            LOG.log(System.Logger.Level.DEBUG, "scheduler probe inconclusive: scheduler={0} errno={1}", name,
                    e.errnoName());
            return Optional.empty();
        }
        // The kernel took a prefix of 129: it no longer checks it, and the probe service now exists
        // (so the scheduler does too). Take it out again at once: nobody asked for it.
        LOG.log(System.Logger.Level.WARNING, "scheduler probe was accepted; deleting the probe service {0}",
                IpvsCodec.SCHEDULER_PROBE_KEY);
        try {
            exchange(IpvsCodec.deleteService(IpvsCodec.SCHEDULER_PROBE_KEY));
        } catch (IpvsException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the probe service: {0}", e.errnoName());
        }
        return Optional.of(true);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (conn != null) {
                conn.close();
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------

    private void execute(IpvsRequest r) {
        exchange(r);
    }

    /**
     * One request (acknowledged) or dump, with every failure as an {@link IpvsException}; repairs the
     * connection as the class documentation says.
     */
    private List<Frame> exchange(IpvsRequest r) {
        lock.lock();
        try {
            NetlinkConnection c = connected();
            try {
                return send(c, r);
            } catch (NetlinkException e) {
                if (recover(e) != Recovery.RETRY) {
                    throw new IpvsException(e.errno(), r.label(), e.extAck().orElse(""), e);
                }
            }
            try {
                return send(conn, r);
            } catch (NetlinkException e) {
                recover(e);
                throw new IpvsException(e.errno(), r.label(), e.extAck().orElse(""), e);
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Frame> send(NetlinkConnection c, IpvsRequest r) throws NetlinkException {
        NetlinkRequest nl = toNetlink(r);
        return r.dump() ? c.dump(nl) : c.request(nl);
    }

    /** What {@link #recover} did about a failure. */
    private enum Recovery {
        /** Nothing to repair: the kernel refused the request itself. */
        NONE,
        /** The socket was closed; the next call opens a new one. */
        REOPEN_LATER,
        /** The family had a new id, now in use: the failed request was not handled and may be sent again. */
        RETRY
    }

    /**
     * The connection to use: the open one, or a new one (and the family resolved) when the last was
     * broken and the backoff allows an attempt now. Under the lock.
     *
     * @throws IpvsException the errno of the failed attempt, or of the last one while backing off
     */
    private NetlinkConnection connected() {
        if (closed) {
            throw new IpvsException(Errno.EBADF, "IPVS netlink connection", "closed");
        }
        if (conn != null && familyId >= 0) {
            return conn;
        }
        long now = nanoTime.getAsLong();
        if (lastFailure != null && now - nextAttemptNanos < 0) {
            throw new IpvsException(lastFailure.errno(), "reopen IPVS netlink connection",
                    "backing off, next attempt in " + TimeUnit.NANOSECONDS.toMillis(nextAttemptNanos - now)
                            + " ms; last failure: " + lastFailure.getMessage(), lastFailure);
        }
        boolean reopened = false;
        int old = familyId;
        try {
            if (conn == null) {
                // The broken socket was closed in recover(): never two open at once.
                conn = NetlinkConnection.open(options);
                reopened = true;
            }
            familyId = conn.refreshFamily(IpvsConstants.IPVS_GENL_NAME).id();
            LOG.log(System.Logger.Level.INFO, "event=ipvs_netlink_reopened new_socket={0} port_id={1} family_id={2}"
                    + " previous_family_id={3}", reopened, String.valueOf(conn.portId()), String.valueOf(familyId),
                    String.valueOf(old));
            retryDelayNanos = 0;
            lastFailure = null;
            return conn;
        } catch (NetlinkException e) {
            IpvsException failure = conn == null ? socketFailure(options, e) : familyFailure(e);
            familyId = -1;
            if (conn != null && NetlinkConnection.isBrokenSocket(e.errno())) {
                conn.close();
                conn = null;
            }
            retryDelayNanos = retryDelayNanos == 0 ? FIRST_RETRY_NANOS : Math.min(MAX_RETRY_NANOS, retryDelayNanos * 2);
            nextAttemptNanos = now + retryDelayNanos;
            lastFailure = failure;
            LOG.log(System.Logger.Level.WARNING, "event=ipvs_netlink_reopen_failed errno={0} retry_in_ms={1}"
                    + " error=\"{2}\"", Errno.name(e.errno()), String.valueOf(TimeUnit.NANOSECONDS.toMillis(retryDelayNanos)),
                    failure.getMessage());
            throw failure;
        }
    }

    /**
     * Repairs what a failure says is broken. Under the lock.
     */
    private Recovery recover(NetlinkException e) {
        if (NetlinkConnection.isBrokenSocket(e.errno())) {
            LOG.log(System.Logger.Level.WARNING, "event=ipvs_netlink_broken errno={0} error=\"{1}\" action=reopen",
                    e.errnoName(), e.getMessage());
            if (conn != null) {
                conn.close();
                conn = null;
            }
            return Recovery.REOPEN_LATER;
        }
        if (e.errno() != Errno.ENOENT && e.errno() != Errno.EOPNOTSUPP) {
            return Recovery.NONE;
        }
        // ENOENT is also IPVS's own answer (no such scheduler, no such real server); one cheap
        // CTRL_CMD_GETFAMILY tells the two apart.
        int old = familyId;
        try {
            int now = conn.refreshFamily(IpvsConstants.IPVS_GENL_NAME).id();
            if (now == old) {
                return Recovery.NONE;
            }
            familyId = now;
            LOG.log(System.Logger.Level.WARNING, "event=ipvs_family_changed old_id={0} new_id={1}"
                    + " cause=\"ip_vs reloaded\"", String.valueOf(old), String.valueOf(now));
            return Recovery.RETRY;
        } catch (GenlFamilyNotFoundException gone) {
            LOG.log(System.Logger.Level.WARNING, "event=ipvs_family_gone old_id={0} cause=\"ip_vs unloaded\"", String.valueOf(old));
            familyId = -1;
            return Recovery.REOPEN_LATER;
        } catch (NetlinkException other) {
            return recover(other) == Recovery.REOPEN_LATER ? Recovery.REOPEN_LATER : Recovery.NONE;
        }
    }

    /** Every op of the batch failed with an errno the generic-netlink layer gives a stale family id. */
    private static boolean refusedByGenl(BatchOutcome outcome) {
        if (outcome.results().isEmpty()) {
            return false;
        }
        for (BatchOutcome.Result r : outcome.results()) {
            if (r.status() != BatchOutcome.Status.FAILED
                    || (r.errno() != Errno.ENOENT && r.errno() != Errno.EOPNOTSUPP)) {
                return false;
            }
        }
        return true;
    }

    private static NetlinkException firstFailure(BatchOutcome outcome) {
        BatchOutcome.Result r = outcome.results().get(0);
        return new NetlinkException(r.errno(), r.label(), r.extAck());
    }

    private List<NetlinkRequest> toNetlink(List<IpvsRequest> encoded) {
        List<NetlinkRequest> out = new ArrayList<>(encoded.size());
        for (IpvsRequest r : encoded) {
            out.add(toNetlink(r));
        }
        return out;
    }

    /**
     * Logs an entry left out of a read. The director reads the whole table every pass, and a foreign
     * entry stays until its owner changes it, so only the first sighting of an entry (with its
     * reason) is a WARNING; later ones are DEBUG. The memory of what was seen is bounded: when
     * full it starts over, which at worst repeats a warning.
     */
    private void report(IpvsSnapshot.Unreadable u) {
        boolean first;
        synchronized (reported) {
            if (reported.size() >= MAX_REPORTED) {
                reported.clear();
            }
            first = reported.add(u.toString());
        }
        LOG.log(first ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "ipvs entry left out of read: service=\"{0}\" realServer=\"{1}\" reason=\"{2}\"",
                u.service(), u.realServer().orElse(""), u.reason());
    }

    private static List<ByteBuffer> payloads(List<Frame> frames) {
        List<ByteBuffer> out = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            out.add(f.payload());
        }
        return out;
    }

    private NetlinkRequest toNetlink(IpvsRequest r) {
        return new NetlinkRequest(familyId, 0, r.genlPayload(), r.label());
    }

    private static Frame single(IpvsRequest r, List<Frame> replies) {
        if (replies.size() != 1) {
            throw new IpvsException(Errno.EIO, r.label(), "expected one reply, got " + replies.size());
        }
        return replies.get(0);
    }

    private static <T> T decode(IpvsRequest r, Frame f, Function<ByteBuffer, T> parser) {
        return decode(r, f.payload(), parser);
    }

    private static <P, T> T decode(IpvsRequest r, P payload, Function<P, T> parser) {
        try {
            return parser.apply(payload);
        } catch (WireFormatException e) {
            throw new IpvsException(Errno.EIO, r.label(), "unreadable reply: " + e.getMessage(), e);
        }
    }
}
