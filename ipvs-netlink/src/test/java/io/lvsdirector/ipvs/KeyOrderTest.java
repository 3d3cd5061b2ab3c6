package io.lvsdirector.ipvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The order plans, status and logs list services and real servers in. */
class KeyOrderTest {

    @Test
    void servicesSortByFamilyAddressPortProtocolThenFirewallMarks() {
        List<VirtualServerKey> expected = List.of(
                VirtualServerKey.tcp("10.0.0.1", 80),
                VirtualServerKey.udp("10.0.0.1", 80),
                VirtualServerKey.tcp("10.0.0.1", 443),
                // Unsigned bytes: 200.x sorts after 10.x (a signed compare puts it first).
                VirtualServerKey.tcp("200.0.0.1", 80),
                VirtualServerKey.tcp("2001:db8::1", 80),
                VirtualServerKey.tcp("fd00::1", 80),
                VirtualServerKey.fwmark(AddressFamily.INET, 7),
                VirtualServerKey.fwmark(AddressFamily.INET, -1),
                VirtualServerKey.fwmark(AddressFamily.INET6, 1));
        List<VirtualServerKey> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(13));
        Collections.sort(shuffled);
        assertThat(shuffled).containsExactlyElementsOf(expected);
    }

    @Test
    void realServersSortByFamilyAddressThenPort() {
        List<RealServerKey> expected = List.of(
                RealServerKey.of("10.0.1.1", 0),
                RealServerKey.of("10.0.1.1", 80),
                RealServerKey.of("10.0.1.2", 80),
                RealServerKey.of("192.168.0.1", 80),
                RealServerKey.of("::1", 80));
        List<RealServerKey> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(13));
        Collections.sort(shuffled);
        assertThat(shuffled).containsExactlyElementsOf(expected);
    }

    @Test
    void orderAgreesWithEquality() {
        assertThat(VirtualServerKey.tcp("10.0.0.1", 80).compareTo(VirtualServerKey.tcp("10.0.0.1", 80))).isZero();
        assertThat(VirtualServerKey.tcp("10.0.0.1", 80).compareTo(VirtualServerKey.sctp("10.0.0.1", 80))).isNegative();
        assertThat(RealServerKey.of("fd00::1", 80).compareTo(RealServerKey.of("fd00:0::1", 80))).isZero();
    }
}
