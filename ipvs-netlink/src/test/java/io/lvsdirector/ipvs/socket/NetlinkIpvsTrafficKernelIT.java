package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.IpvsSnapshot;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerStatus;
import io.lvsdirector.ipvs.Stats;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.lab.Ipvsadm;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counters under real traffic: the lab's client sends HTTP requests through a direct-routing service
 * on director {@code dir1} to two nginx real servers, and the counters read over netlink must move,
 * agree with {@code ipvsadm --stats} / {@code --rate} / the connection columns, and reset on zero.
 */
@Tag("kernel")
class NetlinkIpvsTrafficKernelIT {

    private static final int REQUESTS = 20;
    private static Topology topo;
    private static NetlinkIpvs ipvs;
    private static final VirtualServerKey SERVICE = VirtualServerKey.tcp(Lab.VIP, 80);

    @BeforeAll
    static void topology() {
        topo = Lab.up(1, 2);
        ipvs = NetlinkIpvs.open("dir1");
        ipvs.addService(VirtualServer.of(SERVICE, "rr"));
        ipvs.addRealServer(SERVICE, RealServer.directRoute(Topology.realServer(1), 80, 1));
        ipvs.addRealServer(SERVICE, RealServer.directRoute(Topology.realServer(2), 80, 1));
    }

    @AfterAll
    static void down() {
        if (ipvs != null) {
            ipvs.flush();
            ipvs.close();
        }
        if (topo != null) {
            topo.close();
        }
    }

    @Test
    void countersMoveUnderTrafficAgreeWithIpvsadmAndZero() throws Exception {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            answers.add(topo.get("http://" + Lab.VIP + "/"));
        }
        assertThat(answers).containsOnly("rs1", "rs2").contains("rs1", "rs2");

        // The kernel sums its per-CPU counters into the totals it reports on the estimator's 2-second tick.
        awaitServiceStats(s -> s.conns() == REQUESTS);
        IpvsSnapshot snap = ipvs.snapshot();
        Stats svc = snap.service(SERVICE).orElseThrow().stats();
        assertThat(svc.conns()).isEqualTo(REQUESTS);
        assertThat(svc.inPkts()).isGreaterThanOrEqualTo(REQUESTS * 4L); // SYN, ACK, request, FIN at least
        assertThat(svc.inBytes()).isGreaterThan(svc.inPkts() * 40);
        // Direct routing: the replies go straight from the real servers to the client.
        assertThat(svc.outPkts()).isZero();
        assertThat(svc.outBytes()).isZero();
        List<RealServerStatus> rs = snap.realServers(SERVICE);
        assertThat(rs).extracting(r -> r.stats().conns()).containsOnly((long) REQUESTS / 2);
        // Closed connections linger as inactive entries until their FIN_WAIT/TIME_WAIT timers end.
        assertThat(rs.stream().mapToLong(r -> r.activeConns() + r.inactiveConns()).sum()).isPositive();

        // The same counters, as ipvsadm reads them (no traffic in between, so exactly equal).
        Map<String, long[]> stats = columns(Ipvsadm.lines(dir1("ipvsadm", "-Ln", "--stats", "--exact")));
        assertThat(stats.get("TCP " + Lab.VIP + ":80"))
                .containsExactly(svc.conns(), svc.inPkts(), svc.outPkts(), svc.inBytes(), svc.outBytes());
        for (RealServerStatus r : rs) {
            Stats s = r.stats();
            assertThat(stats.get("-> " + r.key()))
                    .containsExactly(s.conns(), s.inPkts(), s.outPkts(), s.inBytes(), s.outBytes());
        }
        Map<String, long[]> conns = columns(Ipvsadm.lines(dir1("ipvsadm", "-Ln")));
        for (RealServerStatus r : rs) {
            long[] c = conns.get("-> " + r.key());
            // Route WEIGHT ACTIVE INACTIVE: the counts may tick between the two reads only if a timer ends.
            assertThat(c[1]).isEqualTo(r.activeConns());
            assertThat(c[2]).isEqualTo(r.inactiveConns());
        }

        assertRatesAgreeWithIpvsadm();

