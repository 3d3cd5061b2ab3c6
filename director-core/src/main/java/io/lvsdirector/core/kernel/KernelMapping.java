package io.lvsdirector.core.kernel;

import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.RealServerLimits;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.plan.ActualDestination;
import io.lvsdirector.core.plan.ActualService;
import io.lvsdirector.core.plan.ActualState;
import io.lvsdirector.core.plan.DestinationConfig;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.ServiceConfig;
import io.lvsdirector.core.plan.Unreadable;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one place where the director's plan records meet ipvs-netlink's records, both ways.
 *
 * <p>Both sides keep one spelling per kernel state (flags canonical for the scheduler, a whole-address
 * persistence netmask as 0), so a table read back equals the table written and a restart plans
 * nothing. Entries the snapshot could not read are carried as {@link ActualState#unreadable()}: the
 * planner must know they are there. Things the director does not manage are left out of {@link ActualState}: firewall-mark
 * services (the director never creates one, so it never owns one), tunnel settings and
 * persistence engines.
 */
public final class KernelMapping {

    private KernelMapping() {
    }

    /** The kernel table in the planner's terms. */
    public static ActualState actual(IpvsSnapshot snapshot) {
        TreeMap<VirtualServerKey, ActualService> services = new TreeMap<>();
        for (IpvsSnapshot.Entry e : snapshot.entries()) {
            VirtualServerKey key = e.service().key();
            if (key.isFwmark()) {
                continue;
            }
            TreeMap<RealServerKey, ActualDestination> dests = new TreeMap<>();
            for (RealServerStatus rs : e.realServers()) {
                RealServerKey dk = rs.key();
                dests.put(dk, new ActualDestination(dk, destinationConfig(rs.spec()),
                        Math.max(0, rs.activeConns()), Math.max(0, rs.inactiveConns())));
            }
            services.put(key, new ActualService(key, serviceConfig(e.service().spec()), dests));
        }
        if (snapshot.unreadable().isEmpty()) {
            return new ActualState(services);
        }
        return new ActualState(services, unreadable(snapshot.unreadable()));
    }

    /**
     * The snapshot's unreadable entries by service key. Entries without a usable key (an unknown
     * protocol, a firewall mark) cannot be a service the director writes and are left out; so is a
     * real server without a key, which no op could name.
     */
    static TreeMap<VirtualServerKey, Unreadable> unreadable(List<IpvsSnapshot.Unreadable> entries) {
        TreeMap<VirtualServerKey, Unreadable> out = new TreeMap<>();
        for (IpvsSnapshot.Unreadable u : entries) {
            if (u.serviceKey().isEmpty() || u.serviceKey().get().isFwmark()) {
                continue;
            }
            VirtualServerKey key = u.serviceKey().get();
            if (!u.isRealServer()) {
                out.put(key, Unreadable.service(key, u.reason()));
            } else if (u.realServerKey().isPresent()) {
                Unreadable before = out.get(key);
                if (before != null && before.wholeService()) {
                    continue;
                }
                TreeMap<RealServerKey, String> dests = new TreeMap<>(before == null ? Map.of() : before.destinations());
                RealServerKey rk = u.realServerKey().get();
                dests.put(rk, u.reason());
                out.put(key, new Unreadable(key, Optional.empty(), dests));
            }
        }
        return out;
    }

    /** The ipvs-netlink op for a plan op. */
    public static IpvsOp op(PlanOp op) {
        VirtualServerKey key = op.service();
        if (op instanceof PlanOp.AddService add) {
            return new IpvsOp.AddService(new VirtualServer(key, spec(add.config())));
        } else if (op instanceof PlanOp.UpdateService upd) {
            return new IpvsOp.UpdateService(new VirtualServer(key, spec(upd.config())));
        } else if (op instanceof PlanOp.DeleteService) {
            return new IpvsOp.DeleteService(key);
        } else if (op instanceof PlanOp.AddDestination add) {
            return new IpvsOp.AddRealServer(key, realServer(add.destination(), add.config()));
        } else if (op instanceof PlanOp.UpdateDestination upd) {
            return new IpvsOp.UpdateRealServer(key, realServer(upd.destination(), upd.config()));
        } else if (op instanceof PlanOp.DeleteDestination del) {
            return new IpvsOp.DeleteRealServer(key,
                    new RealServerKey(del.destination().address(), del.destination().port()));
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    static VirtualServerSpec spec(ServiceConfig config) {
        int bits = 0;
        for (ServiceFlag f : config.flags()) {
            bits |= switch (f) {
                case ONE_PACKET -> SchedulerFlag.ONE_PACKET.bit();
                case SCHED_FLAG_1 -> SchedulerFlag.SCHED1.bit();
                case SCHED_FLAG_2 -> SchedulerFlag.SCHED2.bit();
                case SCHED_FLAG_3 -> SchedulerFlag.SCHED3.bit();
            };
        }
        Persistence p = config.persistence();
        return new VirtualServerSpec(config.scheduler(), SchedulerFlag.fromBits(bits, config.scheduler()),
                (int) p.timeout().toSeconds(), p.netmaskPrefix(), "");
    }

    static ServiceConfig serviceConfig(VirtualServerSpec spec) {
        int bits = SchedulerFlag.toBits(spec.flags());
        Set<ServiceFlag> flags = EnumSet.noneOf(ServiceFlag.class);
        if ((bits & SchedulerFlag.ONE_PACKET.bit()) != 0) {
            flags.add(ServiceFlag.ONE_PACKET);
        }
        if ((bits & SchedulerFlag.SCHED1.bit()) != 0) {
            flags.add(ServiceFlag.SCHED_FLAG_1);
        }
        if ((bits & SchedulerFlag.SCHED2.bit()) != 0) {
            flags.add(ServiceFlag.SCHED_FLAG_2);
        }
        if ((bits & SchedulerFlag.SCHED3.bit()) != 0) {
            flags.add(ServiceFlag.SCHED_FLAG_3);
        }
        Persistence p = spec.persistenceTimeout() == 0 ? Persistence.NONE
                : new Persistence(Duration.ofSeconds(spec.persistenceTimeout()), spec.persistenceNetmaskBits());
        return new ServiceConfig(spec.scheduler(), flags, p);
    }

    static RealServer realServer(RealServerKey key, DestinationConfig config) {
        return new RealServer(new RealServerKey(key.address(), key.port()),
                RealServerSpec.of(config.forwarding(), config.weight())
                        .withThresholds(config.limits().upperConnections(), config.limits().lowerConnections()));
    }

    static DestinationConfig destinationConfig(RealServerSpec spec) {
        Forwarding f = switch (spec.forwarding()) {
            case MASQ -> Forwarding.MASQ;
            case TUNNEL -> Forwarding.TUNNEL;
            // The kernel reports LOCAL for an address of this host whatever was asked; the director
            // only asks for direct routing there, so reading it back as such avoids an edit per pass.
            case LOCAL, DIRECT_ROUTE -> Forwarding.DIRECT_ROUTE;
        };
        return new DestinationConfig(spec.weight(), f,
                new RealServerLimits(spec.upperThreshold(), spec.lowerThreshold()));
    }

}
