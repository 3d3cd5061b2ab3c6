package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.IpvsConstants.*;

import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.IpvsInfo;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.Timeouts;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.ipvs.VirtualServerStatus;
import java.nio.ByteBuffer;

/**
 * Encodes every IPVS request and decodes every IPVS reply; no I/O.
 *
 * <p>Requests come back as {@link IpvsRequest}: command, attributes, dump or not. Replies are
 * read from the generic-netlink payload of a message, i.e. the bytes after the {@code nlmsghdr}
 * ({@code genlmsghdr} first); each parser checks the reply's command.
 *
 * <pre>
 *  An IPVS request, e.g. ipvsadm -A -t 10.0.0.1:80 -s rr (IPVS_CMD_NEW_SERVICE):
 *
 *  nlmsghdr     | len | type = IPVS family id | flags = REQUEST|ACK | seq | pid |   16 bytes
 *  genlmsghdr   | cmd = 1 | version = 1 | reserved = 0 |                          4 bytes
 *  nlattr       IPVS_CMD_ATTR_SERVICE (NLA_F_NESTED)
 *    nlattr       IPVS_SVC_ATTR_AF         u16  2 (AF_INET)          host order
 *    nlattr       IPVS_SVC_ATTR_PROTOCOL   u16  6 (IPPROTO_TCP)      host order
 *    nlattr       IPVS_SVC_ATTR_ADDR       16 bytes 0a000001 00..00  union nf_inet_addr
 *    nlattr       IPVS_SVC_ATTR_PORT       __be16 0x0050             NETWORK order
 *    nlattr       IPVS_SVC_ATTR_SCHED_NAME "rr\0"
 *    nlattr       IPVS_SVC_ATTR_FLAGS      struct ip_vs_flags {flags, mask}, host order
 *    nlattr       IPVS_SVC_ATTR_TIMEOUT    u32  persistence seconds
 *    nlattr       IPVS_SVC_ATTR_NETMASK    __be32 mask (IPv4) | host-order prefix (IPv6)
 *
 *  Destination requests carry IPVS_CMD_ATTR_SERVICE (identity only) and IPVS_CMD_ATTR_DEST:
 *    IPVS_DEST_ATTR_ADDR_FAMILY u16, _ADDR 16 bytes, _PORT __be16, _FWD_METHOD u32, _WEIGHT u32,
 *    _U_THRESH u32, _L_THRESH u32, and for tunnels _TUN_TYPE u8, _TUN_PORT __be16, _TUN_FLAGS u16.
 *
 *  Replies: a GET_SERVICE or service dump part is IPVS_CMD_NEW_SERVICE with IPVS_CMD_ATTR_SERVICE
 *  holding everything above plus IPVS_SVC_ATTR_STATS and _STATS64 (nested counters); a
 *  destination dump part is IPVS_CMD_NEW_DEST with IPVS_CMD_ATTR_DEST plus connection counts and
 *  stats; GET_INFO answers IPVS_CMD_SET_INFO with top-level IPVS_INFO_ATTR_*; GET_CONFIG answers
 *  IPVS_CMD_SET_CONFIG with top-level IPVS_CMD_ATTR_TIMEOUT_*; a daemon dump part is
 *  IPVS_CMD_NEW_DAEMON with IPVS_CMD_ATTR_DAEMON.
 * </pre>
 */
public final class IpvsCodec {
    private IpvsCodec() {
    }

    // ---- requests ----

