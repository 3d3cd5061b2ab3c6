package io.lvsdirector.core.ecmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.ipvs.IpAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnnouncePlannerTest {

    private static final List<VipRange> RANGES = List.of(VipRange.parse("192.0.2.0/24"), VipRange.parse("2001:db8::/64"));
    private static final InetAddress VIP = IpAddresses.parse("192.0.2.10");

    private static ServiceInput ok(String name, String vip) {
        return new ServiceInput(name, IpAddresses.parse(vip), "mh", true, false, false);
    }

    @Test
    void servableMhServiceInRangeIsAnnounced() {
        var d = AnnouncePlanner.decide(RANGES, null, false, List.of(ok("web", "192.0.2.10")));
        assertThat(d.get(VIP).reason()).isEqualTo(Reason.SERVING);
        assertThat(AnnouncePlanner.wanted(d)).containsExactly(VIP);
    }

    @Test
    void eachFaultWithdrawsWithItsReasonAndService() {
        var base = ok("web", "192.0.2.10");
        assertThat(one(new ServiceInput("web", VIP, "rr", true, false, false))).isEqualTo(Reason.NOT_MH);
        assertThat(one(new ServiceInput("web", VIP, "mh", false, false, false))).isEqualTo(Reason.NOT_IN_KERNEL);
        assertThat(one(new ServiceInput("web", VIP, "mh", true, true, false))).isEqualTo(Reason.APPLY_ERROR);
        assertThat(one(new ServiceInput("web", VIP, "mh", true, false, true))).isEqualTo(Reason.BELOW_QUORUM);
        assertThat(AnnouncePlanner.decide(RANGES, "kernel unreadable", false, List.of(base)).get(VIP).reason())
                .isEqualTo(Reason.LOOP_UNHEALTHY);
        assertThat(AnnouncePlanner.decide(RANGES, null, true, List.of(base)).get(VIP).reason())
                .isEqualTo(Reason.STOPPING);
        var outside = AnnouncePlanner.decide(RANGES, null, false, List.of(ok("x", "198.51.100.1")));
        assertThat(outside.values()).singleElement().extracting(Announcement::reason).isEqualTo(Reason.OUTSIDE_RANGES);
        assertThat(AnnouncePlanner.wanted(outside)).isEmpty();
    }

    private static Reason one(ServiceInput s) {
        return AnnouncePlanner.decide(RANGES, null, false, List.of(s)).get(VIP).reason();
    }

    @Test
    void aVipIsAnnouncedOnlyWhenEveryServiceOnItCanBeServed() {
        var https = new ServiceInput("https", VIP, "mh", true, false, true);
        var d = AnnouncePlanner.decide(RANGES, null, false, List.of(ok("http", "192.0.2.10"), https,
                ok("other", "192.0.2.11")));
        assertThat(d.get(VIP).reason()).isEqualTo(Reason.BELOW_QUORUM);
        assertThat(d.get(VIP).service()).isEqualTo("https");
        assertThat(d.get(VIP).services()).containsExactly("http", "https");
        assertThat(AnnouncePlanner.wanted(d)).containsExactly(IpAddresses.parse("192.0.2.11"));
    }

    @Test
    void aFaultNoHealthChangeCuresIsNamedFirst() {
        var d = AnnouncePlanner.decide(RANGES, null, false, List.of(
                new ServiceInput("a", VIP, "mh", true, false, true), new ServiceInput("b", VIP, "wrr", true, false, false)));
        assertThat(d.get(VIP).reason()).isEqualTo(Reason.NOT_MH);
        assertThat(d.get(VIP).service()).isEqualTo("b");
    }

    @Test
    void fwmarkServicesHaveNothingToAnnounce() {
        var d = AnnouncePlanner.decide(RANGES, null, false, List.of(new ServiceInput("fw", null, "mh", true, false, false)));
        assertThat(d).isEmpty();
    }

    @Test
    void planRemovesFirstThenAddsAndOwnsTheWholeInterface() {
        InetAddress a = IpAddresses.parse("192.0.2.1");
        InetAddress b = IpAddresses.parse("192.0.2.2");
        InetAddress stray = IpAddresses.parse("10.0.0.1");
        var ops = AnnouncePlanner.plan(Set.of(a, b), List.of(b, stray));
        assertThat(ops).containsExactly(new VipOp.Remove(stray), new VipOp.Add(a));
        assertThat(AnnouncePlanner.plan(Set.of(a), List.of(a))).isEmpty();
        assertThat(AnnouncePlanner.plan(Set.of(), List.of(a, b))).containsExactly(new VipOp.Remove(a), new VipOp.Remove(b));
    }

    @Test
    void ipv6VipsUseTheirOwnRanges() {
        var d = AnnouncePlanner.decide(RANGES, null, false, List.of(ok("v6", "2001:db8::10"), ok("v6b", "2001:db9::1")));
        assertThat(AnnouncePlanner.wanted(d)).containsExactly(IpAddresses.parse("2001:db8::10"));
        assertThat(Map.copyOf(d)).hasSize(2);
    }
}
