package io.lvsdirector.core.ecmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.IpAddresses;
import org.junit.jupiter.api.Test;

class VipRangeTest {

    @Test
    void containsOnlyItsOwnAddressesAndFamily() {
        VipRange r = VipRange.parse("192.0.2.0/25");
        assertThat(r.contains(IpAddresses.parse("192.0.2.0"))).isTrue();
        assertThat(r.contains(IpAddresses.parse("192.0.2.127"))).isTrue();
        assertThat(r.contains(IpAddresses.parse("192.0.2.128"))).isFalse();
        assertThat(r.contains(IpAddresses.parse("2001:db8::1"))).isFalse();
        assertThat(VipRange.parse("0.0.0.0/0").contains(IpAddresses.parse("203.0.113.9"))).isTrue();
        assertThat(VipRange.parse("2001:db8::/32").contains(IpAddresses.parse("2001:db8:ffff::1"))).isTrue();
        assertThat(VipRange.parse("2001:db8::/32").contains(IpAddresses.parse("2001:db9::1"))).isFalse();
        assertThat(VipRange.parse("192.0.2.7").length()).isEqualTo(32);
        assertThat(VipRange.parse("192.0.2.7").toString()).isEqualTo("192.0.2.7/32");
    }

    @Test
    void refusesHostBitsAndBadLengths() {
        assertThatThrownBy(() -> VipRange.parse("192.0.2.1/24")).hasMessageContaining("192.0.2.0/24");
        assertThatThrownBy(() -> VipRange.parse("192.0.2.0/33")).hasMessageContaining("0..32");
        assertThatThrownBy(() -> VipRange.parse("192.0.2.0/x")).hasMessageContaining("prefix length");
    }
}
