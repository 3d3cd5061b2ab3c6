package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.IpvsConstants.*;

import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.SyncDaemon;
import io.lvsdirector.ipvs.TunnelFlag;
import io.lvsdirector.ipvs.TunnelType;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import io.lvsdirector.ipvs.VirtualServerStatus;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Set;

/**
 * The one place where public records become wire structs and back. Every kernel quirk of meaning
 * (flag masks, the netmask's two encodings, the 16-byte address union, which tunnel attributes
 * count) is decided here and nowhere else.
 */
public final class WireMapping {
    private WireMapping() {
    }

    /** Length of {@code union nf_inet_addr}, which IPVS address attributes always carry. */
    public static final int NF_INET_ADDR_LEN = 16;

    /**
     * The {@code struct ip_vs_flags.mask} sent with NEW/SET_SERVICE: all ones, as ipvsadm sends,
     * so the flags sent replace the service's flags entirely (the kernel keeps HASHED itself).
     */
    public static final int FLAGS_MASK_ALL = 0xFFFF_FFFF;

    // ---- public -> wire ----

    /** The identifying attributes of a service: AF and fwmark, or AF, protocol, address, port. */
    public static ServiceAttrs serviceIdentity(VirtualServerKey key) {
        if (key.isFwmark()) {
            return new ServiceAttrs(key.family().value(), null, null, null, key.fwmark(),
                    null, null, null, null, null, null, null, null);
        }
        return new ServiceAttrs(key.family().value(), key.protocol().value(), addr16(key.address()), key.port(),
                null, null, null, null, null, null, null, null, null);
    }

    /** Every attribute NEW/SET_SERVICE needs: the kernel refuses either without all of them. */
    public static ServiceAttrs serviceFull(VirtualServer vs) {
        VirtualServerKey key = vs.key();
        VirtualServerSpec spec = vs.spec();
        ServiceAttrs id = serviceIdentity(key);
        int flags = SchedulerFlag.toBits(spec.flags()) | (spec.persistent() ? IP_VS_SVC_F_PERSISTENT : 0);
        return new ServiceAttrs(id.af(), id.protocol(), id.addr(), id.port(), id.fwmark(),
                spec.scheduler(), spec.persistenceEngine().isEmpty() ? null : spec.persistenceEngine(),
                flags, FLAGS_MASK_ALL, spec.persistenceTimeout(),
                netmaskToWire(key.family(), spec.persistenceNetmaskBits()), null, null);
    }

