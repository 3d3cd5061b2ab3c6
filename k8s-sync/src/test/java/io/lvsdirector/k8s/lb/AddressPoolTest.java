package io.lvsdirector.k8s.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.IpAddresses;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPoolTest {

    @Test
    void ipv4CidrLeavesOutNetworkAndBroadcastRangesAndSlash31DoNot() {
        AddressPool.Range r = AddressPool.parseRange("198.18.0.8/30");
        assertThat(r.toString()).isEqualTo("198.18.0.9-198.18.0.10");
        assertThat(AddressPool.parseRange("198.18.0.8/31").toString()).isEqualTo("198.18.0.8-198.18.0.9");
        assertThat(AddressPool.parseRange("198.18.0.8 - 198.18.0.12").size().intValue()).isEqualTo(5);
        assertThat(AddressPool.parseRange("198.18.0.7").toString()).isEqualTo("198.18.0.7");
        assertThat(AddressPool.parseRange("2001:db8::/126").size().intValue()).isEqualTo(4);
    }

    @Test
    void refusesWhatCannotBeAVipPoolNamingTheEntry() {
        for (String bad : List.of("198.18.0.9/30", "198.18.0.9-198.18.0.1", "127.0.0.0/8", "224.0.0.1",
                "198.18.0.1-2001:db8::1", "fe80::1", "nonsense", "198.18.0.0/33")) {
            assertThatThrownBy(() -> AddressPool.parseRange(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.trim());
        }
        assertThatThrownBy(() -> AddressPool.parse("x", List.of(), true)).hasMessageContaining("no addresses");
        assertThatThrownBy(() -> AddressPool.parse("Bad_Name", List.of("198.18.0.1"), true))
                .hasMessageContaining("pool name");
    }

    @Test
    void firstFreeWalksRangesInOrderPerFamily() {
        AddressPool p = AddressPool.parse("p", List.of("198.18.0.20-198.18.0.21", "2001:db8::5", "198.18.0.1"), true);
        assertThat(p.firstFree(true, Set.of())).contains(IpAddresses.parse("198.18.0.20"));
        assertThat(p.firstFree(true, Set.of(IpAddresses.parse("198.18.0.20"), IpAddresses.parse("198.18.0.21"))))
                .contains(IpAddresses.parse("198.18.0.1"));
        assertThat(p.firstFree(false, Set.of())).contains(IpAddresses.parse("2001:db8::5"));
        assertThat(p.firstFree(false, Set.of(IpAddresses.parse("2001:db8::5")))).isEmpty();
        assertThat(p.contains(IpAddresses.parse("198.18.0.21"))).isTrue();
        assertThat(p.contains(IpAddresses.parse("198.18.0.22"))).isFalse();
        assertThat(p.hasFamily(false)).isTrue();
    }
}