    /** The request for a batch op. */
    public static IpvsRequest request(IpvsOp op) {
        if (op instanceof IpvsOp.AddService a) {
            return addService(a.virtualServer());
        } else if (op instanceof IpvsOp.UpdateService u) {
            return updateService(u.virtualServer());
        } else if (op instanceof IpvsOp.DeleteService d) {
            return deleteService(d.service());
        } else if (op instanceof IpvsOp.AddRealServer a) {
            return addRealServer(a.service(), a.realServer());
        } else if (op instanceof IpvsOp.UpdateRealServer u) {
            return updateRealServer(u.service(), u.realServer());
        } else if (op instanceof IpvsOp.DeleteRealServer d) {
            return deleteRealServer(d.service(), d.realServer());
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    /** {@code IPVS_CMD_NEW_SERVICE}: ipvsadm -A. */
    public static IpvsRequest addService(VirtualServer vs) {
        return service(IPVS_CMD_NEW_SERVICE, WireMapping.serviceFull(vs), new IpvsOp.AddService(vs).describe());
    }

    /** The service key a scheduler probe names: TCP [2001:db8:ffff:ffff::5c4e]:9, a documentation address. */
    public static final VirtualServerKey SCHEDULER_PROBE_KEY = VirtualServerKey.tcp("2001:db8:ffff:ffff::5c4e", 9);

    /** The IPv6 persistence prefix a scheduler probe sends: one past the kernel's 1..128. */
    public static final int SCHEDULER_PROBE_NETMASK = 129;

    /**
     * {@code IPVS_CMD_NEW_SERVICE} for {@link #SCHEDULER_PROBE_KEY} with scheduler {@code name} and
     * IPv6 persistence prefix 129, which {@code ip_vs_add_service()} refuses with {@code EINVAL}
     * only after it found the scheduler ({@code ENOENT} otherwise), before it adds anything. See
     * {@code Ipvs#schedulerAvailable}. The public records cannot say prefix 129, so the attributes
     * are written here.
     */
    public static IpvsRequest probeScheduler(String name) {
        // Validates the name as -s would be (1..15 printable characters).
        VirtualServerSpec.of(name);
        ServiceAttrs id = WireMapping.serviceIdentity(SCHEDULER_PROBE_KEY);
        ServiceAttrs probe = new ServiceAttrs(id.af(), id.protocol(), id.addr(), id.port(), null, name, null, 0,
                WireMapping.FLAGS_MASK_ALL, 0, SCHEDULER_PROBE_NETMASK, null, null);
        return service(IPVS_CMD_NEW_SERVICE, probe, "probe scheduler " + name);
    }

    /** {@code IPVS_CMD_SET_SERVICE}: ipvsadm -E. */
    public static IpvsRequest updateService(VirtualServer vs) {
        return service(IPVS_CMD_SET_SERVICE, WireMapping.serviceFull(vs), new IpvsOp.UpdateService(vs).describe());
    }

    /** {@code IPVS_CMD_DEL_SERVICE}: ipvsadm -D. */
    public static IpvsRequest deleteService(VirtualServerKey key) {
        return service(IPVS_CMD_DEL_SERVICE, WireMapping.serviceIdentity(key), new IpvsOp.DeleteService(key).describe());
    }

    /** {@code IPVS_CMD_GET_SERVICE} (not a dump): ipvsadm -L -t VIP:PORT. */
    public static IpvsRequest getService(VirtualServerKey key) {
        return service(IPVS_CMD_GET_SERVICE, WireMapping.serviceIdentity(key), "-L " + label(key));
    }

    /** {@code IPVS_CMD_GET_SERVICE} dump: every service. */
    public static IpvsRequest dumpServices() {
        return new IpvsRequest(IPVS_CMD_GET_SERVICE, new byte[0], true, "-L");
    }

    /** {@code IPVS_CMD_NEW_DEST}: ipvsadm -a. */
    public static IpvsRequest addRealServer(VirtualServerKey svc, RealServer rs) {
        return dest(IPVS_CMD_NEW_DEST, svc, WireMapping.destFull(rs), new IpvsOp.AddRealServer(svc, rs).describe());
    }

    /** {@code IPVS_CMD_SET_DEST}: ipvsadm -e. */
    public static IpvsRequest updateRealServer(VirtualServerKey svc, RealServer rs) {
        return dest(IPVS_CMD_SET_DEST, svc, WireMapping.destFull(rs), new IpvsOp.UpdateRealServer(svc, rs).describe());
    }

    /** {@code IPVS_CMD_DEL_DEST}: ipvsadm -d. */
    public static IpvsRequest deleteRealServer(VirtualServerKey svc, RealServerKey rs) {
        return dest(IPVS_CMD_DEL_DEST, svc, WireMapping.destIdentity(rs), new IpvsOp.DeleteRealServer(svc, rs).describe());
    }

    /** {@code IPVS_CMD_GET_DEST} dump: the real servers of a service. */
    public static IpvsRequest dumpRealServers(VirtualServerKey svc) {
        AttrWriter w = new AttrWriter();
        WireMapping.serviceIdentity(svc).writeTo(w);
        return new IpvsRequest(IPVS_CMD_GET_DEST, w.toByteArray(), true, "-L " + label(svc));
    }

    /** {@code IPVS_CMD_ZERO} for one service: ipvsadm -Z -t VIP:PORT. */
    public static IpvsRequest zero(VirtualServerKey key) {
        return service(IPVS_CMD_ZERO, WireMapping.serviceIdentity(key), "-Z " + label(key));
    }

    /** {@code IPVS_CMD_ZERO} without a service: ipvsadm -Z. */
    public static IpvsRequest zeroAll() {
        return new IpvsRequest(IPVS_CMD_ZERO, new byte[0], false, "-Z");
    }

    /** {@code IPVS_CMD_FLUSH}: ipvsadm -C. */
    public static IpvsRequest flush() {
        return new IpvsRequest(IPVS_CMD_FLUSH, new byte[0], false, "-C");
    }

    /** {@code IPVS_CMD_GET_INFO}: ipvsadm --version. */
    public static IpvsRequest getInfo() {
        return new IpvsRequest(IPVS_CMD_GET_INFO, new byte[0], false, "--version");
    }

    /** {@code IPVS_CMD_GET_CONFIG}: ipvsadm -L --timeout. */
    public static IpvsRequest getConfig() {
        return new IpvsRequest(IPVS_CMD_GET_CONFIG, new byte[0], false, "-L --timeout");
    }

    /**
     * {@code IPVS_CMD_SET_CONFIG}: ipvsadm --set. Only non-zero timeouts are sent, so 0 leaves a
     * timeout unchanged whatever the kernel version does with an explicit 0.
     */
    public static IpvsRequest setConfig(Timeouts t) {
        AttrWriter w = new AttrWriter();
        if (t.tcp() != 0) {
            w.u32(IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp());
        }
        if (t.tcpFin() != 0) {
            w.u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcpFin());
        }
        if (t.udp() != 0) {
            w.u32(IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp());
        }
        return new IpvsRequest(IPVS_CMD_SET_CONFIG, w.toByteArray(), false,
                "--set " + t.tcp() + " " + t.tcpFin() + " " + t.udp());
    }

    /** {@code IPVS_CMD_NEW_DAEMON}: ipvsadm --start-daemon. */
    public static IpvsRequest startDaemon(SyncDaemon d) {
        AttrWriter w = new AttrWriter();
        WireMapping.daemonStart(d).writeTo(w);
        return new IpvsRequest(IPVS_CMD_NEW_DAEMON, w.toByteArray(), false,
                "--start-daemon " + d.state().name().toLowerCase() + " --mcast-interface " + d.interfaceName()
                        + " --syncid " + d.syncId());
    }

    /** {@code IPVS_CMD_DEL_DAEMON}: ipvsadm --stop-daemon. */
    public static IpvsRequest stopDaemon(SyncDaemon.State state) {
        AttrWriter w = new AttrWriter();
        WireMapping.daemonStop(state).writeTo(w);
        return new IpvsRequest(IPVS_CMD_DEL_DAEMON, w.toByteArray(), false,
                "--stop-daemon " + state.name().toLowerCase());
    }

    /** {@code IPVS_CMD_GET_DAEMON} dump: ipvsadm -L --daemon. */
    public static IpvsRequest dumpDaemons() {
        return new IpvsRequest(IPVS_CMD_GET_DAEMON, new byte[0], true, "-L --daemon");
    }

    // ---- replies ----

    /**
     * A service: a GET_SERVICE reply or one part of a service dump ({@code IPVS_CMD_NEW_SERVICE}).
     *
     * @throws WireFormatException if malformed
     */
    public static VirtualServerStatus parseService(ByteBuffer genlPayload) {
        Attributes top = NetlinkCodec.genlAttributes(genlPayload, IPVS_CMD_NEW_SERVICE, IPVS_CMD_ATTR_TIMEOUT_UDP,
                "IPVS_CMD_NEW_SERVICE");
        if (!top.has(IPVS_CMD_ATTR_SERVICE)) {
            throw new WireFormatException("IPVS_CMD_NEW_SERVICE reply without IPVS_CMD_ATTR_SERVICE");
        }
        Attributes svc = top.nested(IPVS_CMD_ATTR_SERVICE, IPVS_SVC_ATTR_STATS64, "IPVS_CMD_ATTR_SERVICE");
        return WireMapping.service(ServiceAttrs.read(svc));
    }

    /**
     * A real server: one part of a destination dump ({@code IPVS_CMD_NEW_DEST}).
     *
     * @param serviceFamily the service's family, used only if the kernel omits the destination's
     * @throws WireFormatException if malformed
     */
    public static RealServerStatus parseRealServer(ByteBuffer genlPayload, AddressFamily serviceFamily) {
        Attributes top = NetlinkCodec.genlAttributes(genlPayload, IPVS_CMD_NEW_DEST, IPVS_CMD_ATTR_TIMEOUT_UDP,
                "IPVS_CMD_NEW_DEST");
        if (!top.has(IPVS_CMD_ATTR_DEST)) {
            throw new WireFormatException("IPVS_CMD_NEW_DEST reply without IPVS_CMD_ATTR_DEST");
        }
        Attributes dest = top.nested(IPVS_CMD_ATTR_DEST, IPVS_DEST_ATTR_TUN_FLAGS, "IPVS_CMD_ATTR_DEST");
        return WireMapping.dest(DestAttrs.read(dest), serviceFamily);
    }

    /** The GET_INFO reply ({@code IPVS_CMD_SET_INFO}). */
    public static IpvsInfo parseInfo(ByteBuffer genlPayload) {
        Attributes a = NetlinkCodec.genlAttributes(genlPayload, IPVS_CMD_SET_INFO, IPVS_INFO_ATTR_CONN_TAB_SIZE,
                "IPVS_CMD_SET_INFO");
        return new IpvsInfo(a.u32(IPVS_INFO_ATTR_VERSION), a.u32(IPVS_INFO_ATTR_CONN_TAB_SIZE));
    }

    /** The GET_CONFIG reply ({@code IPVS_CMD_SET_CONFIG}). */
    public static Timeouts parseTimeouts(ByteBuffer genlPayload) {
        Attributes a = NetlinkCodec.genlAttributes(genlPayload, IPVS_CMD_SET_CONFIG, IPVS_CMD_ATTR_TIMEOUT_UDP,
                "IPVS_CMD_SET_CONFIG");
        // A kernel built without TCP or UDP support omits that timeout.
        try {
            return new Timeouts(
                a.has(IPVS_CMD_ATTR_TIMEOUT_TCP) ? a.u32(IPVS_CMD_ATTR_TIMEOUT_TCP) : 0,
                a.has(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN) ? a.u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN) : 0,
                a.has(IPVS_CMD_ATTR_TIMEOUT_UDP) ? a.u32(IPVS_CMD_ATTR_TIMEOUT_UDP) : 0);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("IPVS_CMD_SET_CONFIG: " + e.getMessage(), e);
        }
    }

