package io.lvsdirector.core.ecmp;

import io.lvsdirector.ipvs.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which VIPs this director announces, and what to do to the announce interface to get there. Pure: no
 * I/O, no clock; the same inputs give the same answer.
 *
 * <p>The rule: a VIP is announced while this director can serve <em>every</em> service on it — the loop
 * is healthy, the VIP is inside a configured range, each service on it uses {@code mh} (so every
 * director hashes a flow to the same real server), is in the kernel, in step, and at or above its quorum.
 * A router's ECMP sends a VIP's flows to every director that announces it, all ports alike: a director
 * that can serve port 80 but not 443 must not take the VIP's 443 flows from directors that can.
 * When every director sees the real servers of a service down, every one withdraws: the VIP is then
 * unreachable, which is what the service's health says.
 */
public final class AnnouncePlanner {

    private static final Comparator<InetAddress> BY_ADDRESS = IpAddresses::compare;

    private AnnouncePlanner() {
    }

    /**
     * The decision for every VIP of {@code services}.
     *
     * @param ranges the configured VIP ranges
     * @param loopProblem why the loop cannot do its job, {@code null} when it can
     * @param stopping whether the director is stopping
     */
    public static SortedMap<InetAddress, Announcement> decide(List<VipRange> ranges, String loopProblem,
            boolean stopping, Collection<ServiceInput> services) {
        SortedMap<InetAddress, List<ServiceInput>> byVip = new TreeMap<>(BY_ADDRESS);
        for (ServiceInput s : services) {
            if (s.vip() != null) {
                byVip.computeIfAbsent(s.vip(), v -> new ArrayList<>()).add(s);
            }
        }
        SortedMap<InetAddress, Announcement> out = new TreeMap<>(BY_ADDRESS);
        for (Map.Entry<InetAddress, List<ServiceInput>> e : byVip.entrySet()) {
            List<ServiceInput> on = new ArrayList<>(e.getValue());
            on.sort(Comparator.comparing(ServiceInput::name));
            List<String> names = on.stream().map(ServiceInput::name).toList();
            out.put(e.getKey(), decideOne(e.getKey(), ranges, loopProblem, stopping, on, names));
        }
        return out;
    }

    private static Announcement decideOne(InetAddress vip, List<VipRange> ranges, String loopProblem,
            boolean stopping, List<ServiceInput> on, List<String> names) {
        if (stopping) {
            return new Announcement(vip, Reason.STOPPING, null, names);
        }
        if (loopProblem != null) {
            return new Announcement(vip, Reason.LOOP_UNHEALTHY, null, names);
        }
        if (ranges.stream().noneMatch(r -> r.contains(vip))) {
            return new Announcement(vip, Reason.OUTSIDE_RANGES, null, names);
        }
        // Per reason, then per service: a VIP with one non-mh and one below-quorum service says
        // "scheduler_not_mh", the fault no health change will cure.
        for (Reason r : List.of(Reason.NOT_MH, Reason.NOT_IN_KERNEL, Reason.APPLY_ERROR, Reason.BELOW_QUORUM)) {
            for (ServiceInput s : on) {
                if (fails(r, s)) {
                    return new Announcement(vip, r, s.name(), names);
                }
            }
        }
        return new Announcement(vip, Reason.SERVING, null, names);
    }

    private static boolean fails(Reason r, ServiceInput s) {
        return switch (r) {
            case NOT_MH -> !"mh".equals(s.scheduler());
            case NOT_IN_KERNEL -> !s.inKernel();
            case APPLY_ERROR -> s.applyError();
            case BELOW_QUORUM -> s.belowQuorum();
            default -> false;
        };
    }

    /** The VIPs to have on the interface. */
    public static Set<InetAddress> wanted(Map<InetAddress, Announcement> decisions) {
        Set<InetAddress> out = new TreeSet<>(BY_ADDRESS);
        decisions.values().stream().filter(Announcement::announced).forEach(a -> out.add(a.vip()));
        return out;
    }

    /**
     * The ops that turn the interface's addresses into {@code wanted}: removals first (a withdrawal is
     * the urgent half), then additions, each in address order. Every address on the interface that is
     * not wanted goes: the interface is the director's alone.
     */
    public static List<VipOp> plan(Set<InetAddress> wanted, Collection<InetAddress> onInterface) {
        Set<InetAddress> have = new TreeSet<>(BY_ADDRESS);
        have.addAll(onInterface);
        List<VipOp> ops = new ArrayList<>();
        for (InetAddress a : have) {
            if (!wanted.contains(a)) {
                ops.add(new VipOp.Remove(a));
            }
        }
        Set<InetAddress> want = new TreeSet<>(BY_ADDRESS);
        want.addAll(wanted);
        for (InetAddress a : want) {
            if (!have.contains(a)) {
                ops.add(new VipOp.Add(a));
            }
        }
        return List.copyOf(ops);
    }
}
