package io.lvsdirector.core.probe;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether this director drops the answers of its own probes via a VIP it holds. The answer to such a
 * probe comes from the VIP, an address of this host, and Linux takes a packet with a local source that
 * arrives from outside as a martian unless {@code accept_local} is on for {@code all} or for the
 * interface it arrives on. Off everywhere, every node's check via that VIP times out on the VRRP
 * master, which reads like every node lost the VIP; the timeout's reason says which it is instead.
 *
 * <p>Only consulted when a probe via a VIP timed out. Both facts are read again at most every
 * {@link #TTL_NANOS} (a second), so a mass timeout costs one read of {@code /proc} a second, and a
 * director that just became the VIP's holder, or a fixed sysctl, shows in the next reasons. IPv4 only: IPv6 has no such check.
 */
final class AcceptLocal {

    static final long TTL_NANOS = 1_000_000_000L;

    static final AcceptLocal SYSTEM = new AcceptLocal(Path.of("/proc/sys/net/ipv4/conf"), AcceptLocal::localAddresses,
            System::nanoTime);

    private final Path confDir;
    private final Supplier<Set<InetAddress>> localAddresses;
    private final LongSupplier clock;
    // Both read at most once per TTL, whatever the number of VIPs timing out meanwhile.
    private volatile Fact<Set<InetAddress>> local;
    private volatile Fact<Boolean> offEverywhere;

    private record Fact<T>(T value, long readAt) {
    }

    AcceptLocal(Path confDir, Supplier<Set<InetAddress>> localAddresses, LongSupplier clock) {
        this.confDir = confDir;
        this.localAddresses = localAddresses;
        this.clock = clock;
    }

    /** Whether answers from {@code vip} to this host are certainly dropped: it is ours and accept_local is off everywhere. */
    boolean dropsAnswersFrom(InetAddress vip) {
        if (!(vip instanceof Inet4Address)) {
            return false;
        }
        long now = clock.getAsLong();
        Fact<Set<InetAddress>> held = local;
        if (held == null || now - held.readAt() > TTL_NANOS) {
            held = new Fact<>(localAddresses.get(), now);
            local = held;
        }
        if (!held.value().contains(vip)) {
            return false;
        }
        Fact<Boolean> off = offEverywhere;
        if (off == null || now - off.readAt() > TTL_NANOS) {
            off = new Fact<>(offOnEveryInterface(), now);
            offEverywhere = off;
        }
        return off.value();
    }

    /**
     * Whether {@code accept_local} is 0 for {@code all} and every interface. One interface with it on
     * may be the one the answers arrive on, so only "off everywhere" is certain. An unreadable
     * {@code /proc} says nothing (false): the hint must never be wrong.
     */
    private boolean offOnEveryInterface() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(confDir)) {
            boolean seenAll = false;
            for (Path dir : dirs) {
                Path value = dir.resolve("accept_local");
                if (!Files.isReadable(value)) {
                    continue;
                }
                if (!Files.readString(value).trim().equals("0")) {
                    return false;
                }
                seenAll |= dir.getFileName().toString().equals("all");
            }
            return seenAll;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This host's addresses, all interfaces in one walk; none when they cannot be read (the hint stays off). */
    private static Set<InetAddress> localAddresses() {
        Set<InetAddress> all = new HashSet<>();
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                all.addAll(Collections.list(i.getInetAddresses()));
            }
        } catch (SocketException | RuntimeException e) {
            return Set.of();
        }
        return all;
    }
}
