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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

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
 * <h2>Threads</h2>
 * Safe for use by many threads. Each public method holds this instance's lock for its whole exchange,
 * so an {@link #apply} or {@link #snapshot} is never interleaved with another call on the same instance.
 */
public final class NetlinkIpvs implements Ipvs {

    private static final System.Logger LOG = System.getLogger(NetlinkIpvs.class.getName());
    private static final int MAX_REPORTED = 1024;

    private final ReentrantLock lock = new ReentrantLock();
    /** Unreadable entries already warned about, by their text; see {@link #report}. */
    private final Set<String> reported = new HashSet<>();
    private final NetlinkConnection conn;
    private final int familyId;
    private final AckPolicy ackPolicy;

    private NetlinkIpvs(NetlinkConnection conn, int familyId, AckPolicy ackPolicy) {
        this.conn = conn;
        this.familyId = familyId;
        this.ackPolicy = ackPolicy;
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
            return new NetlinkIpvs(conn, family.id(), ackPolicy);
        } catch (GenlFamilyNotFoundException e) {
            conn.close();
            throw new IpvsException(e.errno(), "resolve generic netlink family IPVS: the kernel has no IPVS"
                    + " (is the ip_vs module loaded?)", e.extAck().orElse(""), e);
        } catch (NetlinkException e) {
            conn.close();
            throw new IpvsException(e.errno(), "resolve generic netlink family IPVS", e.extAck().orElse(""), e);
        }
    }

    /** The generic-netlink family id the kernel gave IPVS. */
    public int familyId() {
        return familyId;
    }

    /** The underlying connection, for diagnostics (port id, limits). */
    public NetlinkConnection connection() {
        return conn;
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
        List<NetlinkRequest> requests = new ArrayList<>(ops.size());
        for (IpvsOp op : ops) {
            requests.add(toNetlink(IpvsCodec.request(op)));
        }
        BatchOutcome outcome;
        lock.lock();
        try {
            outcome = conn.batch(requests, ackPolicy);
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
            conn.close();
        } finally {
            lock.unlock();
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------

    private void execute(IpvsRequest r) {
        exchange(r);
    }

    /** One request (acknowledged) or dump, with every failure as an {@link IpvsException}. */
    private List<Frame> exchange(IpvsRequest r) {
        NetlinkRequest nl = toNetlink(r);
        lock.lock();
        try {
            return r.dump() ? conn.dump(nl) : conn.request(nl);
        } catch (NetlinkException e) {
            throw new IpvsException(e.errno(), r.label(), e.extAck().orElse(""), e);
        } finally {
            lock.unlock();
        }
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
