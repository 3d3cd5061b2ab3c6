package io.lvsdirector.core.ecmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.IpAddresses;
import org.junit.jupiter.api.Test;

class IpCommandVipInterfaceTest {

    @Test
    void parsesIpOneLineOutput() {
        // iproute2 6.1, "ip -o addr show dev lvs-vips scope global"
        String out = "5: lvs-vips    inet 192.0.2.10/32 scope global lvs-vips\\       valid_lft forever preferred_lft forever\n"
                + "5: lvs-vips    inet 192.0.2.11/32 scope global lvs-vips\\       valid_lft forever preferred_lft forever\n"
                + "5: lvs-vips    inet6 2001:db8::10/128 scope global \\       valid_lft forever preferred_lft forever\n";
        assertThat(IpCommandVipInterface.parseAddresses(out)).containsExactly(IpAddresses.parse("192.0.2.10"),
                IpAddresses.parse("192.0.2.11"), IpAddresses.parse("2001:db8::10"));
        assertThat(IpCommandVipInterface.parseAddresses("")).isEmpty();
    }

    @Test
    void hostPrefixPerFamilyAndNamesChecked() {
        assertThat(IpCommandVipInterface.prefix(IpAddresses.parse("192.0.2.1"))).isEqualTo("192.0.2.1/32");
        assertThat(IpCommandVipInterface.prefix(IpAddresses.parse("2001:db8::1"))).isEqualTo("2001:db8::1/128");
        assertThatThrownBy(() -> new IpCommandVipInterface("ip", "bad name; rm", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
