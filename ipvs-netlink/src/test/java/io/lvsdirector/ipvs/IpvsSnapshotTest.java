package io.lvsdirector.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvsdirector.ipvs.IpvsSnapshot.Unreadable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The snapshot's record of entries it could not read: validation, equality, completeness. */
class IpvsSnapshotTest {

    private static final VirtualServerKey WEB = VirtualServerKey.tcp("198.18.0.100", 80);
    private static final VirtualServerKey DNS = VirtualServerKey.udp("198.18.0.100", 53);

    private static IpvsSnapshot.Entry entry(VirtualServerKey key) {
        return new IpvsSnapshot.Entry(new VirtualServerStatus(key, VirtualServerSpec.of("rr"), Stats.ZERO), List.of());
    }

    @Test
    void unreadableNeedsServiceTextAndReason() {
        assertThatThrownBy(() -> Unreadable.service(" ", Optional.empty(), "why"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Unreadable.service("TCP 1.2.3.4:80", Optional.empty(), ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Unreadable("TCP 1.2.3.4:80", Optional.empty(), Optional.empty(),
                Optional.of(RealServerKey.of("10.0.0.1", 80)), "why"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without its text");
        assertThatThrownBy(() -> new Unreadable("TCP 1.2.3.4:80", null, Optional.empty(), Optional.empty(), "why"))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void listIsCopiedAndTakesPartInEquality() {
        List<Unreadable> bad = new ArrayList<>(List.of(Unreadable.service("TCP 198.18.0.100:80", Optional.of(WEB),
                "persistence netmask 255.0.255.0 is not a prefix")));
        IpvsSnapshot withBad = new IpvsSnapshot(List.of(entry(DNS)), bad);
        bad.clear();

        assertThat(withBad.unreadable()).hasSize(1);
        assertThat(withBad).isNotEqualTo(new IpvsSnapshot(List.of(entry(DNS))));
        assertThat(withBad).isEqualTo(new IpvsSnapshot(List.of(entry(DNS)), withBad.unreadable()));
        assertThat(withBad.hashCode())
                .isEqualTo(new IpvsSnapshot(List.of(entry(DNS)), withBad.unreadable()).hashCode());
        assertThat(withBad.toString()).contains("unreadable[TCP 198.18.0.100:80: persistence netmask");
        assertThat(new IpvsSnapshot(List.of(entry(DNS))).unreadable()).isEmpty();
    }

    @Test
    void aServiceCannotBeBothReadAndUnreadable() {
        assertThatThrownBy(() -> new IpvsSnapshot(List.of(entry(WEB)),
                List.of(Unreadable.service(WEB.toString(), Optional.of(WEB), "odd"))))
                .isInstanceOf(IllegalArgumentException.class);
        // One of its real servers can be: the service is read, that real server is not.
        IpvsSnapshot s = new IpvsSnapshot(List.of(entry(WEB), entry(DNS)),
                List.of(Unreadable.realServer(WEB, "198.18.0.22:80", Optional.of(RealServerKey.of("198.18.0.22", 80)),
                        "weight 100000 out of range 0..65535")));
        assertThat(s.isComplete(WEB)).isFalse();
        assertThat(s.isComplete(DNS)).isTrue();
        assertThat(s.unreadable().get(0).isRealServer()).isTrue();
        assertThat(s.unreadable().get(0))
                .hasToString("TCP 198.18.0.100:80 -> 198.18.0.22:80: weight 100000 out of range 0..65535");
    }
}
