package io.lvsdirector.ipvs.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.FakeIpvs;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.ipvs.wire.IpvsCodec;
import io.lvsdirector.lab.Ipvsadm;
import io.lvsdirector.lab.Lab;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the running kernel (the lab's: Debian 12's schedulers, {@code ip_vs_twos} never loaded) answers
 * to the scheduler probe and to non-unicast real servers, and that {@link FakeIpvs} answers the same.
 *
 * <p>The probe is {@code IPVS_CMD_NEW_SERVICE} for an IPv6 service with persistence prefix 129:
 * {@code ip_vs_add_service()} looks the scheduler up before it checks the prefix, so ENOENT means
 * "no such scheduler", EINVAL "it is there", and nothing is added either way.
 */
@Tag("kernel")
class SchedulerProbeKernelIT {

    private static final String NS = "schedit" + ProcessHandle.current().pid();
    private static NetlinkIpvs ipvs;

    @BeforeAll
    static void namespace() {
        Lab.requireKernel();
        Lab.check("ip", "netns", "add", NS);
        Lab.check("ip", "-n", NS, "link", "set", "lo", "up");
        ipvs = NetlinkIpvs.open(NS);
    }

    @AfterAll
    static void dropNamespace() {
        if (ipvs != null) {
            ipvs.close();
        }
        Lab.run(30, List.of("ip", "netns", "del", NS));
    }

    @AfterEach
    void clean() {
        ipvs.flush();
    }

    @Test
    void probeTellsLoadedFromMissingAndLeavesTheTableAlone() {
        // A table with both families in it, so the probe meets registered hooks as in production.
        ipvsadm("-A", "-t", "198.18.0.100:80", "-s", "wlc");
        ipvsadm("-a", "-t", "198.18.0.100:80", "-r", "198.18.0.21:80", "-g", "-w", "3");
        ipvsadm("-A", "-t", "[2001:db8::100]:443", "-s", "mh", "-b", "mh-port");
        ipvsadm("-A", "-u", "198.18.0.100:53", "-s", "rr", "-p", "60");
        String before = ipvsadm("-Ln");
        String savedBefore = ipvsadm("-Sn");

        for (String name : FakeIpvs.LINUX_6_1_SCHEDULERS) {
            assertThat(ipvs.schedulerAvailable(name)).as(name).contains(true);
        }
        assertThat(ipvs.schedulerAvailable("twos")).as("twos: Linux 6.2+, not loaded in the lab").contains(false);
        assertThat(ipvs.schedulerAvailable("nonsense")).contains(false);

        assertThat(ipvsadm("-Ln")).isEqualTo(before);
        assertThat(ipvsadm("-Sn")).isEqualTo(savedBefore);
        assertThat(ipvsadm("-Ln")).doesNotContain("2001:db8:ffff:ffff::5c4e");
    }

    @Test
    void probeIntoAnEmptyTableAddsNothing() {
        assertThat(ipvs.schedulerAvailable("rr")).contains(true);
        assertThat(ipvs.schedulerAvailable("twos")).contains(false);
        assertThat(ipvs.services()).isEmpty();
        assertThat(Ipvsadm.lines(ipvsadm("-Ln"))).hasSize(3); // the three header lines only
    }

    @Test
    void probeKeyTakenIsUnknownNotAnAnswer() {
        // Someone holds the probe's own key: the kernel answers EEXIST before it looks at the scheduler.
        VirtualServerKey k = IpvsCodec.SCHEDULER_PROBE_KEY;
        ipvsadm("-A", "-t", "[2001:db8:ffff:ffff::5c4e]:" + k.port(), "-s", "rr");
        String before = ipvsadm("-Ln");
        assertThat(ipvs.schedulerAvailable("twos")).isEqualTo(Optional.empty());
        assertThat(ipvs.schedulerAvailable("rr")).isEqualTo(Optional.empty());
        assertThat(ipvsadm("-Ln")).isEqualTo(before);
    }

    @Test
    void nonUnicastRealServersAreEinvalHereAndInTheFake() {
        VirtualServerKey v4 = VirtualServerKey.tcp("198.18.0.100", 80);
        VirtualServerKey v6 = VirtualServerKey.tcp("2001:db8::100", 80);
        FakeIpvs fake = new FakeIpvs();
        for (var target : List.of(ipvs, fake)) {
            target.addService(VirtualServer.of(v4, "rr"));
            target.addService(VirtualServer.of(v6, "rr"));
        }
        List<String> refused4 = List.of("0.0.0.0", "224.0.0.1", "239.1.2.3", "255.255.255.255");
        List<String> refused6 = List.of("::", "ff02::1", "fe80::1");
        // 6.1 takes the rest of 0.0.0.0/8 (unicast since 5.3), loopback and class E; the API refuses
        // the first two itself.
        List<String> taken4 = List.of("127.0.0.1", "198.18.0.21", "240.0.0.1", "0.1.2.3");
        List<String> taken6 = List.of("::1", "2001:db8::21");
        for (String a : refused4) {
            assertThat(errno(() -> ipvs.addRealServer(v4, RealServer.directRoute(a, 80, 1)))).as(a).isEqualTo(Errno.EINVAL);
            assertThat(errno(() -> fake.addRealServer(v4, RealServer.directRoute(a, 80, 1)))).as(a).isEqualTo(Errno.EINVAL);
        }
        for (String a : refused6) {
            assertThat(errno(() -> ipvs.addRealServer(v6, RealServer.directRoute(a, 80, 1)))).as(a).isEqualTo(Errno.EINVAL);
            assertThat(errno(() -> fake.addRealServer(v6, RealServer.directRoute(a, 80, 1)))).as(a).isEqualTo(Errno.EINVAL);
        }
        for (String a : taken4) {
            ipvs.addRealServer(v4, RealServer.directRoute(a, 80, 1));
            fake.addRealServer(v4, RealServer.directRoute(a, 80, 1));
        }
        for (String a : taken6) {
            ipvs.addRealServer(v6, RealServer.directRoute(a, 80, 1));
            fake.addRealServer(v6, RealServer.directRoute(a, 80, 1));
        }
        assertThat(ipvs.realServers(v4)).hasSize(taken4.size());
        assertThat(ipvs.realServers(v6)).hasSize(taken6.size());
        assertThat(fake.realServers(v4)).hasSize(taken4.size());
        assertThat(fake.realServers(v6)).hasSize(taken6.size());
    }

    private static int errno(Runnable r) {
        try {
            r.run();
        } catch (IpvsException e) {
            return e.errno();
        }
        return 0;
    }

    static String ipvsadm(String... args) {
        return Lab.ipvsadm(NS, args);
    }
}
