package io.lvsdirector.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.Protocol;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class KernelTableUnreadableTest {

    @Test
    void unreadableEntriesAreCarriedByServiceKeyNotDropped() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        VirtualServerKey web = VirtualServerKey.tcp("198.18.0.100", 80);
        VirtualServerKey api = VirtualServerKey.tcp("198.18.0.101", 443);
        ipvs.addService(VirtualServer.of(web, "wrr"));
        ipvs.addService(VirtualServer.of(api, "wrr"));
        ipvs.addRealServer(web, RealServer.directRoute("198.18.0.21", 80, 1));
        ipvs.addRealServer(web, RealServer.directRoute("198.18.0.22", 80, 1));
        ipvs.addService(VirtualServer.of(VirtualServerKey.fwmark(AddressFamily.INET, 7), "rr"));
        ipvs.makeUnreadable(web, RealServerKey.of("198.18.0.22", 80), "weight 100000 out of range 0..65535");
        ipvs.makeUnreadable(api, "persistence netmask 255.0.255.0 is not a prefix");
        ipvs.makeUnreadable(VirtualServerKey.fwmark(AddressFamily.INET, 7), "odd");

        KernelTable read = KernelTable.of(ipvs.snapshot());

        VirtualServerKey webKey = VirtualServerKey.of(Protocol.TCP, InetAddress.getByName("198.18.0.100"), 80);
        VirtualServerKey apiKey = VirtualServerKey.of(Protocol.TCP, InetAddress.getByName("198.18.0.101"), 443);
        RealServerKey rs22 = new RealServerKey(InetAddress.getByName("198.18.0.22"), 80);
        assertThat(read.services()).containsOnlyKeys(webKey);
        assertThat(read.services().get(webKey).realServers()).hasSize(1).doesNotContainKey(rs22);
        // A firewall-mark service is never the director's: not carried.
        assertThat(read.unreadable()).containsOnlyKeys(webKey, apiKey);
        assertThat(read.unreadable().get(webKey).wholeService()).isFalse();
        assertThat(read.unreadable().get(webKey).realServers()).containsOnlyKeys(rs22);
        assertThat(read.unreadable().get(apiKey).serviceReason()).contains("persistence netmask 255.0.255.0 is not a prefix");
        assertThat(read.hasService(apiKey)).isTrue();
    }
}
