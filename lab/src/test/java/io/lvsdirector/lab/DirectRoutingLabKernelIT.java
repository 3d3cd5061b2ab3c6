package io.lvsdirector.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proves the lab: a DR virtual service made by hand with {@code ipvsadm} in the director namespace sends the
 * client's requests to every nginx real server, and the replies bypass the director (OutPkts = 0).
 * If the real servers did not hold the VIP, or answered ARP for it, this fails.
 */
@Tag("kernel")
class DirectRoutingLabKernelIT {

    private static final int REAL_SERVERS = 3;
    private static Topology lab;

    @BeforeAll
    static void up() {
        lab = Lab.up(1, REAL_SERVERS);
        lab.ipvsadm("dir1", "-A", "-t", Lab.VIP + ":80", "-s", "rr");
        for (int i = 1; i <= REAL_SERVERS; i++) {
            lab.ipvsadm("dir1", "-a", "-t", Lab.VIP + ":80", "-r", Topology.realServer(i) + ":80", "-g", "-w", "1");
        }
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void requestsThroughTheVipReachEveryRealServerAndRepliesGoDirect() {
        int requests = 12;
        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            String body = lab.get("http://" + Lab.VIP + "/");
            answers.merge(body == null ? "<failed>" : body, 1, Integer::sum);
        }
        // Round robin over 3 servers, 12 fresh connections: each server exactly 4, no failures.
        assertThat(answers).containsOnlyKeys("rs1", "rs2", "rs3");
        assertThat(answers.values()).containsOnly(4);

        // The kernel folds its per-CPU counters into what ipvsadm reads every 2 s (the rate estimator's
        // timer), so the counters lag the traffic: poll for up to 6 s.
        long[] counters = serviceCounters();
        long deadline = System.nanoTime() + 6_000_000_000L;
        while (counters[0] < requests && System.nanoTime() < deadline) {
            sleep(250);
            counters = serviceCounters();
        }
        long conns = counters[0];
        long inPkts = counters[1];
        long outPkts = counters[2];
        assertThat(conns).isEqualTo(requests);
        assertThat(inPkts).isGreaterThanOrEqualTo(requests * 3L);
        // Direct return: the director never saw a reply packet.
        assertThat(outPkts).as("OutPkts (replies through the director)").isZero();
    }

    /** Conns, InPkts, OutPkts of the VIP's service, from {@code ipvsadm -Ln --stats --exact}. */
    private static long[] serviceCounters() {
        String stats = lab.ipvsadm("dir1", "-Ln", "--stats", "--exact");
        Matcher m = Pattern.compile("TCP\\s+" + Pattern.quote(Lab.VIP) + ":80\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)")
                .matcher(stats);
        assertThat(m.find()).as("service line in:%n%s", stats).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void theDirectorAloneAnswersArpForTheVip() {
        lab.exec("client", "ip", "neigh", "flush", "all").orThrow();
        assertThat(lab.get("http://" + Lab.VIP + "/")).startsWith("rs");
        String neigh = lab.exec("client", "ip", "neigh", "show", Lab.VIP).orThrow().stdout();
        String dirMac = lab.exec("dir1", "cat", "/sys/class/net/eth0/address").orThrow().stdout().strip();
        assertThat(neigh).as("client's ARP entry for the VIP").contains(dirMac);
    }
}
