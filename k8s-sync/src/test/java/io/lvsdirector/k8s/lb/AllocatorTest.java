package io.lvsdirector.k8s.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.ipvs.IpAddresses;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocatorTest {

    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s);
    }

    private static List<InetAddress> ips(String... s) {
        return java.util.Arrays.stream(s).map(AllocatorTest::ip).toList();
    }

    /** An IPv4 single-stack Service of ours, created {@code age} seconds after T0. */
    private static LbService svc(String name, int age, List<InetAddress> requested, List<InetAddress> ingress) {
        return new LbService("ns", name, "uid-" + name, T0.plusSeconds(age), true,
                List.of(new LbService.Port("http", "TCP", 80, 30080)), false, 0, List.of(true), false, requested,
                null, ingress);
    }

    private static LbService svc(String name, int age) {
        return svc(name, age, List.of(), List.of());
    }

    private static List<AddressPool> pools(String... addresses) {
        return List.of(AddressPool.parse("a", List.of(addresses), true));
    }

    @Test
    void lowestFreeAddressOldestFirstAndNeverTwice() {
        var d = Allocator.allocate(pools("198.18.0.8/30"), List.of(svc("young", 5), svc("old", 1)));
        assertThat(d.get("ns/old").addresses()).containsExactly(ip("198.18.0.9"));
        assertThat(d.get("ns/young").addresses()).containsExactly(ip("198.18.0.10"));
        assertThat(d.get("ns/old").reason()).isEqualTo(Allocator.ALLOCATED);
    }

    @Test
    void recordedAddressIsKeptEvenWhenALowerOneIsFree() {
        var d = Allocator.allocate(pools("198.18.0.8/30"), List.of(svc("x", 1, List.of(), ips("198.18.0.10"))));
        assertThat(d.get("ns/x").addresses()).containsExactly(ip("198.18.0.10"));
    }

    @Test
    void recordedAddressOutsideEveryPoolIsReplaced() {
        var d = Allocator.allocate(pools("198.18.0.8/30"), List.of(svc("x", 1, List.of(), ips("203.0.113.1"))));
        assertThat(d.get("ns/x").addresses()).containsExactly(ip("198.18.0.9"));
    }

    @Test
    void oneAddressRecordedTwiceStaysWithTheOlderAndTheYoungerMoves() {
        var d = Allocator.allocate(pools("198.18.0.8/30"), List.of(
                svc("b", 2, List.of(), ips("198.18.0.9")), svc("a", 1, List.of(), ips("198.18.0.9"))));
        assertThat(d.get("ns/a").addresses()).containsExactly(ip("198.18.0.9"));
        assertThat(d.get("ns/b").addresses()).containsExactly(ip("198.18.0.10"));
    }

    @Test
    void sameCreationTimeIsBrokenByUid() {
        LbService a = new LbService("ns", "a", "uid-2", T0, true, List.of(), false, 0, List.of(true), false,
                List.of(), null, ips("198.18.0.9"));
        LbService b = new LbService("ns", "b", "uid-1", T0, true, List.of(), false, 0, List.of(true), false,
                List.of(), null, ips("198.18.0.9"));
        var d = Allocator.allocate(pools("198.18.0.8/30"), List.of(a, b));
        assertThat(d.get("ns/b").addresses()).containsExactly(ip("198.18.0.9"));
        assertThat(d.get("ns/a").addresses()).containsExactly(ip("198.18.0.10"));
    }

    @Test
    void requestedAddressHonouredRefusedOutsidePoolsAndWhenHeldByAnOlderService() {
        List<AddressPool> pools = List.of(AddressPool.parse("auto", List.of("198.18.0.8/30"), true),
                AddressPool.parse("manual", List.of("198.18.1.1-198.18.1.2"), false));
        var d = Allocator.allocate(pools, List.of(
                svc("holder", 1, List.of(), ips("198.18.0.9")),
                svc("pinned", 2, ips("198.18.1.2"), List.of()),
                svc("outside", 3, ips("203.0.113.7"), List.of()),
                svc("thief", 4, ips("198.18.0.9"), List.of())));
        assertThat(d.get("ns/holder").addresses()).containsExactly(ip("198.18.0.9"));
        assertThat(d.get("ns/pinned").addresses()).containsExactly(ip("198.18.1.2"));
        assertThat(d.get("ns/outside").reason()).isEqualTo(Allocator.INVALID_REQUEST);
        assertThat(d.get("ns/outside").addresses()).isEmpty();
        assertThat(d.get("ns/thief").reason()).isEqualTo(Allocator.ADDRESS_IN_USE);
        assertThat(d.get("ns/thief").addresses()).isEmpty();
        // A request beats a new automatic choice: the address is not held yet, so the request gets it.
        d = Allocator.allocate(pools, List.of(svc("new", 1), svc("asks", 2, ips("198.18.0.9"), List.of())));
        assertThat(d.get("ns/asks").addresses()).containsExactly(ip("198.18.0.9"));
        assertThat(d.get("ns/new").addresses()).containsExactly(ip("198.18.0.10"));
    }

    @Test
    void anOlderRequestTakesTheAddressFromAYoungerHolder() {
        var d = Allocator.allocate(pools("198.18.0.8/30"), List.of(
                svc("requester", 1, ips("198.18.0.9"), List.of()),
                svc("holder", 2, List.of(), ips("198.18.0.9"))));
        assertThat(d.get("ns/requester").addresses()).containsExactly(ip("198.18.0.9"));
        assertThat(d.get("ns/holder").addresses()).containsExactly(ip("198.18.0.10"));
    }

    @Test
    void autoAssignOffPoolsServeRequestsOnly() {
        var d = Allocator.allocate(List.of(AddressPool.parse("m", List.of("198.18.1.1"), false)),
                List.of(svc("x", 1)));
        assertThat(d.get("ns/x").reason()).isEqualTo(Allocator.POOL_EXHAUSTED);
    }

    @Test
    void exhaustionRefusesOnlyTheYoungest() {
        var d = Allocator.allocate(pools("198.18.0.8/31"), List.of(svc("a", 1), svc("b", 2), svc("c", 3)));
        assertThat(d.get("ns/a").ok()).isTrue();
        assertThat(d.get("ns/b").ok()).isTrue();
        assertThat(d.get("ns/c").reason()).isEqualTo(Allocator.POOL_EXHAUSTED);
        assertThat(d.get("ns/c").addresses()).isEmpty();
    }

    @Test
    void dualStackGetsBothFamiliesOrWithRequireNothing() {
        List<AddressPool> pools = List.of(AddressPool.parse("v4", List.of("198.18.0.9"), true),
                AddressPool.parse("v6", List.of("2001:db8::10/127"), true));
        LbService prefer = new LbService("ns", "p", "u1", T0, true, List.of(), false, 0, List.of(false, true), false,
                List.of(), null, List.of());
        var d = Allocator.allocate(pools, List.of(prefer));
        // IPv4 first, whatever order ipFamilies gave.
        assertThat(d.get("ns/p").addresses()).containsExactly(ip("198.18.0.9"), ip("2001:db8::10"));

        LbService second = new LbService("ns", "r", "u2", T0.plusSeconds(1), true, List.of(), false, 0,
                List.of(true, false), true, List.of(), null, List.of());
        LbService third = new LbService("ns", "q", "u3", T0.plusSeconds(2), true, List.of(), false, 0,
                List.of(true, false), false, List.of(), null, List.of());
        d = Allocator.allocate(pools, List.of(prefer, second, third));
        // RequireDualStack with no IPv4 left: nothing, and its IPv6 stays free for the next Service.
        assertThat(d.get("ns/r").reason()).isEqualTo(Allocator.POOL_EXHAUSTED);
        assertThat(d.get("ns/r").addresses()).isEmpty();
        // PreferDualStack takes what it can, and says what is missing.
        assertThat(d.get("ns/q").addresses()).containsExactly(ip("2001:db8::11"));
        assertThat(d.get("ns/q").reason()).isEqualTo(Allocator.POOL_EXHAUSTED);
        assertThat(d.get("ns/q").message()).contains("no free IPv4");
    }

    @Test
    void requestOfAFamilyTheServiceDoesNotHaveIsInvalid() {
        List<AddressPool> pools = List.of(AddressPool.parse("v6", List.of("2001:db8::/120"), true));
        var d = Allocator.allocate(pools, List.of(svc("x", 1, ips("2001:db8::5"), List.of())));
        assertThat(d.get("ns/x").reason()).isEqualTo(Allocator.INVALID_REQUEST);
    }

    @Test
    void servicesNotOursHoldNothing() {
        LbService other = new LbService("ns", "o", "u", T0, false, List.of(), false, 0, List.of(true), false,
                List.of(), null, ips("198.18.0.9"));
        var d = Allocator.allocate(pools("198.18.0.8/30"), List.of(other, svc("x", 5)));
        assertThat(d).containsOnlyKeys("ns/x");
        assertThat(d.get("ns/x").addresses()).containsExactly(ip("198.18.0.9"));
    }

    @Test
    void theDecisionDoesNotDependOnTheOrderSeenAndNoAddressIsGivenTwice() {
        // Two directors list the same Services in different orders: the same decisions.
        Random random = new Random(7);
        List<LbService> services = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<InetAddress> ingress = random.nextBoolean()
                    ? List.of(ip("198.18.0." + (1 + random.nextInt(20)))) : List.of();
            services.add(svc("s" + i, random.nextInt(10), List.of(), ingress));
        }
        Map<String, Allocator.Decision> first = Allocator.allocate(pools("198.18.0.0/27"), services);
        for (int round = 0; round < 20; round++) {
            List<LbService> shuffled = new ArrayList<>(services);
            Collections.shuffle(shuffled, random);
            assertThat(Allocator.allocate(pools("198.18.0.0/27"), shuffled)).isEqualTo(first);
        }
        Set<InetAddress> seen = new HashSet<>();
        first.values().forEach(d -> d.addresses().forEach(a -> assertThat(seen.add(a)).as("%s twice", a).isTrue()));
        // 30 addresses in a /27 without network and broadcast: 30 served, 10 refused.
        assertThat(first.values().stream().filter(Allocator.Decision::ok).count()).isEqualTo(30);
    }
}
