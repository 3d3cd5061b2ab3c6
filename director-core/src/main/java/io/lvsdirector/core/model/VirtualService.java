package io.lvsdirector.core.model;

import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One virtual service as the operator declares it: what ipvsadm's {@code -A} line says.
 *
 * @param name a stable, unique name (used in status, metrics and logs), DNS-label style
 * @param vip the virtual IP address
 * @param port the virtual port, 1..65535
 * @param protocol TCP, UDP or SCTP
 * @param scheduler the kernel scheduler name ({@code rr}, {@code wrr}, {@code lc}, {@code mh}, ...)
 * @param flags scheduler and service flags
 * @param persistence client affinity, {@link Persistence#NONE} when none
 * @param forwarding how packets reach the real servers; direct routing by default
 */
public record VirtualService(
        String name,
        InetAddress vip,
        int port,
        Protocol protocol,
        String scheduler,
        Set<ServiceFlag> flags,
        Persistence persistence,
        Forwarding forwarding) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");
    private static final Pattern SCHEDULER = Pattern.compile("[a-z][a-z0-9]{0,14}");

    public VirtualService {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(forwarding, "forwarding");
        if (forwarding == Forwarding.LOCAL) {
            // The kernel picks LOCAL for an address of its own host; nobody can ask for it.
            throw new IllegalArgumentException("forwarding must be DIRECT_ROUTE, MASQ or TUNNEL, not LOCAL");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("service name must be a lower-case DNS label: '" + name + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        // IP_VS_SCHEDNAME_MAXLEN is 16 including the terminating NUL: 15 characters.
        if (!SCHEDULER.matcher(scheduler).matches()) {
            throw new IllegalArgumentException("scheduler must be a kernel scheduler name: '" + scheduler + "'");
        }
        flags = flags == null || flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        if (flags.contains(ServiceFlag.ONE_PACKET) && protocol != Protocol.UDP) {
            throw new IllegalArgumentException("one-packet scheduling is for UDP services only");
        }
        if (vip instanceof Inet4Address && persistence.netmaskPrefix() > 32) {
            throw new IllegalArgumentException("IPv4 persistence netmask prefix must be 0..32");
        }
        persistence = persistence.canonical(vip instanceof Inet4Address ? 32 : 128);
        if (vip.isAnyLocalAddress() || vip.isMulticastAddress()) {
            throw new IllegalArgumentException("vip must be a unicast address: " + vip.getHostAddress());
        }
    }

    /** A TCP service with the {@code wrr} scheduler, no flags, no persistence, direct routing. */
    public static VirtualService tcp(String name, InetAddress vip, int port) {
        return new VirtualService(name, vip, port, Protocol.TCP, "wrr", Set.of(), Persistence.NONE,
                Forwarding.DIRECT_ROUTE);
    }

    public VirtualService withScheduler(String newScheduler) {
        return new VirtualService(name, vip, port, protocol, newScheduler, flags, persistence, forwarding);
    }

    public VirtualService withFlags(Set<ServiceFlag> newFlags) {
        return new VirtualService(name, vip, port, protocol, scheduler, newFlags, persistence, forwarding);
    }

    public VirtualService withPersistence(Persistence newPersistence) {
        return new VirtualService(name, vip, port, protocol, scheduler, flags, newPersistence, forwarding);
    }

    public VirtualService withForwarding(Forwarding newForwarding) {
        return new VirtualService(name, vip, port, protocol, scheduler, flags, persistence, newForwarding);
    }

    /** The service's identity in the kernel table: protocol, VIP and port. */
    public VirtualServerKey key() {
        return VirtualServerKey.of(protocol, vip, port);
    }

    /**
     * What the kernel can change in place ({@code ipvsadm -E}): scheduler, flags (spelt as the
     * scheduler names them) and persistence.
     */
    public VirtualServerSpec spec() {
        int bits = 0;
        for (ServiceFlag f : flags) {
            bits |= switch (f) {
                case ONE_PACKET -> SchedulerFlag.ONE_PACKET.bit();
                case SCHED_FLAG_1 -> SchedulerFlag.SCHED1.bit();
                case SCHED_FLAG_2 -> SchedulerFlag.SCHED2.bit();
                case SCHED_FLAG_3 -> SchedulerFlag.SCHED3.bit();
            };
        }
        return new VirtualServerSpec(scheduler, SchedulerFlag.fromBits(bits, scheduler),
                (int) persistence.timeout().toSeconds(), persistence.netmaskPrefix(), "");
    }

    /** "tcp 198.18.0.100:80", as in logs. */
    public String endpoint() {
        String host = vip.getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return protocol.name().toLowerCase(java.util.Locale.ROOT) + " " + host + ":" + port;
    }
}
