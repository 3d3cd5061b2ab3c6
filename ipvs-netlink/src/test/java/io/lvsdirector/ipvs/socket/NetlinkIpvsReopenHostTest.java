package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.BatchResult;
import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.IpvsOp;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The recovery of {@link NetlinkIpvs} on the build host, whose kernel has generic netlink but no
 * IPVS: exactly the state after {@code rmmod ip_vs}. A real socket, a fake clock for the backoff.
 * (The lab's {@code NetlinkIpvsReopenKernelIT} shows the same instance working again after ip_vs
 * is loaded back.)
 */
class NetlinkIpvsReopenHostTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private NetlinkIpvs ipvs;

    @BeforeEach
    void open() {
        assumeThat(Files.exists(Path.of("/proc/net/ip_vs"))).as("host kernel has no IPVS").isFalse();
        ipvs = NetlinkIpvs.openLazily(NetlinkOptions.defaults(), AckPolicy.LAST_OF_SEND, nanos::get);
    }

    @AfterEach
    void close() {
        if (ipvs != null) {
            ipvs.close();
        }
    }

    private void advanceMillis(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** The delay the instance announces before its next attempt, from a failing call's message. */
    private long backingOffMillis() {
        try {
            ipvs.services();
        } catch (IpvsException e) {
            assertThat(e.errno()).isEqualTo(Errno.ENOENT);
            String m = e.getMessage();
            assertThat(m).contains("backing off");
            return Long.parseLong(m.replaceAll(".*next attempt in (\\d+) ms.*", "$1"));
        }
        throw new AssertionError("the call succeeded without IPVS");
    }

    @Test
    void aMissingFamilyIsTriedAgainWithDoublingBackoffOnOneSocket() {
        NetlinkConnection socket = ipvs.connection();
        int port = socket.portId();
        // The first attempt asks the kernel, and says what is missing.
        assertThatThrownBy(ipvs::services).isInstanceOfSatisfying(IpvsException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.ENOENT);
            assertThat(e.getMessage()).contains("ip_vs module").doesNotContain("backing off");
        });
        assertThat(ipvs.familyId()).isEqualTo(-1);

        // Then it waits 100 ms, 200 ms, ... up to 10 s between attempts, failing fast in between.
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long wait = backingOffMillis();
            delays.add(wait);
            advanceMillis(wait - 1);
            assertThat(backingOffMillis()).isEqualTo(1);
            advanceMillis(1);
            assertThatThrownBy(ipvs::services).isInstanceOfSatisfying(IpvsException.class,
                    e -> assertThat(e.getMessage()).doesNotContain("backing off"));
        }
        assertThat(delays).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 10_000L, 10_000L, 10_000L);
        // A missing family is not a broken socket: the same one stayed in use.
        assertThat(ipvs.connection()).isSameAs(socket);
        assertThat(socket.portId()).isEqualTo(port);
        assertThat(socket.isOpen()).isTrue();
    }

    @Test
    void aBatchWhileDownIsNotAttemptedAndKeepsTheErrno() {
        assertThatThrownBy(ipvs::services).isInstanceOf(IpvsException.class);
        List<IpvsOp> ops = List.of(new IpvsOp.AddService(VirtualServer.of(VirtualServerKey.tcp("10.0.0.1", 80), "rr")));
        BatchResult r = ipvs.apply(ops);
        assertThat(r.outcomes()).hasSize(1);
        assertThat(r.outcomes().get(0).status()).isEqualTo(BatchResult.Status.NOT_ATTEMPTED);
        assertThat(r.outcomes().get(0).error().errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.outcomes().get(0).error().getMessage()).contains("backing off");
    }

    @Test
    void aSocketClosedUnderItIsReplacedByANewOneAndTheOldOneIsClosedFirst() throws Exception {
        NetlinkConnection first = ipvs.connection();
        assertThatThrownBy(ipvs::services).isInstanceOf(IpvsException.class);
        advanceMillis(100);
        // Something closes the descriptor under the connection.
        LibC.close(first.fd());
        assertThatThrownBy(ipvs::services).isInstanceOfSatisfying(IpvsException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
        assertThat(ipvs.connection()).isNull();
        assertThat(first.isOpen()).isFalse();

        // The next attempt (after the backoff) opens a new socket; IPVS is still missing, so ENOENT.
        advanceMillis(10_000);
        assertThatThrownBy(ipvs::services).isInstanceOfSatisfying(IpvsException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.ENOENT);
            assertThat(e.getMessage()).contains("ip_vs module");
        });
        NetlinkConnection second = ipvs.connection();
        assertThat(second).isNotNull().isNotSameAs(first);
        assertThat(second.isOpen()).isTrue();
        // It answers: the controller resolves a family every kernel has.
        assertThat(second.family("nlctrl").id()).isEqualTo(0x10);
    }

    @Test
    void noReopenAfterClose() {
        NetlinkConnection socket = ipvs.connection();
        ipvs.close();
        advanceMillis(60_000);
        assertThatThrownBy(ipvs::services).isInstanceOfSatisfying(IpvsException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
        assertThat(ipvs.connection()).isSameAs(socket);
        assertThat(socket.isOpen()).isFalse();
    }
}
