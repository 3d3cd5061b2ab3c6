package io.lvsdirector.core.ecmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.ipvs.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EcmpAnnouncerTest {

    /** An interface in memory that refuses what the kernel refuses (an address twice is fine: ip says "File exists"). */
    static final class FakeVips implements VipInterface {
        final Set<InetAddress> addrs = new LinkedHashSet<>();
        final List<String> calls = new ArrayList<>();
        boolean exists;
        boolean failAdds;
        int reads;

        @Override
        public void ensure() {
            exists = true;
            calls.add("ensure");
        }

        @Override
        public List<InetAddress> addresses() throws IOException {
            reads++;
            if (!exists) {
                throw new IOException("Device \"lvs-vips\" does not exist.");
            }
            return List.copyOf(addrs);
        }

        @Override
        public void add(InetAddress vip) throws IOException {
            if (failAdds) {
                throw new IOException("RTNETLINK answers: Operation not permitted");
            }
            calls.add("add " + IpAddresses.toText(vip));
            addrs.add(vip);
        }

        @Override
        public void remove(InetAddress vip) {
            calls.add("del " + IpAddresses.toText(vip));
            addrs.remove(vip);
        }

        @Override
        public String name() {
            return "lvs-vips";
        }
    }

    private static final InetAddress VIP = IpAddresses.parse("192.0.2.10");
    private final FakeVips vips = new FakeVips();
    private final AtomicReference<EcmpAnnouncer.Inputs> in = new AtomicReference<>(
            new EcmpAnnouncer.Inputs(null, List.of(new ServiceInput("web", VIP, "mh", true, false, false))));
    private final EcmpAnnouncer announcer = new EcmpAnnouncer(
            new EcmpSettings(List.of(VipRange.parse("192.0.2.0/24")), Duration.ofHours(1)), vips, null, in::get,
            Clock.systemUTC());

    @Test
    void announcesWhileServableWithdrawsWhenNotAndEverythingOnStop() {
        vips.exists = false;
        vips.addrs.add(IpAddresses.parse("192.0.2.99")); // left by a predecessor, no service now
        announcer.runOnce();
        assertThat(vips.addrs).containsExactly(VIP);
        assertThat(vips.calls).startsWith("ensure");
        assertThat(announcer.status().decisions().get(VIP).announced()).isTrue();
        assertThat(announcer.status().onInterface()).containsExactly(VIP);

        in.set(new EcmpAnnouncer.Inputs(null, List.of(new ServiceInput("web", VIP, "mh", true, false, true))));
        announcer.runOnce();
        assertThat(vips.addrs).isEmpty();
        assertThat(announcer.status().decisions().get(VIP).reason()).isEqualTo(Reason.BELOW_QUORUM);
        assertThat(announcer.transitions()).containsEntry("192.0.2.10|withdrawn", 1L)
                .containsEntry("192.0.2.10|announced", 1L);

        in.set(new EcmpAnnouncer.Inputs(null, List.of(new ServiceInput("web", VIP, "mh", true, false, false))));
        announcer.runOnce();
        assertThat(vips.addrs).containsExactly(VIP);

        announcer.close();
        assertThat(vips.addrs).isEmpty();
        assertThat(announcer.status().decisions().get(VIP)).isNull();
    }

    @Test
    void anInterfaceFailureIsInTheStatusAndTheNextRunRepairs() {
        vips.failAdds = true;
        announcer.runOnce();
        assertThat(announcer.status().lastError()).contains("Operation not permitted");
        assertThat(vips.addrs).isEmpty();
        vips.failAdds = false;
        announcer.runOnce();
        assertThat(announcer.status().lastError()).isNull();
        assertThat(vips.addrs).containsExactly(VIP);
    }

    @Test
    void aRunAfterAPassTrustsItsLastViewAndTheNextReadRepairs() {
        announcer.runOnce(true);
        int reads = vips.reads;
        in.set(new EcmpAnnouncer.Inputs(null, List.of(new ServiceInput("web", VIP, "mh", true, false, true))));
        announcer.runOnce(false);
        assertThat(vips.addrs).isEmpty();
        assertThat(vips.reads).as("a withdrawal after a pass runs one ip process, no reads").isEqualTo(reads);
        assertThat(announcer.status().onInterface()).isEmpty();
        in.set(new EcmpAnnouncer.Inputs(null, List.of(new ServiceInput("web", VIP, "mh", true, false, false))));
        announcer.runOnce(false);
        vips.addrs.clear(); // by hand, behind the announcer's back
        announcer.runOnce(false);
        assertThat(vips.addrs).as("not seen without a read").isEmpty();
        announcer.runOnce(true);
        assertThat(vips.addrs).containsExactly(VIP);
    }

    @Test
    void anAddressRemovedByHandComesBack() {
        announcer.runOnce();
        vips.addrs.clear();
        announcer.runOnce();
        assertThat(vips.addrs).containsExactly(VIP);
    }
}
