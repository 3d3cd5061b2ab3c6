package io.lvsdirector.k8s.lb;

import io.lvsdirector.ipvs.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the LoadBalancer addresses of every Service from one view of the cluster: a pure function,
 * so two directors with the same view decide the same, and the cluster's record (each Service's
 * {@code status.loadBalancer.ingress}) is the only state. Like MetalLB's allocator: pools, a
 * requested address honoured, a deterministic choice.
 *
 * <p>Rules, in this order:
 * <ol>
 *   <li>Services are taken oldest first ({@code creationTimestamp}, then {@code uid}): when two claim
 *       one address, the older keeps it and the younger is refused ({@code AddressInUse}) or moved.
 *   <li><b>Claims</b>: a requested address must be inside a pool (else {@code InvalidRequest}); an
 *       address already recorded in the Service's status is kept if it is still inside a pool, of a
 *       family the Service wants, and not claimed by an older Service. At most one address per family.
 *   <li><b>New addresses</b>, after every claim is placed: the lowest free address of the family in
 *       the first {@code autoAssign} pool (by name) that has one, else {@code PoolExhausted}.
 *   <li>{@code RequireDualStack} gets every family or nothing; other policies take what they can
 *       of their families (one, unless the API server filled in two).
 * </ol>
 * An address appears in at most one decision: never one VIP for two Services, never two VIPs of one
 * family for one Service.
 */
public final class Allocator {

    /** Event reasons and condition reasons. */
    public static final String ALLOCATED = "AddressAllocated";
    public static final String POOL_EXHAUSTED = "PoolExhausted";
    public static final String INVALID_REQUEST = "InvalidRequest";
    public static final String ADDRESS_IN_USE = "AddressInUse";

    private Allocator() {}

    /**
     * The outcome for one Service.
     *
     * @param addresses the addresses it holds (IPv4 first), empty when refused
     * @param reason {@link #ALLOCATED} when every family wanted got an address, else why not
     * @param message what a person reads in {@code kubectl describe service}
     */
    public record Decision(List<InetAddress> addresses, String reason, String message) {
        public Decision {
            addresses = List.copyOf(addresses);
        }

        public boolean ok() {
            return ALLOCATED.equals(reason);
        }
    }

    /**
     * Decides every Service that is {@link LbService#ours() ours}; others are left out (they hold nothing).
     *
     * @return by {@link LbService#key()}, oldest first
     */
    public static Map<String, Decision> allocate(List<AddressPool> pools, List<LbService> services) {
        List<AddressPool> byName = pools.stream().sorted(Comparator.comparing(AddressPool::name)).toList();
        List<LbService> ours = services.stream().filter(LbService::ours)
                .sorted(Comparator.comparing(LbService::created).thenComparing(LbService::uid)
                        .thenComparing(LbService::key))
                .toList();
        Set<InetAddress> taken = new HashSet<>();
        Map<String, Map<Boolean, InetAddress>> held = new HashMap<>();
        Map<String, Decision> refused = new HashMap<>();

        // Claims: requested and recorded addresses, oldest first.
        for (LbService s : ours) {
            Map<Boolean, InetAddress> mine = new LinkedHashMap<>();
            held.put(s.key(), mine);
            List<Boolean> families = families(s);
            if (s.requestProblem() != null) {
                refused.put(s.key(), refuse(INVALID_REQUEST, s.requestProblem()));
                continue;
            }
            if (!s.requested().isEmpty()) {
                Decision bad = null;
                for (InetAddress a : s.requested()) {
                    String text = IpAddresses.toText(a);
                    boolean v4 = a instanceof Inet4Address;
                    if (!s.families().isEmpty() && !s.families().contains(v4)) {
                        bad = refuse(INVALID_REQUEST, "requested address " + text + " is not of the Service's"
                                + " ipFamilies");
                    } else if (byName.stream().noneMatch(p -> p.contains(a))) {
                        bad = refuse(INVALID_REQUEST, "requested address " + text + " is in no address pool");
                    } else if (mine.containsKey(v4)) {
                        bad = refuse(INVALID_REQUEST, "more than one requested address of the "
                                + (v4 ? "IPv4" : "IPv6") + " family");
                    } else if (taken.contains(a)) {
                        bad = refuse(ADDRESS_IN_USE, "requested address " + text
                                + " is held by an older Service");
                    } else {
                        mine.put(v4, a);
                    }
                    if (bad != null) {
                        break;
                    }
                }
                if (bad != null) {
                    mine.clear();
                    refused.put(s.key(), bad);
                    continue;
                }
                taken.addAll(mine.values());
                continue;
            }
            for (InetAddress a : s.ingress()) {
                boolean v4 = a instanceof Inet4Address;
                if (families.contains(v4) && !mine.containsKey(v4) && !taken.contains(a)
                        && byName.stream().anyMatch(p -> p.contains(a))) {
                    mine.put(v4, a);
                    taken.add(a);
                }
            }
        }

        // New addresses for the families still missing, oldest first, from the free ones.
        Map<String, Decision> out = new LinkedHashMap<>();
        for (LbService s : ours) {
            if (refused.containsKey(s.key())) {
                out.put(s.key(), refused.get(s.key()));
                continue;
            }
            Map<Boolean, InetAddress> mine = held.get(s.key());
            List<String> missing = new ArrayList<>();
            if (s.requested().isEmpty()) {
                for (boolean v4 : families(s)) {
                    if (mine.containsKey(v4)) {
                        continue;
                    }
                    Optional<InetAddress> free = byName.stream().filter(AddressPool::autoAssign)
                            .map(p -> p.firstFree(v4, taken)).flatMap(Optional::stream).findFirst();
                    if (free.isPresent()) {
                        mine.put(v4, free.get());
                        taken.add(free.get());
                    } else {
                        missing.add(v4 ? "IPv4" : "IPv6");
                    }
                }
            }
            boolean all = missing.isEmpty();
            if (!all && (s.dualStack() || mine.isEmpty())) {
                // Give back what this pass took for it, so the address is free for the next Service.
                taken.removeAll(mine.values());
                out.put(s.key(), refuse(POOL_EXHAUSTED, "no free " + String.join(" or ", missing)
                        + " address in any auto-assign address pool"));
                continue;
            }
            List<InetAddress> addresses = new ArrayList<>(mine.values());
            addresses.sort(IpAddresses::compare);
            addresses.sort(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1));
            String text = String.join(", ", addresses.stream().map(IpAddresses::toText).toList());
            out.put(s.key(), all
                    ? new Decision(addresses, ALLOCATED, "assigned " + text)
                    : new Decision(addresses, POOL_EXHAUSTED, "assigned " + text + "; no free "
                            + String.join(" or ", missing) + " address in any auto-assign address pool"));
        }
        return out;
    }

    /** The families a Service wants: its {@code ipFamilies}, or the requested addresses', or IPv4. */
    static List<Boolean> families(LbService s) {
        if (!s.families().isEmpty()) {
            return s.families();
        }
        if (!s.requested().isEmpty()) {
            return s.requested().stream().map(a -> a instanceof Inet4Address).distinct().toList();
        }
        return List.of(true);
    }

    private static Decision refuse(String reason, String message) {
        return new Decision(List.of(), reason, message);
    }
}
