package io.lvsdirector.ipvs.wire;

import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.IpvsSnapshot.Unreadable;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads whole dumps (every service, every real server of a service, the table) tolerantly: a part
 * that is well formed but that the public records cannot hold is left out and listed as
 * {@link Unreadable}; a malformed part still throws {@link WireFormatException}, because after a
 * bad length nothing else in the reply can be trusted. No I/O: the caller hands in the payloads.
 */
public final class TableReader {
    private TableReader() {
    }

    /** The services of a dump that could be read, and those that could not. */
    public record Services(List<VirtualServerStatus> services, List<Unreadable> unreadable) {
        public Services {
            services = List.copyOf(services);
            unreadable = List.copyOf(unreadable);
        }
    }

    /** The real servers of one service's dump that could be read, and those that could not. */
    public record RealServers(List<RealServerStatus> realServers, List<Unreadable> unreadable) {
        public RealServers {
            realServers = List.copyOf(realServers);
            unreadable = List.copyOf(unreadable);
        }
    }

    /**
     * The parts of a service dump ({@code IPVS_CMD_NEW_SERVICE} payloads, genlmsghdr first).
     *
     * @throws WireFormatException if a part is malformed
     */
    public static Services services(List<ByteBuffer> parts) {
        List<VirtualServerStatus> ok = new ArrayList<>(parts.size());
        List<Unreadable> bad = new ArrayList<>();
        for (ByteBuffer p : parts) {
            try {
                ok.add(IpvsCodec.parseService(p));
            } catch (UnrepresentableEntryException e) {
                bad.add(Unreadable.service(e.service().orElse("service ?"), e.serviceKey(), e.reason()));
            }
        }
        return new Services(ok, bad);
    }

    /**
     * The parts of one service's destination dump ({@code IPVS_CMD_NEW_DEST} payloads).
     *
     * @param service the service that was dumped: the kernel's reply does not name it
     * @throws WireFormatException if a part is malformed
     */
    public static RealServers realServers(VirtualServerKey service, List<ByteBuffer> parts) {
        Objects.requireNonNull(service, "service");
        List<RealServerStatus> ok = new ArrayList<>(parts.size());
        List<Unreadable> bad = new ArrayList<>();
        for (ByteBuffer p : parts) {
            try {
                ok.add(IpvsCodec.parseRealServer(p, service.family()));
            } catch (UnrepresentableEntryException e) {
                bad.add(Unreadable.realServer(service, e.realServer().orElse("?"), e.realServerKey(), e.reason()));
            }
        }
        return new RealServers(ok, bad);
    }

    /**
     * A whole table: the service dump, then each readable service's destination dump, fetched
     * through {@code realServerParts} in kernel order. An unreadable service's real servers are not
     * fetched: there is no record to hang them on.
     *
     * @throws WireFormatException if a part is malformed; whatever {@code realServerParts} throws
     */
    public static IpvsSnapshot snapshot(List<ByteBuffer> serviceParts,
            Function<VirtualServerKey, List<ByteBuffer>> realServerParts) {
        Services services = services(serviceParts);
        List<IpvsSnapshot.Entry> entries = new ArrayList<>(services.services().size());
        List<Unreadable> unreadable = new ArrayList<>(services.unreadable());
        for (VirtualServerStatus s : services.services()) {
            RealServers rs = realServers(s.key(), realServerParts.apply(s.key()));
            entries.add(new IpvsSnapshot.Entry(s, rs.realServers()));
            unreadable.addAll(rs.unreadable());
        }
        return new IpvsSnapshot(entries, unreadable);
    }
}
