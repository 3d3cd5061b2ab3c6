package io.lvsdirector.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.model.Forwarding;
import io.lvsdirector.core.model.Persistence;
import io.lvsdirector.core.model.Protocol;
import io.lvsdirector.core.model.ServiceFlag;
import io.lvsdirector.core.plan.ActualState;
import io.lvsdirector.core.plan.DestinationConfig;
import io.lvsdirector.core.plan.DestinationKey;
import io.lvsdirector.core.plan.PlanOp;
import io.lvsdirector.core.plan.ServiceConfig;
import io.lvsdirector.core.plan.ServiceKey;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.SchedulerFlag;
import io.lvsdirector.ipvs.VirtualServerKey;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelMappingTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Whatever the director writes, it reads back equal: otherwise every pass would edit. */
    @Test
    void whatIsWrittenReadsBackEqual() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        List<ServiceConfig> configs = List.of(
                new ServiceConfig("wrr", Set.of(), Persistence.NONE),
                new ServiceConfig("sh", Set.of(ServiceFlag.SCHED_FLAG_1, ServiceFlag.SCHED_FLAG_2), Persistence.NONE),
                new ServiceConfig("mh", Set.of(ServiceFlag.SCHED_FLAG_2), new Persistence(Duration.ofSeconds(300), 24)),
                new ServiceConfig("rr", Set.of(ServiceFlag.SCHED_FLAG_3), Persistence.of(Duration.ofSeconds(60))));
        int port = 80;
        for (ServiceConfig c : configs) {
            ServiceKey key = new ServiceKey(Protocol.TCP, ip("198.18.0.100"), port++);
            DestinationKey dk = new DestinationKey(ip("198.18.0.21"), key.port());
            DestinationConfig dc = new DestinationConfig(7, Forwarding.DIRECT_ROUTE);
            ipvs.apply(List.of(KernelMapping.op(new PlanOp.AddService("s", key, c)),
                    KernelMapping.op(new PlanOp.AddDestination("s", key, dk, dc))));
            ActualState read = KernelMapping.actual(ipvs.snapshot());
            assertThat(read.services().get(key).config()).isEqualTo(c);
            assertThat(read.services().get(key).destinations().get(dk).config()).isEqualTo(dc);
        }
    }

    @Test
    void schedulerFlagsGetTheSchedulersOwnNames() throws Exception {
        ServiceKey key = new ServiceKey(Protocol.TCP, ip("198.18.0.100"), 80);
        IpvsOp op = KernelMapping.op(new PlanOp.AddService("s", key,
                new ServiceConfig("sh", Set.of(ServiceFlag.SCHED_FLAG_1), Persistence.NONE)));
        assertThat(((IpvsOp.AddService) op).virtualServer().spec().flags()).containsExactly(SchedulerFlag.SH_FALLBACK);
    }

    @Test
    void masqueradeAndIpv6MapBothWays() throws Exception {
        FakeIpvs ipvs = new FakeIpvs();
        ServiceKey key = new ServiceKey(Protocol.UDP, ip("fd00::100"), 53);
        DestinationKey dk = new DestinationKey(ip("fd00::21"), 5353);
        DestinationConfig dc = new DestinationConfig(3, Forwarding.MASQUERADE);
        ipvs.apply(List.of(
                KernelMapping.op(new PlanOp.AddService("dns", key, new ServiceConfig("rr",
                        Set.of(ServiceFlag.ONE_PACKET), new Persistence(Duration.ofSeconds(30), 64)))),
                KernelMapping.op(new PlanOp.AddDestination("dns", key, dk, dc))));
        assertThat(ipvs.getService(VirtualServerKey.udp("fd00::100", 53))).isPresent();
        ActualState read = KernelMapping.actual(ipvs.snapshot());
        assertThat(read.services().get(key).destinations().get(dk).config()).isEqualTo(dc);
        assertThat(read.services().get(key).config().persistence().netmaskPrefix()).isEqualTo(64);
    }

    @Test
    void firewallMarkServicesAreLeftOutOfTheDirectorsView() {
        FakeIpvs ipvs = new FakeIpvs();
        ipvs.addService(io.lvsdirector.ipvs.VirtualServer.of(
                VirtualServerKey.fwmark(io.lvsdirector.ipvs.AddressFamily.INET, 7), "rr"));
        assertThat(KernelMapping.actual(ipvs.snapshot()).services()).isEmpty();
    }
}