        // Let the estimator fold the last requests' per-CPU counts into the totals, or they would surface
        // after the zero.
        Thread.sleep(2500);
        ipvs.zero(SERVICE);
        Stats zeroed = ipvs.snapshot().service(SERVICE).orElseThrow().stats();
        assertThat(zeroed.conns()).isZero();
        assertThat(zeroed.inPkts()).isZero();
        assertThat(ipvs.realServers(SERVICE)).allSatisfy(r -> assertThat(r.stats().conns()).isZero());
        assertThat(columns(Ipvsadm.lines(dir1("ipvsadm", "-Ln", "--stats", "--exact")))
                .get("TCP " + Lab.VIP + ":80")).containsExactly(0, 0, 0, 0, 0);

        assertThat(topo.get("http://" + Lab.VIP + "/")).isIn("rs1", "rs2");
        awaitServiceStats(s -> s.conns() == 1);
        Thread.sleep(2500);
        ipvs.zeroAll();
        Stats all = awaitServiceStats(s -> s.conns() == 0);
        assertThat(all.conns()).isZero();
        assertThat(all.inPkts()).isZero();
    }

    /**
     * The kernel's rate estimator ticks every 2 s; a reading by ipvsadm between two of ours must lie between
     * them. Traffic is kept going so the rates are not zero.
     */
    private void assertRatesAgreeWithIpvsadm() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        Stats before;
        do {
            for (int i = 0; i < 10; i++) {
                topo.get("http://" + Lab.VIP + "/");
            }
            before = ipvs.getService(SERVICE).orElseThrow().stats();
        } while (before.cps() == 0 && System.nanoTime() < deadline);
        assertThat(before.cps()).as("the estimator saw connections").isPositive();
        assertThat(before.inPps()).isPositive();
        assertThat(before.outPps()).isZero();

        long[] theirs = columns(Ipvsadm.lines(dir1("ipvsadm", "-Ln", "--rate", "--exact")))
                .get("TCP " + Lab.VIP + ":80");
        Stats after = ipvs.getService(SERVICE).orElseThrow().stats();
        long[] lo = {before.cps(), before.inPps(), before.outPps(), before.inBps(), before.outBps()};
        long[] hi = {after.cps(), after.inPps(), after.outPps(), after.inBps(), after.outBps()};
        for (int i = 0; i < 5; i++) {
            assertThat(theirs[i]).as("rate column %d", i)
                    .isBetween(Math.min(lo[i], hi[i]), Math.max(lo[i], hi[i]));
        }
    }

    /** Polls the service's counters until they satisfy {@code done}, for at most three estimator ticks. */
    private static Stats awaitServiceStats(java.util.function.Predicate<Stats> done) throws InterruptedException {
        long deadline = System.nanoTime() + 6_500_000_000L;
        Stats s = ipvs.getService(SERVICE).orElseThrow().stats();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            s = ipvs.getService(SERVICE).orElseThrow().stats();
        }
        assertThat(done.test(s)).as("service counters reached the expected state: %s", s).isTrue();
        return s;
    }

    private static String dir1(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", "dir1"));
        full.addAll(List.of(cmd));
        return Lab.check(full.toArray(String[]::new));
    }

    /**
     * ipvsadm's numeric rows by their first fields: {@code "TCP 198.18.0.100:80" -> [conns, inpkts ...]},
     * {@code "-> 198.18.0.21:80" -> [...]}; for plain {@code -Ln} rows, the numbers after the method name.
     */
    private static Map<String, long[]> columns(List<String> lines) {
        Map<String, long[]> out = new HashMap<>();
        for (String l : lines) {
            String[] f = l.split(" ");
            if (f.length < 3 || !(f[0].equals("->") || f[0].equals("TCP"))) {
                continue;
            }
            List<Long> nums = new ArrayList<>();
            for (int i = 2; i < f.length; i++) {
                if (f[i].matches("[0-9]+")) {
                    nums.add(Long.parseLong(f[i]));
                }
            }
            out.put(f[0] + " " + f[1], nums.stream().mapToLong(Long::longValue).toArray());
        }
        return out;
    }
}