    /** One part of a daemon dump ({@code IPVS_CMD_NEW_DAEMON}). */
    public static SyncDaemon parseDaemon(ByteBuffer genlPayload) {
        Attributes top = NetlinkCodec.genlAttributes(genlPayload, IPVS_CMD_NEW_DAEMON, IPVS_CMD_ATTR_TIMEOUT_UDP,
                "IPVS_CMD_NEW_DAEMON");
        if (!top.has(IPVS_CMD_ATTR_DAEMON)) {
            throw new WireFormatException("IPVS_CMD_NEW_DAEMON reply without IPVS_CMD_ATTR_DAEMON");
        }
        return WireMapping.daemon(DaemonAttrs.read(
                top.nested(IPVS_CMD_ATTR_DAEMON, IPVS_DAEMON_ATTR_MCAST_TTL, "IPVS_CMD_ATTR_DAEMON")));
    }

    // ---- reply builders, the kernel's side: for tests and fake sockets ----

    /** A service reply payload as the kernel builds it ({@code ip_vs_genl_fill_service}). */
    public static byte[] serviceReply(VirtualServerStatus s) {
        ServiceAttrs full = WireMapping.serviceFull(s.virtualServer());
        // The kernel reports the service's own flags with an all-ones mask, HASHED included.
        ServiceAttrs reply = new ServiceAttrs(full.af(), full.protocol(), full.addr(), full.port(), full.fwmark(),
                full.schedName(), full.peName(), full.flags() | IP_VS_SVC_F_HASHED, WireMapping.FLAGS_MASK_ALL,
                full.timeout(), full.netmask(), WireMapping.stats(s.stats()), WireMapping.stats(s.stats()));
        AttrWriter w = new AttrWriter(256);
        reply.writeReplyTo(w);
        return genl(IPVS_CMD_NEW_SERVICE, w.toByteArray());
    }

