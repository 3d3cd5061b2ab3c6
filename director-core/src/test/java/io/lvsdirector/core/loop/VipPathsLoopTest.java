package io.lvsdirector.core.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.HealthBoard;
import io.lvsdirector.core.model.HealthCheck;
import io.lvsdirector.core.model.InMemoryNodeSource;
import io.lvsdirector.core.model.InMemoryServiceStore;
import io.lvsdirector.core.model.ManualDrains;
import io.lvsdirector.core.model.RealServerSource;
import io.lvsdirector.core.model.ServiceSpec;
import io.lvsdirector.core.model.StaticRealServer;
import io.lvsdirector.core.model.VirtualService;
import io.lvsdirector.core.plan.VipPaths;
import io.lvsdirector.core.status.CountingMeasurements;
import io.lvsdirector.ipvs.AddressFamily;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.lab.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop with probe paths: created once, owned, kept, removed; never in status; a foreign mark stays. */
class VipPathsLoopTest {

    private static final VipPaths.Marks MARKS = new VipPaths.Marks(5000, 8);
    private static final VirtualServerKey FWM0 = VirtualServerKey.fwmark(AddressFamily.INET, 5000);
    private static final VirtualServerKey FWM1 = VirtualServerKey.fwmark(AddressFamily.INET, 5001);
    private final FakeIpvs ipvs = new FakeIpvs();
    private final InMemoryServiceStore store = new InMemoryServiceStore();
    private final OwnershipStore ownership = OwnershipStore.inMemory();
    private ReconcileLoop loop;

    @AfterEach
    void close() {
        if (loop != null) {
            loop.close();
        }
    }

    private static ServiceSpec web(HealthCheck.Via via) throws Exception {
        return ServiceSpec.of(VirtualService.tcp("web", InetAddress.getByName("198.18.0.100"), 80),
                new RealServerSource.StaticList(List.of(new StaticRealServer(InetAddress.getByName("198.18.0.21"), 1),
                        new StaticRealServer(InetAddress.getByName("198.18.0.22"), 1))),
                HealthCheck.http().withPort(8080).withVia(via));
    }

    private ReconcileLoop start() {
        InMemoryNodeSource nodes = new InMemoryNodeSource();
        nodes.markSynced();
        loop = new ReconcileLoop(ipvs, store, nodes, HealthBoard.manual(), new ManualDrains(),
                new CountingMeasurements(), new MutableClock(Instant.parse("2026-01-01T00:00:00Z")),
                LoopSettings.DEFAULTS, ownership, MARKS);
        return loop;
    }

    @Test
    void pathsAreCreatedOnceOwnedKeptAcrossPassesAndGoWithTheLastCheckViaAVip() throws Exception {
        // Someone else's fwmark service with a mark of the range: never touched, never adopted.
        VirtualServerKey foreign = VirtualServerKey.fwmark(AddressFamily.INET, 5007);
        ipvs.addService(VirtualServer.of(foreign, "wrr"));
        store.replaceAll(List.of(web(HealthCheck.Via.VIP)));
        ReconcileLoop l = start();
        assertThat(l.runOnce().failed()).isEmpty();
        assertThat(ipvs.realServers(FWM0)).extracting(r -> r.key().address().getHostAddress(), r -> r.key().port())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("198.18.0.21", 0));
        assertThat(ipvs.realServers(FWM1)).hasSize(1);
        assertThat(ownership.load().orElseThrow()).contains(FWM0, FWM1);
        // A second pass reads them back and plans nothing (no EEXIST, no re-add).
        var second = l.runOnce();
        assertThat(second.applied()).isZero();
        assertThat(second.failed()).isEmpty();
        assertThat(l.status().services()).extracting(s -> s.name()).containsExactly("web");
        assertThat(l.probeRoutes().route(InetAddress.getByName("198.18.0.21")).mark()).isEqualTo(5000);

        // Repaired like any owned service when someone deletes one by hand.
        ipvs.deleteService(FWM1);
        l.runOnce();
        assertThat(ipvs.realServers(FWM1)).hasSize(1);

        // Back to checks via the node: the paths go, the foreign one stays.
        store.replaceAll(List.of(web(HealthCheck.Via.NODE)));
        l.runOnce();
        assertThat(ipvs.services()).extracting(s -> s.key()).doesNotContain(FWM0, FWM1).contains(foreign);
        assertThat(ownership.load().orElseThrow()).doesNotContain(FWM0, FWM1);
        assertThat(l.probeRoutes().route(InetAddress.getByName("198.18.0.21")).ready()).isFalse();
    }

    @Test
    void aForeignServiceOnAPathsMarkFailsOnlyThatPathWithAReason() throws Exception {
        ipvs.addService(VirtualServer.of(FWM0, "wrr"));
        ipvs.addRealServer(FWM0, RealServer.directRoute("198.18.0.99", 0, 1));
        // Ownership recorded (a director that ran before): a service it never owned is someone else's.
        // (On a first start ever, desired services found in the kernel are adopted, these too.)
        ownership.save(Set.of());
        store.replaceAll(List.of(web(HealthCheck.Via.VIP)));
        ReconcileLoop l = start();
        l.runOnce();
        // The user's service is whole; the other node's path is ready; this one says why not.
        // (Its real servers are unprobed here, so not added yet: a manual health board.)
        assertThat(ipvs.services()).extracting(s -> s.key()).contains(VirtualServerKey.tcp("198.18.0.100", 80));
        assertThat(l.status().services()).singleElement().satisfies(s -> assertThat(s.applyError()).isNull());
        assertThat(l.probeRoutes().route(InetAddress.getByName("198.18.0.22")).ready()).isTrue();
        String why = l.probeRoutes().route(InetAddress.getByName("198.18.0.21")).problem();
        assertThat(why).startsWith("no probe path to this node: internal service fwmark 5000 failed:");
        // The foreign real server is not the director's to remove.
        assertThat(ipvs.realServers(FWM0)).extracting(r -> r.key().address().getHostAddress())
                .containsExactly("198.18.0.99");
        assertThat(Set.copyOf(ownership.load().orElseThrow())).doesNotContain(FWM0);
    }
}
