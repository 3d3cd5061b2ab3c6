package io.lvsdirector.core.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.status.ApplyError;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.core.status.ServiceStatus;
import io.lvsdirector.ipvs.socket.NetlinkIpvs;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A service the running kernel refuses, given straight to the loop (no API validation in front)
 * next to a good one: the lab kernel has no {@code twos} scheduler (Debian 12's 6.1 predates it; on a
 * newer kernel lab/uml-run leaves {@code ip_vs_twos} unloaded).
 */
@Tag("kernel")
class ServiceIsolationKernelIT {

    private static Topology topo;
    private static NetlinkIpvs netlink;

    @BeforeAll
    static void lab() {
        topo = Lab.up(1, 1);
        netlink = NetlinkIpvs.open("dir1");
    }

    @AfterAll
    static void down() {
        if (netlink != null) {
            netlink.flush();
            netlink.close();
        }
        if (topo != null) {
            topo.close();
        }
    }

    private static ServiceSpec spec(String name, String vip, String scheduler) throws Exception {
        return ServiceSpec.of(VirtualService.tcp(name, InetAddress.getByName(vip), 80).withScheduler(scheduler),
                new RealServerSource.StaticList(List.of(
                        new StaticRealServer(InetAddress.getByName(Topology.realServer(1)), 100))), null);
    }

    @Test
    void aSchedulerTheKernelLacksMarksItsServiceAndTheOtherIsProgrammed() throws Exception {
        InMemoryServiceStore store = new InMemoryServiceStore();
        store.replaceAll(List.of(spec("bad", Lab.VIP2, "twos"), spec("good", Lab.VIP, "wrr")));
        CountingMeasurements m = new CountingMeasurements();
        try (ReconcileLoop loop = new ReconcileLoop(netlink, store, InMemoryNodeSource.empty(), HealthBoard.manual(),
                new ManualDrains(), m, Clock.systemUTC(), LoopSettings.DEFAULTS, OwnershipStore.inMemory())) {
            PassResult r = loop.runOnce();

            assertThat(r.outcome()).isEqualTo(PassResult.Outcome.OK);
            assertThat(loop.status().lastPassOk()).isTrue();
            String table = topo.ipvsadm("dir1", "-Ln");
            assertThat(table).contains("TCP  " + Lab.VIP + ":80 wrr")
                    .contains("-> " + Topology.realServer(1) + ":80")
                    .doesNotContain(Lab.VIP2);
            ServiceStatus bad = loop.status().services().stream().filter(s -> s.name().equals("bad")).findFirst()
                    .orElseThrow();
            ApplyError e = bad.applyError();
            assertThat(e).isNotNull();
            assertThat(e.errno()).isEqualTo("ENOENT");
            assertThat(e.op()).isEqualTo("-A -t " + Lab.VIP2 + ":80 -s twos");
            assertThat(loop.status().services().stream().filter(s -> s.name().equals("good")).findFirst()
                    .orElseThrow().applyError()).isNull();
            assertThat(m.inStep()).containsEntry("bad", false).containsEntry("good", true);
            assertThat(loop.kernelView()).isPresent();
        }
    }
}