    /** A destination reply payload as the kernel builds it ({@code ip_vs_genl_fill_dest}). */
    public static byte[] realServerReply(RealServerStatus r) {
        DestAttrs full = WireMapping.destFull(r.realServer());
        boolean tun = full.tunType() != null;
        DestAttrs reply = new DestAttrs(full.addrFamily(), full.addr(), full.port(), full.fwdMethod(), full.weight(),
                full.uThresh(), full.lThresh(), tun ? full.tunType() : 0, tun ? full.tunPort() : 0,
                tun ? full.tunFlags() : 0, (int) r.activeConns(), (int) r.inactiveConns(), (int) r.persistentConns(),
                WireMapping.stats(r.stats()), WireMapping.stats(r.stats()));
        AttrWriter w = new AttrWriter(256);
        reply.writeReplyTo(w);
        return genl(IPVS_CMD_NEW_DEST, w.toByteArray());
    }

    /** A GET_INFO reply payload. */
    public static byte[] infoReply(IpvsInfo info) {
        return genl(IPVS_CMD_SET_INFO, new AttrWriter()
                .u32(IPVS_INFO_ATTR_VERSION, info.version())
                .u32(IPVS_INFO_ATTR_CONN_TAB_SIZE, info.connectionTableSize()).toByteArray());
    }

