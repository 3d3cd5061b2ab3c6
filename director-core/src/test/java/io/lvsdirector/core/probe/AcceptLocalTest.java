package io.lvsdirector.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The timeout reason of a probe via a VIP that this director holds while accept_local is off. */
class AcceptLocalTest {

    @TempDir
    Path conf;

    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger localReads = new AtomicInteger();

    private void set(String iface, String value) throws Exception {
        Files.createDirectories(conf.resolve(iface));
        Files.writeString(conf.resolve(iface).resolve("accept_local"), value + "\n");
    }

    private AcceptLocal acceptLocal(boolean vipIsLocal) {
        return new AcceptLocal(conf, () -> {
            localReads.incrementAndGet();
            return vipIsLocal ? java.util.Set.of(VIP) : java.util.Set.of();
        }, clock::get);
    }

    private static final InetAddress VIP = ip("198.18.0.100");

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void offEverywhereOnAVipWeHoldIsCertain() throws Exception {
        set("all", "0");
        set("default", "0");
        set("eth0", "0");
        set("lo", "0");
        assertThat(acceptLocal(true).dropsAnswersFrom(VIP)).isTrue();
        // The VRRP backup: the VIP is not ours, so the node is what to look at.
        assertThat(acceptLocal(false).dropsAnswersFrom(VIP)).isFalse();
    }

    @Test
    void onForAllOrForAnyInterfaceIsNotCertain() throws Exception {
        set("all", "1");
        set("eth0", "0");
        assertThat(acceptLocal(true).dropsAnswersFrom(VIP)).as("all=1").isFalse();
    }

    @Test
    void oneInterfaceOnMayBeTheOneTheAnswersArriveOn() throws Exception {
        set("all", "0");
        set("eth0", "0");
        set("eth1", "1");
        assertThat(acceptLocal(true).dropsAnswersFrom(VIP)).isFalse();
    }

    @Test
    void anUnreadableProcOrAnIpv6VipSaysNothing() throws Exception {
        AcceptLocal none = new AcceptLocal(conf.resolve("missing"), () -> java.util.Set.of(VIP), clock::get);
        assertThat(none.dropsAnswersFrom(VIP)).isFalse();
        set("eth0", "0"); // no "all": not a sysctl tree we know
        assertThat(acceptLocal(true).dropsAnswersFrom(VIP)).isFalse();
        set("all", "0");
        assertThat(acceptLocal(true).dropsAnswersFrom(ip("2001:db8::100"))).isFalse();
    }

    @Test
    void factsAreReadAtMostOncePerTtlAndAFixShowsAfterIt() throws Exception {
        set("all", "0");
        set("eth0", "0");
        AcceptLocal al = acceptLocal(true);
        for (int i = 0; i < 1000; i++) {
            assertThat(al.dropsAnswersFrom(VIP)).isTrue();
        }
        assertThat(localReads).hasValue(1);
        set("all", "1");
        clock.addAndGet(AcceptLocal.TTL_NANOS / 2);
        assertThat(al.dropsAnswersFrom(VIP)).isTrue();
        clock.addAndGet(AcceptLocal.TTL_NANOS);
        assertThat(al.dropsAnswersFrom(VIP)).isFalse();
        assertThat(localReads).hasValue(2);
    }

    @Test
    void theTimeoutReasonNamesTheSysctlOnlyWhenItIsTheCause() throws Exception {
        set("all", "0");
        set("eth0", "0");
        ProbeTarget t = ProbeTarget.of(ip("198.18.0.21"), HealthCheck.http().withPort(8080).withVia(HealthCheck.Via.VIP),
                VIP);
        assertThat(ViaVip.reason(t, "timeout", acceptLocal(true))).isEqualTo("no answer via VIP 198.18.0.100:8080 "
                + "(timeout: this director holds the VIP and net.ipv4.conf.*.accept_local is 0, so the answers are "
                + "dropped as martians; set net.ipv4.conf.all.accept_local=1)");
        assertThat(ViaVip.reason(t, "timeout", acceptLocal(false)))
                .isEqualTo("no answer via VIP 198.18.0.100:8080 (timeout: is the VIP on the node's lo?)");
        assertThat(ViaVip.reason(t, "connect refused", acceptLocal(true))).startsWith("refused via VIP");
    }
}