    /** The identifying attributes of a real server: family, address, port. */
    public static DestAttrs destIdentity(RealServerKey key) {
        return new DestAttrs(key.family().value(), addr16(key.address()), key.port(), null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    /**
     * Every attribute NEW/SET_DEST needs. Tunnel attributes are sent only for TUNNEL forwarding:
     * kernels before 5.3 do not know them, and an absent one means 0 to newer kernels anyway.
     */
    public static DestAttrs destFull(RealServer rs) {
        RealServerSpec s = rs.spec();
        boolean tun = s.forwarding() == Forwarding.TUNNEL;
        return new DestAttrs(rs.key().family().value(), addr16(rs.key().address()), rs.key().port(),
                s.forwarding().value(), s.weight(), (int) s.upperThreshold(), (int) s.lowerThreshold(),
                tun ? s.tunnelType().value() : null,
                tun ? s.tunnelPort() : null,
                tun ? TunnelFlag.toBits(s.tunnelFlags()) : null,
                null, null, null, null, null);
    }

    /** NEW_DAEMON attributes; kernel defaults (0, {@code null}) are left out. */
    public static DaemonAttrs daemonStart(SyncDaemon d) {
        byte[] g4 = null;
        byte[] g6 = null;
        if (d.multicastGroup() != null) {
            if (AddressFamily.of(d.multicastGroup()) == AddressFamily.INET) {
                g4 = d.multicastGroup().getAddress();
            } else {
                g6 = d.multicastGroup().getAddress();
            }
        }
        return new DaemonAttrs(d.state().value(), d.interfaceName(), d.syncId(),
                d.maxLen() == 0 ? null : d.maxLen(), g4, g6,
                d.port() == 0 ? null : d.port(), d.ttl() == 0 ? null : d.ttl());
    }

    /** DEL_DAEMON attributes: the state is all the kernel reads. */
    public static DaemonAttrs daemonStop(SyncDaemon.State state) {
        return new DaemonAttrs(state.value(), null, null, null, null, null, null, null);
    }

    /**
     * The netmask field for a prefix length (0 = whole address). IPv4: the mask as a number,
     * written {@code __be32}. IPv6: the prefix length itself (see {@link ServiceAttrs}).
     */
    static int netmaskToWire(AddressFamily family, int bits) {
        if (family == AddressFamily.INET6) {
            return bits == 0 ? 128 : bits;
        }
        int b = bits == 0 ? 32 : bits;
        return b == 32 ? 0xFFFF_FFFF : ~(0xFFFF_FFFF >>> b);
    }

    // ---- wire -> public ----

    /**
     * A service reply as a public record.
     *
     * @throws UnrepresentableEntryException if the reply is well formed but describes a service the
     *     public records cannot hold (a non-prefix persistence netmask, an unknown protocol...)
     * @throws WireFormatException if a required attribute is missing or an address has the wrong size
     */
    public static VirtualServerStatus service(ServiceAttrs a) {
        if (a.af() == null) {
            throw new WireFormatException("service reply without IPVS_SVC_ATTR_AF");
        }
        boolean fwmark = a.fwmark() != null && a.fwmark() != 0;
        if (!fwmark && (a.protocol() == null || a.addr() == null || a.port() == null)) {
            throw new WireFormatException("service reply without fwmark lacks protocol, address or port");
        }
        if (a.schedName() == null || a.flags() == null || a.timeout() == null || a.netmask() == null) {
            throw new WireFormatException("service reply for " + serviceText(a)
                    + " lacks scheduler, flags, timeout or netmask");
        }
        VirtualServerKey key = null;
        try {
            AddressFamily family = AddressFamily.fromValue(a.af());
            if (fwmark) {
                key = VirtualServerKey.fwmark(family, a.fwmark());
            } else {
                key = new VirtualServerKey(family, Protocol.fromValue(a.protocol()),
                        address(family, a.addr(), "IPVS_SVC_ATTR_ADDR"), a.port(), 0);
            }
            int flags = a.flags();
            boolean persistent = (flags & IP_VS_SVC_F_PERSISTENT) != 0;
            Set<SchedulerFlag> schedFlags = SchedulerFlag.fromBits(flags & SchedulerFlag.USER_BITS, a.schedName());
            VirtualServerSpec spec = new VirtualServerSpec(a.schedName(), schedFlags,
                    persistent ? a.timeout() : 0,
                    netmaskFromWire(family, a.netmask()),
                    a.peName() == null ? "" : a.peName());
            spec = new VirtualServer(key, spec).spec();
            return new VirtualServerStatus(key, spec, stats(a.stats64() != null ? a.stats64() : a.stats()));
        } catch (IllegalArgumentException e) {
            // Every record refusal lands here: the reply was read whole, only its meaning does not fit.
            throw new UnrepresentableEntryException(key != null ? key.toString() : serviceText(a), key,
                    null, null, e.getMessage(), e);
        }
    }

    /**
     * The service as ipvsadm would print it ({@code TCP 198.18.0.100:80}, {@code FWM 7 IPv6}), from
     * raw attributes that may not make a {@link VirtualServerKey}: an unknown protocol shows as its
     * number, an address of unexpected size in hex. For reports about entries that cannot be read.
     */
    public static String serviceText(ServiceAttrs a) {
        boolean v6 = a.af() != null && a.af() == AddressFamily.INET6.value();
        if (a.fwmark() != null && a.fwmark() != 0) {
            return "FWM " + Integer.toUnsignedString(a.fwmark()) + (v6 ? " IPv6" : "");
        }
        String proto = a.protocol() == null ? "proto ?" : protocolText(a.protocol());
        return proto + " " + addressText(a.af(), a.addr(), a.port());
    }

    /** A destination as {@code ADDRESS:PORT}, from raw attributes; for reports, like {@link #serviceText}. */
    public static String destText(DestAttrs a, AddressFamily serviceFamily) {
        Integer af = a.addrFamily() != null ? a.addrFamily()
                : serviceFamily == null ? null : serviceFamily.value();
        return addressText(af, a.addr(), a.port());
    }

    private static String protocolText(int protocol) {
        try {
            return Protocol.fromValue(protocol).name();
        } catch (IllegalArgumentException e) {
            return "proto " + protocol;
        }
    }

    private static String addressText(Integer af, byte[] addr, Integer port) {
        String p = port == null ? "?" : Integer.toString(port);
        if (addr == null) {
            return "?:" + p;
        }
        int len = af == null ? -1 : af == AddressFamily.INET.value() ? 4 : af == AddressFamily.INET6.value() ? 16 : -1;
        if (len > 0 && (addr.length == NF_INET_ADDR_LEN || addr.length == len)) {
            InetAddress ia = IpAddresses.fromBytes(Arrays.copyOf(addr, len));
            return port == null ? IpAddresses.toText(ia) + ":?" : IpAddresses.toText(ia, port);
        }
        StringBuilder hex = new StringBuilder("0x");
        for (byte b : addr) {
            hex.append(String.format("%02x", b & 0xff));
        }
        return hex + ":" + p;
    }

    /**
     * A destination reply as a public record.
     *
     * <p>The weight stays within {@link RealServerSpec#MAX_WEIGHT} on read too, although the kernel
     * keeps any int up to 2^31-1: a wider record would let a foreign weight of 100000 flow into
     * callers that, like the director's planner, hold weights to ipvsadm's 0..65535 and would fail
     * there, on their own records, with less context than here. Such a real server is reported as
     * unrepresentable instead, where the reader can leave it out and say why.
     *
     * @param serviceFamily family to assume when the kernel omits {@code IPVS_DEST_ATTR_ADDR_FAMILY}
     *     (kernels before 3.18 do); may be {@code null} if unknown
     * @throws UnrepresentableEntryException if the reply is well formed but describes a real server
     *     the public records cannot hold (weight above 65535, tunnel settings the records refuse)
     * @throws WireFormatException if a required attribute is missing or the address has the wrong size
     */
    public static RealServerStatus dest(DestAttrs a, AddressFamily serviceFamily) {
        if (a.addrFamily() == null && serviceFamily == null) {
            throw new WireFormatException("destination reply without IPVS_DEST_ATTR_ADDR_FAMILY");
        }
        if (a.addr() == null || a.port() == null || a.fwdMethod() == null || a.weight() == null) {
            throw new WireFormatException("destination reply lacks address, port, forwarding or weight");
        }
        RealServerKey key = null;
        try {
            AddressFamily family = a.addrFamily() != null ? AddressFamily.fromValue(a.addrFamily()) : serviceFamily;
            key = new RealServerKey(address(family, a.addr(), "IPVS_DEST_ATTR_ADDR"), a.port());
            Forwarding fwd = Forwarding.fromValue(a.fwdMethod() & IP_VS_CONN_F_FWD_MASK);
            long upper = a.uThresh() == null ? 0 : Integer.toUnsignedLong(a.uThresh());
            long lower = a.lThresh() == null ? 0 : Integer.toUnsignedLong(a.lThresh());
            RealServerSpec spec;
            // Tunnel attributes are meaningful only for TUNNEL; the kernel reports zeros otherwise.
            if (fwd == Forwarding.TUNNEL) {
                TunnelType tt = TunnelType.fromValue(a.tunType() == null ? 0 : a.tunType());
                spec = new RealServerSpec(a.weight(), fwd, upper, lower, tt,
                        tt == TunnelType.GUE && a.tunPort() != null ? a.tunPort() : 0,
                        tt == TunnelType.IPIP || a.tunFlags() == null ? Set.of() : TunnelFlag.fromBits(a.tunFlags()));
            } else {
                spec = new RealServerSpec(a.weight(), fwd, upper, lower, TunnelType.IPIP, 0, Set.of());
            }
            return new RealServerStatus(key, spec,
                    unsigned(a.activeConns()), unsigned(a.inactConns()), unsigned(a.persistConns()),
                    stats(a.stats64() != null ? a.stats64() : a.stats()));
        } catch (IllegalArgumentException e) {
            throw new UnrepresentableEntryException(null, null,
                    key != null ? key.toString() : destText(a, serviceFamily), key, e.getMessage(), e);
        }
    }

    /** A daemon reply as a public record. */
    public static SyncDaemon daemon(DaemonAttrs a) {
        if (a.state() == null || a.mcastIfn() == null || a.syncId() == null) {
            throw new WireFormatException("daemon reply lacks state, interface or sync id");
        }
        try {
            InetAddress group = null;
            if (a.mcastGroup6() != null) {
                group = IpAddresses.fromBytes(a.mcastGroup6());
            } else if (a.mcastGroup() != null) {
                group = IpAddresses.fromBytes(a.mcastGroup());
            }
            return new SyncDaemon(SyncDaemon.State.fromValue(a.state()), a.mcastIfn(), a.syncId(),
                    a.syncMaxlen() == null ? 0 : a.syncMaxlen(),
                    a.mcastPort() == null ? 0 : a.mcastPort(),
                    a.mcastTtl() == null ? 0 : a.mcastTtl(), group);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("kernel sync daemon cannot be represented: " + e.getMessage(), e);
        }
    }

    /** Stats as a public record; absent stats are zero. */
    public static Stats stats(StatsAttrs s) {
        if (s == null) {
            return Stats.ZERO;
        }
        return new Stats(s.conns(), s.inpkts(), s.outpkts(), s.inbytes(), s.outbytes(),
                s.cps(), s.inpps(), s.outpps(), s.inbps(), s.outbps());
    }

    /** Stats as a wire struct, for fakes and tests. */
    public static StatsAttrs stats(Stats s) {
        return new StatsAttrs(s.conns(), s.inPkts(), s.outPkts(), s.inBytes(), s.outBytes(),
                s.cps(), s.inPps(), s.outPps(), s.inBps(), s.outBps());
    }

    /**
     * The prefix length of a netmask field. A mask covering the whole address is 0 (the public
     * records' "whole address"). An IPv4 mask that is not contiguous ones, or that is all zeros,
     * has no prefix spelling and is refused: ipvsadm can set one ({@code -M 255.0.255.0}), this
     * library cannot hold it.
     *
     * @throws IllegalArgumentException for a mask with no prefix spelling (an entry the records
     *     cannot hold, not a malformed message)
     */
    static int netmaskFromWire(AddressFamily family, int netmask) {
        if (family == AddressFamily.INET6) {
            if (netmask < 1 || netmask > 128) {
                throw new IllegalArgumentException("IPv6 persistence prefix " + netmask + " out of 1..128");
            }
            return netmask == 128 ? 0 : netmask;
        }
        int bits = Integer.numberOfLeadingZeros(~netmask); // leading ones
        boolean contiguous = bits == 32 || netmask == ~(0xFFFF_FFFF >>> bits);
        if (netmask == 0 || !contiguous) {
            throw new IllegalArgumentException("persistence netmask "
                    + IpAddresses.toText(IpAddresses.fromBytes(new byte[] {(byte) (netmask >>> 24),
                            (byte) (netmask >>> 16), (byte) (netmask >>> 8), (byte) netmask}))
                    + " is not a prefix this library can represent");
        }
        return bits == 32 ? 0 : bits;
    }

    /** An address as the 16-byte union the kernel expects: IPv4 in the first 4 bytes, zeros after. */
    public static byte[] addr16(InetAddress address) {
        return Arrays.copyOf(address.getAddress(), NF_INET_ADDR_LEN);
    }

    private static InetAddress address(AddressFamily family, byte[] raw, String attr) {
        if (raw.length != NF_INET_ADDR_LEN && raw.length != family.addressLength()) {
            throw new WireFormatException(attr + " is " + raw.length + " bytes; expected 16 or "
                    + family.addressLength());
        }
        return IpAddresses.fromBytes(Arrays.copyOf(raw, family.addressLength()));
    }

    private static long unsigned(Integer v) {
        return v == null ? 0 : Integer.toUnsignedLong(v);
    }
}