    /** A GET_CONFIG reply payload. */
    public static byte[] timeoutsReply(Timeouts t) {
        return genl(IPVS_CMD_SET_CONFIG, new AttrWriter()
                .u32(IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp())
                .u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcpFin())
                .u32(IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp()).toByteArray());
    }

    /** A daemon dump part payload, every attribute present as the kernel sends them. */
    public static byte[] daemonReply(SyncDaemon d) {
        byte[] g4 = null;
        byte[] g6 = null;
        if (d.multicastGroup() != null) {
            if (d.multicastGroup().getAddress().length == 4) {
                g4 = d.multicastGroup().getAddress();
            } else {
                g6 = d.multicastGroup().getAddress();
            }
        }
        AttrWriter w = new AttrWriter();
        new DaemonAttrs(d.state().value(), d.interfaceName(), d.syncId(), d.maxLen(), g4, g6, d.port(), d.ttl())
                .writeReplyTo(w);
        return genl(IPVS_CMD_NEW_DAEMON, w.toByteArray());
    }

    private static byte[] genl(int cmd, byte[] attrs) {
        return new IpvsRequest(cmd, attrs, false, "").genlPayload();
    }

    private static IpvsRequest service(int cmd, ServiceAttrs attrs, String label) {
        AttrWriter w = new AttrWriter();
        attrs.writeTo(w);
        return new IpvsRequest(cmd, w.toByteArray(), false, label);
    }

    private static IpvsRequest dest(int cmd, VirtualServerKey svc, DestAttrs dest, String label) {
        AttrWriter w = new AttrWriter(160);
        WireMapping.serviceIdentity(svc).writeTo(w);
        dest.writeTo(w);
        return new IpvsRequest(cmd, w.toByteArray(), false, label);
    }

    private static String label(VirtualServerKey key) {
        return new IpvsOp.DeleteService(key).describe().substring(3);
    }
}
