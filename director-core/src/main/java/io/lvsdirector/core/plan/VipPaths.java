package io.lvsdirector.core.plan;

import io.lvsdirector.core.health.HealthState;
import io.lvsdirector.core.health.ProbeRoutes;
import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.WhenAllDown;
import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.Forwarding;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.VirtualServerSpec;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The director's own way to send a probe to one real server through the VIP: for every real server
 * checked {@linkplain io.lvsdirector.core.model.HealthCheck.Via#VIP via the VIP}, an internal fwmark
 * virtual service ({@code ipvsadm -A -f MARK -s rr; ipvsadm -a -f MARK -r RS -g}) holding that real
 * server alone. A probe socket carrying the mark ({@code SO_MARK}) connects to VIP:port; IPVS sees the
 * locally sent SYN at LOCAL_OUT, finds the fwmark service before any address service, and forwards it
 * by direct routing to that real server's MAC with the IP header unchanged, exactly as it forwards a
 * client's packet. The answer comes straight back from VIP:port. A node that lost the VIP on
 * {@code lo} drops the packet (no answer) and one that has it with nothing listening refuses it.
 *
 * <p>The marks come from a reserved range ({@link Marks}). An internal service is named
 * {@value #NAME_PREFIX}{@code ADDRESS} (a name no user service can have: user names are DNS labels),
 * is desired, so the loop creates, owns and deletes it like any other, and is left out of status and
 * of the per-service metrics ({@link #isInternal(String)}). Marks are kept per address for as long as
 * the address is checked via a VIP; a new one takes the lowest free mark. After a restart the
 * allocation starts again in address order, and the planner edits whatever internal services the
 * kernel still has to match.
 *
 * <p>Threads: {@link #withPaths} and {@link #publish} on the loop's thread only; {@link #route} from
 * any thread (the probes').
 */
public final class VipPaths implements ProbeRoutes {

    /** The name prefix of an internal service: no user service name can contain a colon. */
    public static final String NAME_PREFIX = "vip-probe:";

    /**
     * The firewall marks the director may use, {@code first .. first + count - 1}, unsigned. Nothing
     * else on the director may use them: a packet carrying one is forwarded to a real server.
     */
    public record Marks(int first, int count) {

        /** 0x4c560000 ("LV") onwards, 4,096 marks: one per real server checked via a VIP. */
        public static final Marks DEFAULT = new Marks(0x4c560000, 4096);

        public Marks {
            if (first == 0 || count < 1 || Integer.toUnsignedLong(first) + count - 1 > 0xffffffffL) {
                throw new IllegalArgumentException("probe marks must be a non-empty range within 1..2^32-1: first "
                        + Integer.toUnsignedString(first) + ", count " + count);
            }
        }

        boolean contains(int mark) {
            long m = Integer.toUnsignedLong(mark) - Integer.toUnsignedLong(first);
            return m >= 0 && m < count;
        }
    }

    private final Marks marks;
    private final Function<InetAddress, InetAddress> sourceTowards;
    // Loop thread only: the mark of each real server address checked via a VIP.
    private final Map<InetAddress, Integer> allocated = new HashMap<>();
    private final Map<InetAddress, String> exhausted = new HashMap<>();
    private final Map<InetAddress, InetAddress> sources = new HashMap<>();
    // Read by the probes.
    private volatile Map<InetAddress, Route> routes = Map.of();

    public VipPaths(Marks marks) {
        this(marks, VipPaths::sourceTowards);
    }

    /** @param sourceTowards the director's address a packet to a real server leaves from (tests fake it) */
    VipPaths(Marks marks, Function<InetAddress, InetAddress> sourceTowards) {
        this.marks = marks;
        this.sourceTowards = sourceTowards;
    }

    public Marks marks() {
        return marks;
    }

    /** Whether a service of this name is one of the director's internal ones, not a user's. */
    public static boolean isInternal(String serviceName) {
        return serviceName.startsWith(NAME_PREFIX);
    }

    /** Whether {@code key} is an internal service's identity: a fwmark service with a mark of the range. */
    public boolean isInternal(VirtualServerKey key) {
        return key.isFwmark() && marks.contains(key.fwmark());
    }

    @Override
    public Route route(InetAddress realServer) {
        Route r = routes.get(realServer);
        return r != null ? r : Route.NOT_YET;
    }

    /**
     * {@code desired} plus the internal service of every real server a probe target checks via a VIP,
     * marks allocated (and freed) as those real servers come and go. For full builds, on the loop's
     * thread.
     */
    public DesiredState withPaths(DesiredState desired) {
        return add(desired, allocate(vipRealServers(desired), true));
    }

    /** As {@link #withPaths} without keeping the allocation: what a dry run plans. */
    public DesiredState plannedFor(DesiredState desired) {
        return add(desired, allocate(vipRealServers(desired), false));
    }

    private static Set<InetAddress> vipRealServers(DesiredState desired) {
        Set<InetAddress> out = new TreeSet<>(IpAddresses::compare);
        for (ProbeTarget t : desired.probeTargets()) {
            if (t.vip() != null) {
                out.add(t.address());
            }
        }
        return out;
    }

    private Map<InetAddress, Integer> allocate(Set<InetAddress> needed, boolean keep) {
        Map<InetAddress, Integer> alloc = new HashMap<>(allocated);
        alloc.keySet().retainAll(needed);
        Set<Integer> used = new java.util.HashSet<>(alloc.values());
        Map<InetAddress, String> full = new HashMap<>();
        long next = 0;
        for (InetAddress a : needed) {
            if (alloc.containsKey(a)) {
                continue;
            }
            while (next < marks.count() && used.contains(marks.first() + (int) next)) {
                next++;
            }
            if (next >= marks.count()) {
                full.put(a, "no free probe mark (" + marks.count() + " in the range, one per node checked via a VIP)");
                continue;
            }
            int m = marks.first() + (int) next;
            used.add(m);
            alloc.put(a, m);
        }
        if (keep) {
            allocated.clear();
            allocated.putAll(alloc);
            exhausted.clear();
            exhausted.putAll(full);
            sources.keySet().retainAll(needed);
        }
        return alloc;
    }

    private static DesiredState add(DesiredState desired, Map<InetAddress, Integer> alloc) {
        if (alloc.isEmpty()) {
            return desired;
        }
        TreeMap<VirtualServerKey, DesiredService> services = new TreeMap<>(desired.services());
        for (Map.Entry<InetAddress, Integer> e : alloc.entrySet()) {
            DesiredService ds = internalService(e.getKey(), e.getValue(), desired.at());
            services.put(ds.key(), ds);
        }
        return new DesiredState(desired.at(), services, desired.drainStarts(), desired.probeTargets(),
                desired.problems(), desired.quorumMemory());
    }

    /** The internal service of one real server: mark, round robin, that server alone by direct routing. */
    static DesiredService internalService(InetAddress realServer, int mark, java.time.Instant at) {
        VirtualServerKey key = key(realServer, mark);
        RealServerKey rk = new RealServerKey(realServer, 0);
        DesiredRealServer d = new DesiredRealServer(rk, RealServerSpec.directRoute(1), Disposition.ACTIVE,
                HealthState.HEALTHY, "probe path", at, null, null);
        return new DesiredService(NAME_PREFIX + realServer.getHostAddress(), key, VirtualServerSpec.of("rr"),
                new TreeMap<>(Map.of(rk, d)), WhenAllDown.FAIL_OPEN, false, 1, null);
    }

    static VirtualServerKey key(InetAddress realServer, int mark) {
        return VirtualServerKey.fwmark(realServer instanceof Inet4Address ? AddressFamily.INET : AddressFamily.INET6,
                mark);
    }

    /**
     * After a pass: which real servers have their internal service in the kernel as planned (that one
     * real server, direct routing), so their probes may go; the others' probes fail with why.
     *
     * @param kernel the table as the pass left it
     * @param errors per service, why it is out of step (its last failed op), if it is
     */
    public void publish(KernelTable kernel, Map<VirtualServerKey, String> errors) {
        Map<InetAddress, Route> out = new HashMap<>();
        for (Map.Entry<InetAddress, Integer> e : allocated.entrySet()) {
            InetAddress a = e.getKey();
            VirtualServerKey key = key(a, e.getValue());
            String mark = "fwmark " + Integer.toUnsignedString(e.getValue());
            KernelService ks = kernel.services().get(key);
            RealServerStatus rs = ks == null ? null : ks.realServers().get(new RealServerKey(a, 0));
            String error = errors.get(key);
            if (ks == null || rs == null || ks.realServers().size() != 1
                    || rs.spec().forwarding() != Forwarding.DIRECT_ROUTE) {
                // Being made (no error yet): not a failure of the node, so its probes do not count.
                out.put(a, error != null
                        ? Route.none("no probe path to this node: internal service " + mark + " failed: " + error)
                        : Route.NOT_YET);
                continue;
            }
            InetAddress source = sources.computeIfAbsent(a, sourceTowards);
            out.put(a, source == null
                    ? Route.none("no probe path to this node: the director has no route to it")
                    : new Route(e.getValue(), source, null));
        }
        exhausted.forEach((a, why) -> out.put(a, Route.none("no probe path to this node: " + why)));
        routes = Map.copyOf(out);
    }

    /**
     * The director's address towards {@code realServer}: where the kernel would send from. A probe
     * must not leave from the VIP (the kernel's choice for a VIP this director holds), because the
     * real server would answer the VIP on its own {@code lo}.
     */
    static InetAddress sourceTowards(InetAddress realServer) {
        // A connected UDP socket sends nothing: connect() only routes and picks the source.
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(realServer, 9);
            InetAddress local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? null : local;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
