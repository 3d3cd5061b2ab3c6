package io.lvsdirector.ipvs.wire;

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
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

/** Random valid records for round-trip tests; every choice the records allow is reachable. */
final class Gen {
    private static final String[] SCHEDULERS = {"rr", "wrr", "lc", "wlc", "sh", "mh", "dh", "sed", "nq", "none"};

    private final Random r;

    Gen(long seed) {
        r = new Random(seed);
    }

    Random random() {
        return r;
    }

    AddressFamily family() {
        return r.nextBoolean() ? AddressFamily.INET : AddressFamily.INET6;
    }

    InetAddress address(AddressFamily f) {
        byte[] b = new byte[f.addressLength()];
        r.nextBytes(b);
        return IpAddresses.fromBytes(b);
    }

    VirtualServerKey serviceKey() {
        AddressFamily f = family();
        if (r.nextInt(5) == 0) {
            int mark = r.nextInt();
            return VirtualServerKey.fwmark(f, mark == 0 ? 1 : mark);
        }
        Protocol p = Protocol.values()[r.nextInt(Protocol.values().length)];
        return VirtualServerKey.of(p, address(f), 1 + r.nextInt(65535));
    }

    VirtualServerSpec serviceSpec(AddressFamily f) {
        String sched = SCHEDULERS[r.nextInt(SCHEDULERS.length)];
        Set<SchedulerFlag> flags = EnumSet.noneOf(SchedulerFlag.class);
        for (SchedulerFlag flag : SchedulerFlag.values()) {
            if (flag.appliesTo(sched) && r.nextBoolean()) {
                flags.add(flag);
            }
        }
        // A generic flag and a named one for the same bit cannot both be canonical; appliesTo keeps them apart.
        int timeout = r.nextBoolean() ? 0 : 1 + r.nextInt(1_000_000);
        int bits = r.nextInt(f.maxPrefixLength()); // 0 = whole address
        String pe = r.nextInt(4) == 0 ? "sip" : "";
        return new VirtualServerSpec(sched, flags, timeout, bits, pe);
    }

    VirtualServer virtualServer() {
        VirtualServerKey k = serviceKey();
        return new VirtualServer(k, serviceSpec(k.family()));
    }

    RealServerSpec realServerSpec() {
        Forwarding fwd = Forwarding.values()[r.nextInt(Forwarding.values().length)];
        long upper = r.nextBoolean() ? 0 : (r.nextLong() & 0xFFFF_FFFFL);
        long lower = upper == 0 ? 0 : (r.nextLong() & 0xFFFF_FFFFL) % (upper + 1);
        RealServerSpec spec = new RealServerSpec(r.nextInt(65536), fwd, upper, lower, TunnelType.IPIP, 0, Set.of());
        if (fwd == Forwarding.TUNNEL) {
            TunnelType t = TunnelType.values()[r.nextInt(3)];
            int port = t == TunnelType.GUE ? 1 + r.nextInt(65535) : 0;
            Set<TunnelFlag> flags = Set.of();
            if (t == TunnelType.GUE) {
                flags = switch (r.nextInt(3)) {
                    case 0 -> Set.of();
                    case 1 -> Set.of(TunnelFlag.CSUM);
                    default -> Set.of(TunnelFlag.REMCSUM);
                };
            } else if (t == TunnelType.GRE && r.nextBoolean()) {
                flags = Set.of(TunnelFlag.CSUM);
            }
            spec = spec.withTunnel(t, port, flags);
        }
        return spec;
    }

    RealServer realServer(AddressFamily serviceFamily) {
        RealServerSpec spec = realServerSpec();
        AddressFamily f = spec.forwarding() == Forwarding.TUNNEL ? family() : serviceFamily;
        return new RealServer(new RealServerKey(address(f), r.nextInt(65536)), spec);
    }

    Stats stats() {
        return new Stats(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(),
                r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    long u32() {
        return r.nextLong() & 0xFFFF_FFFFL;
    }

    VirtualServerStatus serviceStatus() {
        VirtualServer vs = virtualServer();
        return new VirtualServerStatus(vs.key(), vs.spec(), stats());
    }

    RealServerStatus realServerStatus() {
        RealServer rs = realServer(family());
        return new RealServerStatus(rs.key(), rs.spec(), u32(), u32(), u32(), stats());
    }

    SyncDaemon daemon() {
        InetAddress group = switch (r.nextInt(3)) {
            case 0 -> null;
            case 1 -> IpAddresses.fromBytes(new byte[] {(byte) (224 + r.nextInt(16)), (byte) r.nextInt(256),
                    (byte) r.nextInt(256), (byte) r.nextInt(256)});
            default -> {
                byte[] b = new byte[16];
                r.nextBytes(b);
                b[0] = (byte) 0xff;
                yield IpAddresses.fromBytes(b);
            }
        };
        String ifn = "eth" + r.nextInt(1000);
        return new SyncDaemon(r.nextBoolean() ? SyncDaemon.State.MASTER : SyncDaemon.State.BACKUP, ifn,
                r.nextInt(256), r.nextInt(65536), r.nextInt(65536), r.nextInt(256), group);
    }
}
