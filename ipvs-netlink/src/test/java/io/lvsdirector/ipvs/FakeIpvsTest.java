package io.lvsdirector.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The fake answers with the errno the kernel gives for each precondition. */
class FakeIpvsTest {

    static final VirtualServerKey VIP = VirtualServerKey.tcp("198.18.0.100", 80);
    static final VirtualServerKey VIP6 = VirtualServerKey.tcp("2001:db8::100", 80);
    static final RealServer RS1 = RealServer.directRoute("198.18.0.21", 80, 1);
    static final RealServer RS2 = RealServer.directRoute("198.18.0.22", 80, 1);

    final FakeIpvs ipvs = new FakeIpvs();

    @Test
    void addServiceTwiceIsEexist() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        assertErrno(() -> ipvs.addService(VirtualServer.of(VIP, "wlc")), Errno.EEXIST);
        assertThat(ipvs.getService(VIP).orElseThrow().spec().scheduler()).isEqualTo("rr");
    }

    @Test
    void missingServiceIsEsrchForEveryServiceCommand() {
        assertErrno(() -> ipvs.updateService(VirtualServer.of(VIP, "rr")), Errno.ESRCH);
        assertErrno(() -> ipvs.deleteService(VIP), Errno.ESRCH);
        assertErrno(() -> ipvs.zero(VIP), Errno.ESRCH);
        assertErrno(() -> ipvs.addRealServer(VIP, RS1), Errno.ESRCH);
        assertErrno(() -> ipvs.updateRealServer(VIP, RS1), Errno.ESRCH);
        assertErrno(() -> ipvs.deleteRealServer(VIP, RS1.key()), Errno.ESRCH);
        // Reads do not fail: GET_SERVICE's ESRCH becomes empty, a dest dump of a missing service is empty.
        assertThat(ipvs.getService(VIP)).isEmpty();
        assertThat(ipvs.realServers(VIP)).isEmpty();
    }

    @Test
    void unknownSchedulerOrPersistenceEngineIsEnoent() {
        assertErrno(() -> ipvs.addService(VirtualServer.of(VIP, "nosuch")), Errno.ENOENT);
        assertThat(ipvs.services()).isEmpty();
        ipvs.addService(VirtualServer.of(VIP, "none"));
        assertErrno(() -> ipvs.updateService(VirtualServer.of(VIP, "nosuch")), Errno.ENOENT);
        assertErrno(() -> ipvs.updateService(new VirtualServer(VIP, VirtualServerSpec.of("rr").withPersistenceEngine("xyz"))),
                Errno.ENOENT);
        assertThat(ipvs.getService(VIP).orElseThrow().spec().scheduler()).isEqualTo("none");
        FakeIpvs small = new FakeIpvs().withSchedulers(Set.of("rr"));
        assertErrno(() -> small.addService(VirtualServer.of(VIP, "wlc")), Errno.ENOENT);
    }

    @Test
    void realServerPreconditions() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.addRealServer(VIP, RS1);
        assertErrno(() -> ipvs.addRealServer(VIP, RS1.withWeight(5)), Errno.EEXIST);
        assertErrno(() -> ipvs.updateRealServer(VIP, RS2), Errno.ENOENT);
        assertErrno(() -> ipvs.deleteRealServer(VIP, RS2.key()), Errno.ENOENT);
        ipvs.updateRealServer(VIP, RS1.withWeight(7));
        assertThat(ipvs.realServers(VIP)).extracting(r -> r.spec().weight()).containsExactly(7);
        ipvs.deleteRealServer(VIP, RS1.key());
        assertThat(ipvs.realServers(VIP)).isEmpty();
    }

    @Test
    void deletingAServiceTakesItsRealServers() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.addRealServer(VIP, RS1);
        ipvs.deleteService(VIP);
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        assertThat(ipvs.realServers(VIP)).isEmpty();
    }

    @Test
    void mixedFamilyAndSyncDaemonExcludeEachOther() {
        RealServer v6tun = new RealServer(RealServerKey.of("2001:db8::21", 80), RealServerSpec.of(Forwarding.TUNNEL, 1));
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.addRealServer(VIP, v6tun);
        assertErrno(() -> ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.MASTER, "eth0", 1)), Errno.EINVAL);
        ipvs.deleteRealServer(VIP, v6tun.key());
        ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.MASTER, "eth0", 1));
        assertErrno(() -> ipvs.addRealServer(VIP, v6tun), Errno.EINVAL);
    }

    @Test
    void syncDaemons() {
        assertErrno(() -> ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.BACKUP, "nosuch0", 1)), Errno.ENODEV);
        assertErrno(() -> ipvs.stopDaemon(SyncDaemon.State.MASTER), Errno.ESRCH);
        ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.MASTER, "eth0", 9));
        assertErrno(() -> ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.MASTER, "lo", 1)), Errno.EEXIST);
        ipvs.startDaemon(SyncDaemon.of(SyncDaemon.State.BACKUP, "lo", 9));
        assertThat(ipvs.daemons()).extracting(SyncDaemon::state)
                .containsExactly(SyncDaemon.State.MASTER, SyncDaemon.State.BACKUP);
        SyncDaemon master = ipvs.daemons().get(0);
        assertThat(master.port()).isEqualTo(8848);
        assertThat(master.ttl()).isEqualTo(1);
        assertThat(IpAddresses.toText(master.multicastGroup())).isEqualTo("224.0.0.81");
        ipvs.stopDaemon(SyncDaemon.State.MASTER);
        assertThat(ipvs.daemons()).extracting(SyncDaemon::state).containsExactly(SyncDaemon.State.BACKUP);
    }

    @Test
    void timeoutsZeroMeansUnchanged() {
        assertThat(ipvs.timeouts()).isEqualTo(new Timeouts(900, 120, 300));
        ipvs.setTimeouts(new Timeouts(0, 60, 0));
        assertThat(ipvs.timeouts()).isEqualTo(new Timeouts(900, 60, 300));
        assertErrno(() -> ipvs.setTimeouts(new Timeouts(Integer.MAX_VALUE, 0, 0)), Errno.EINVAL);
        assertThat(ipvs.timeouts()).isEqualTo(new Timeouts(900, 60, 300));
    }

    @Test
    void zeroClearsStatsButNotConnections() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.addRealServer(VIP, RS1);
        Stats some = new Stats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        ipvs.setStats(VIP, some);
        ipvs.setRealServerCounters(VIP, RS1.key(), 3, 4, 5, some);
        assertThat(ipvs.snapshot().service(VIP).orElseThrow().stats()).isEqualTo(some);
        ipvs.zero(VIP);
        IpvsSnapshot s = ipvs.snapshot();
        assertThat(s.service(VIP).orElseThrow().stats()).isEqualTo(Stats.ZERO);
        RealServerStatus r = s.realServers(VIP).get(0);
        assertThat(r.stats()).isEqualTo(Stats.ZERO);
        assertThat(r.activeConns()).isEqualTo(3);
    }

    @Test
    void batchReportsEveryOpAndContinuesPastFailures() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        List<IpvsOp> ops = List.of(
                new IpvsOp.AddService(VirtualServer.of(VIP, "rr")),          // EEXIST
                new IpvsOp.AddRealServer(VIP, RS1),                          // ok
                new IpvsOp.AddRealServer(VIP6, RealServer.directRoute("2001:db8::22", 80, 1)),      // ESRCH
                new IpvsOp.AddRealServer(VIP, RS2));                         // ok
        BatchResult r = ipvs.apply(ops);
        assertThat(r.outcomes()).extracting(BatchResult.Outcome::status).containsExactly(
                BatchResult.Status.FAILED, BatchResult.Status.OK, BatchResult.Status.FAILED, BatchResult.Status.OK);
        assertThat(r.outcomes().get(0).error().errno()).isEqualTo(Errno.EEXIST);
        assertThat(r.outcomes().get(0).error().op()).contains(ops.get(0));
        assertThat(r.outcomes().get(2).error().errnoName()).isEqualTo("ESRCH");
        assertThat(ipvs.realServers(VIP)).hasSize(2);
        assertThat(ipvs.count(FakeIpvs.Call.APPLY)).isEqualTo(1);
        assertThat(ipvs.count(FakeIpvs.Call.ADD_REAL_SERVER)).isEqualTo(3);
    }

    @Test
    void batchErrnosMatchWhatTheRealKernelAnswers() {
        // The op list and errnos of NetlinkIpvsKernelIT's batch test, observed on Linux 6.1 in the lab.
        VirtualServerKey a = VirtualServerKey.tcp("10.0.0.1", 80);
        VirtualServerKey b = VirtualServerKey.tcp("10.0.0.2", 80);
        VirtualServerKey ghost = VirtualServerKey.tcp("10.0.0.3", 80);
        List<IpvsOp> ops = List.of(
                new IpvsOp.AddService(VirtualServer.of(a, "rr")),
                new IpvsOp.AddService(VirtualServer.of(a, "rr")),
                new IpvsOp.AddRealServer(a, RealServer.directRoute("10.1.0.1", 80, 1)),
                new IpvsOp.AddRealServer(ghost, RealServer.directRoute("10.1.0.1", 80, 1)),
                new IpvsOp.AddService(VirtualServer.of(b, "nosuch")),
                new IpvsOp.AddService(VirtualServer.of(b, "wrr")),
                new IpvsOp.AddRealServer(b, RealServer.directRoute("10.1.0.2", 80, 3)),
                new IpvsOp.DeleteRealServer(b, RealServerKey.of("10.1.0.9", 80)),
                new IpvsOp.UpdateRealServer(a, RealServer.directRoute("10.1.0.1", 80, 4)));
        BatchResult result = ipvs.apply(ops);
        assertThat(result.outcomes()).extracting(o -> o.error() == null ? 0 : o.error().errno())
                .containsExactly(0, Errno.EEXIST, 0, Errno.ESRCH, Errno.ENOENT, 0, 0, Errno.ENOENT, 0);
        IpvsSnapshot s = ipvs.snapshot();
        assertThat(s.services()).extracting(v -> v.key() + " " + v.spec().scheduler())
                .containsExactly("TCP 10.0.0.1:80 rr", "TCP 10.0.0.2:80 wrr");
        assertThat(s.realServers(a)).extracting(r -> r.spec().weight()).containsExactly(4);
        assertThat(s.realServers(b)).extracting(r -> r.spec().weight()).containsExactly(3);
    }

    @Test
    void injectedFailuresHitTheChosenOpOnly() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        IpvsOp bad = new IpvsOp.AddRealServer(VIP, RS2);
        ipvs.injectFailure(bad, Errno.ENOMEM);
        BatchResult r = ipvs.apply(List.of(new IpvsOp.AddRealServer(VIP, RS1), bad));
        assertThat(r.outcomes().get(0).ok()).isTrue();
        assertThat(r.outcomes().get(1).error().errno()).isEqualTo(Errno.ENOMEM);
        assertThat(ipvs.realServers(VIP)).extracting(RealServerStatus::key).containsExactly(RS1.key());
        assertErrno(() -> ipvs.addRealServer(VIP, RS2), Errno.ENOMEM);
        ipvs.injectFailure(op -> op instanceof IpvsOp.DeleteService, Errno.EBUSY, "busy");
        assertThatThrownBy(() -> ipvs.deleteService(VIP)).isInstanceOf(IpvsException.class)
                .satisfies(e -> assertThat(((IpvsException) e).kernelMessage()).isEqualTo("busy"));
        ipvs.clearFailures();
        ipvs.addRealServer(VIP, RS2);
        ipvs.deleteService(VIP);
        assertThat(ipvs.services()).isEmpty();
    }

    @Test
    void brokenBatchLeavesTheRestNotAttemptedAndUntouched() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.breakNextBatchAfter(1, Errno.ETIMEDOUT);
        BatchResult r = ipvs.apply(List.of(new IpvsOp.AddRealServer(VIP, RS1), new IpvsOp.AddRealServer(VIP, RS2)));
        assertThat(r.outcomes()).extracting(BatchResult.Outcome::status)
                .containsExactly(BatchResult.Status.OK, BatchResult.Status.NOT_ATTEMPTED);
        assertThat(r.outcomes().get(1).error().errnoName()).isEqualTo("ETIMEDOUT");
        assertThat(ipvs.realServers(VIP)).hasSize(1);
        // One-shot.
        assertThat(ipvs.apply(List.of(new IpvsOp.AddRealServer(VIP, RS2))).allOk()).isTrue();
    }

    @Test
    void countsTellWhetherAPassWrote() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.resetCounts();
        ipvs.snapshot();
        ipvs.services();
        ipvs.realServers(VIP);
        assertThat(ipvs.writeCount()).isZero();
        assertThat(ipvs.count(FakeIpvs.Call.SNAPSHOT)).isEqualTo(1);
        ipvs.apply(List.of(new IpvsOp.UpdateService(VirtualServer.of(VIP, "wrr"))));
        assertThat(ipvs.writeCount()).isEqualTo(1);
        assertThat(ipvs.appliedOps()).containsExactly(new IpvsOp.UpdateService(VirtualServer.of(VIP, "wrr")));
        assertErrno(() -> ipvs.deleteService(VIP6), Errno.ESRCH);
        assertThat(ipvs.writeCount()).isEqualTo(2);          // failed calls count too
        assertThat(ipvs.appliedOps()).hasSize(1);            // but were not applied
    }

    @Test
    void flushEmptiesTheTable() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.addRealServer(VIP, RS1);
        ipvs.flush();
        assertThat(ipvs.snapshot().size()).isZero();
        assertThat(ipvs.count(FakeIpvs.Call.FLUSH)).isEqualTo(1);
    }

    @Test
    void closedFakeRefusesCalls() {
        ipvs.close();
        assertErrno(ipvs::snapshot, Errno.EBADF);
        assertThat(ipvs.isClosed()).isTrue();
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t * 100;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        ipvs.addRealServer(VIP, RealServer.directRoute("10.1." + ((base + i) / 256) + "." + ((base + i) % 256), 80, 1));
                        ipvs.snapshot();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ipvs.realServers(VIP)).hasSize(800);
        assertThat(ipvs.count(FakeIpvs.Call.ADD_REAL_SERVER)).isEqualTo(800);
    }

    @Test
    void defaultSchedulersAreLinux61sAndTwosIsEnoent() {
        for (String name : FakeIpvs.LINUX_6_1_SCHEDULERS) {
            VirtualServerKey key = VirtualServerKey.tcp("198.18.0.100", 1000 + ipvs.services().size());
            ipvs.addService(VirtualServer.of(key, name));
        }
        assertThat(ipvs.services()).hasSize(13);
        assertErrno(() -> ipvs.addService(VirtualServer.of(VIP, "twos")), Errno.ENOENT);
        assertThat(ipvs.getService(VIP)).isEmpty();
        ipvs.addService(VirtualServer.of(VIP, "wlc"));
        assertErrno(() -> ipvs.updateService(VirtualServer.of(VIP, "twos")), Errno.ENOENT);
        assertThat(ipvs.getService(VIP).orElseThrow().spec().scheduler()).isEqualTo("wlc");
        // A batch refuses the op alone, with the same errno.
        BatchResult r = ipvs.apply(List.of(new IpvsOp.AddService(VirtualServer.of(VIP6, "twos")),
                new IpvsOp.AddService(VirtualServer.of(VIP6, "mh"))));
        assertThat(r.outcomes().get(0).error().errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.outcomes().get(1).ok()).isTrue();
        FakeIpvs newer = new FakeIpvs().withSchedulers(FakeIpvs.STOCK_SCHEDULERS);
        newer.addService(VirtualServer.of(VIP, "twos"));
        assertThat(newer.getService(VIP)).isPresent();
    }

    @Test
    void schedulerProbeAnswersFromTheSetAndChangesNothing() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.resetCounts();
        assertThat(ipvs.schedulerAvailable("rr")).contains(true);
        assertThat(ipvs.schedulerAvailable("mh")).contains(true);
        assertThat(ipvs.schedulerAvailable("twos")).contains(false);
        assertThat(ipvs.schedulerAvailable("nonsense")).contains(false);
        assertThat(new FakeIpvs().withSchedulers(Set.of("rr")).schedulerAvailable("wlc")).contains(false);
        assertThat(ipvs.writeCount()).isZero();
        assertThat(ipvs.services()).hasSize(1);
        assertThatThrownBy(() -> ipvs.schedulerAvailable("a-name-far-too-long"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nonUnicastRealServerIsEinvalAsIpVsNewDest() {
        ipvs.addService(VirtualServer.of(VIP, "rr"));
        ipvs.addService(VirtualServer.of(VIP6, "rr"));
        for (String bad : List.of("0.0.0.0", "255.255.255.255", "224.0.0.1", "239.255.255.255")) {
            assertErrno(() -> ipvs.addRealServer(VIP, RealServer.directRoute(bad, 80, 1)), Errno.EINVAL);
        }
        for (String bad : List.of("::", "ff02::1", "ff0e::1", "fe80::1", "febf::1")) {
            assertErrno(() -> ipvs.addRealServer(VIP6, RealServer.directRoute(bad, 80, 1)), Errno.EINVAL);
        }
        assertThat(ipvs.realServers(VIP)).isEmpty();
        assertThat(ipvs.realServers(VIP6)).isEmpty();
        // What inet_addr_type() calls local or unicast, and ipv6_addr_type() global unicast, is taken:
        // the kernel does not refuse loopback, class E, the rest of 0/8 (since 5.3) or site-local.
        for (String ok : List.of("127.0.0.1", "198.18.0.21", "240.0.0.1", "0.1.2.3")) {
            ipvs.addRealServer(VIP, RealServer.directRoute(ok, 80, 1));
        }
        for (String ok : List.of("::1", "2001:db8::21", "fec0::1", "fe00::1")) {
            ipvs.addRealServer(VIP6, RealServer.directRoute(ok, 80, 1));
        }
        assertThat(ipvs.realServers(VIP)).hasSize(4);
        assertThat(ipvs.realServers(VIP6)).hasSize(4);
        // In a batch the refused one fails alone.
        BatchResult r = ipvs.apply(List.of(new IpvsOp.AddRealServer(VIP, RealServer.directRoute("224.0.0.5", 80, 1)),
                new IpvsOp.AddRealServer(VIP, RealServer.directRoute("198.18.0.22", 80, 1))));
        assertThat(r.outcomes().get(0).error().errno()).isEqualTo(Errno.EINVAL);
        assertThat(r.outcomes().get(1).ok()).isTrue();
    }

    static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOf(IpvsException.class)
                .satisfies(e -> assertThat(((IpvsException) e).errnoName()).isEqualTo(Errno.name(errno)));
    }
}
