package io.lvsdirector.core.probe;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

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

    static final AcceptLocal SYSTEM = new AcceptLocal(Path.of("/proc/sys/net/ipv4/conf"), AcceptLocal::isLocalAddress,
            System::nanoTime);

    private final Path confDir;
    private final Predicate<InetAddress> isLocal;
    private final LongSupplier clock;
    private final Map<InetAddress, Fact> local = new ConcurrentHashMap<>();
    private volatile Fact offEverywhere;

    private record Fact(boolean value, long readAt) {
    }

    AcceptLocal(Path confDir, Predicate<InetAddress> isLocal, LongSupplier clock) {
        this.confDir = confDir;
        this.isLocal = isLocal;
        this.clock = clock;
    }

    /** Whether answers from {@code vip} to this host are certainly dropped: it is ours and accept_local is off everywhere. */
    boolean dropsAnswersFrom(InetAddress vip) {
        if (!(vip instanceof Inet4Address)) {
            return false;
        }
        long now = clock.getAsLong();
        Fact held = local.get(vip);
        if (held == null || now - held.readAt() > TTL_NANOS) {
            held = new Fact(isLocal.test(vip), now);
            local.put(vip, held);
        }
        if (!held.value()) {
            return false;
        }
        Fact off = offEverywhere;
        if (off == null || now - off.readAt() > TTL_NANOS) {
            off = new Fact(offOnEveryInterface(), now);
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

    private static boolean isLocalAddress(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
