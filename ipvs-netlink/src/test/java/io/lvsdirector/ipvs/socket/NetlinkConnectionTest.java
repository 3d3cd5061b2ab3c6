package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.wire.AttrWriter;
import io.lvsdirector.ipvs.wire.NetlinkCodec.Frame;
import io.lvsdirector.ipvs.wire.NetlinkCodec.GenlFamilyInfo;
import io.lvsdirector.ipvs.wire.NetlinkConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The socket layer against the build host's real kernel, through the generic-netlink controller
 * ({@code nlctrl}), which every Linux kernel has. No IPVS needed.
 */
class NetlinkConnectionTest {

    private NetlinkConnection conn;

    @BeforeEach
    void open() throws Exception {
        conn = NetlinkConnection.open();
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void kernelAssignsDistinctPortIds() throws Exception {
        try (NetlinkConnection other = NetlinkConnection.open()) {
            assertThat(conn.portId()).isNotZero();
            assertThat(other.portId()).isNotZero().isNotEqualTo(conn.portId());
        }
    }

    @Test
    void resolvesTheControllerItself() throws Exception {
        GenlFamilyInfo ctrl = conn.family("nlctrl");
        assertThat(ctrl.id()).isEqualTo(NetlinkConstants.GENL_ID_CTRL);
        assertThat(ctrl.name()).isEqualTo("nlctrl");
        assertThat(ctrl.version()).isPositive();
        // Cached: the same instance comes back without asking the kernel.
        assertThat(conn.family("nlctrl")).isSameAs(ctrl);
    }

    @Test
    void unknownFamilyIsATypedEnoent() {
        assertThatThrownBy(() -> conn.family("no-such-family"))
                .isInstanceOfSatisfying(GenlFamilyNotFoundException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.family()).isEqualTo("no-such-family");
                });
    }

    @Test
    void ipvsIsNotFoundOnAHostWithoutIpvs() {
        assumeThat(Files.exists(Path.of("/proc/net/ip_vs"))).as("host kernel has no IPVS").isFalse();
        assertThatThrownBy(() -> conn.family("IPVS"))
                .isInstanceOf(GenlFamilyNotFoundException.class)
                .hasMessageContaining("ENOENT")
                .hasMessageContaining("IPVS");
    }

    @Test
    void dumpOfAllFamiliesIsMultiPartAndComplete() throws Exception {
        List<Frame> parts = conn.dump(getFamily(null));
        assertThat(parts).hasSizeGreaterThan(1);
        assertThat(parts).allSatisfy(m -> {
            assertThat(m.flags() & NetlinkConstants.NLM_F_MULTI).isNotZero();
            assertThat(m.type()).isEqualTo(NetlinkConstants.GENL_ID_CTRL);
            assertThat(m.portId()).isEqualTo(conn.portId());
        });
        List<String> names = new ArrayList<>();
        for (GenlFamilyInfo f : conn.families()) {
            names.add(f.name());
        }
        assertThat(names).contains("nlctrl").doesNotHaveDuplicates().hasSize(parts.size());
        // Each family the dump listed resolves by name to the same id: the dump was read whole and in step.
        for (GenlFamilyInfo f : conn.families()) {
            assertThat(conn.family(f.name()).id()).isEqualTo(f.id());
        }
    }

    @Test
    void connectionStaysInStepAcrossManyExchanges() throws Exception {
        for (int i = 0; i < 200; i++) {
            assertThat(conn.family("nlctrl").id()).isEqualTo(NetlinkConstants.GENL_ID_CTRL);
            assertThat(conn.request(getFamily("nlctrl"))).hasSize(1);
            assertThat(conn.dump(getFamily(null))).isNotEmpty();
        }
    }

    @Test
    void badRequestKeepsEinval() {
        // CTRL_CMD_GETFAMILY names neither an id nor a name: ctrl_getfamily() answers -EINVAL.
        assertThatThrownBy(() -> conn.request(NetlinkRequest.genl(NetlinkConstants.GENL_ID_CTRL, NetlinkConstants.CTRL_CMD_GETFAMILY, 1,
                new byte[0], "getfamily without attributes")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                    assertThat(e.operation()).isEqualTo("getfamily without attributes");
                    assertThat(e.getMessage()).startsWith("getfamily without attributes: EINVAL (22)");
                });
    }

    @Test
    void policyViolationBringsExtendedAckText() {
        // CTRL_ATTR_FAMILY_ID is a u16; one byte fails the controller's attribute policy, and with
        // NETLINK_EXT_ACK the kernel says so in words.
        AttrWriter attrs = new AttrWriter().bytes(NetlinkConstants.CTRL_ATTR_FAMILY_ID, new byte[]{1});
        assertThatThrownBy(() -> conn.request(NetlinkRequest.genl(NetlinkConstants.GENL_ID_CTRL, NetlinkConstants.CTRL_CMD_GETFAMILY, 1,
                attrs.toByteArray(), "short family id")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    // Kernels since 5.x say ERANGE for a too-short attribute, older ones EINVAL.
                    assertThat(e.errno()).isIn(Errno.ERANGE, Errno.EINVAL);
                    assertThat(e.extAck()).hasValueSatisfying(text -> assertThat(text).containsIgnoringCase("policy"));
                    assertThat(e.getMessage()).contains(e.extAck().orElseThrow());
                });
    }

    @Test
    void unknownFamilyIdIsRefusedByTheKernel() {
        assertThatThrownBy(() -> conn.request(NetlinkRequest.genl(0xfff0, 1, 1, new byte[0], "to nobody")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void batchReportsEachOutcomeInPlaceWithEitherAckPolicy() throws Exception {
        for (AckPolicy policy : AckPolicy.values()) {
            List<NetlinkRequest> batch = List.of(
                    getFamily("nlctrl"),
                    getFamily(null),
                    getFamily("no-such-family"),
                    getFamily("nlctrl"),
                    getFamily("no-such-family"));
            BatchOutcome out = conn.batch(batch, policy);
            assertThat(out.transportFailure()).isNull();
            assertThat(out.results()).extracting(BatchOutcome.Result::status).containsExactly(
                    BatchOutcome.Status.DONE, BatchOutcome.Status.FAILED, BatchOutcome.Status.FAILED,
                    BatchOutcome.Status.DONE, BatchOutcome.Status.FAILED);
            assertThat(out.results()).extracting(BatchOutcome.Result::errno).containsExactly(
                    0, Errno.EINVAL, Errno.ENOENT, 0, Errno.ENOENT);
            assertThat(out.allOk()).isFalse();
            assertThat(out.problems()).extracting(BatchOutcome.Result::index).containsExactly(1, 2, 4);
            // And the connection is in step afterwards.
            assertThat(conn.family("nlctrl").id()).isEqualTo(NetlinkConstants.GENL_ID_CTRL);
        }
    }

    @Test
    void largeBatchOverManySendsKeepsEveryOutcome() throws Exception {
        // 5,000 requests, small sends (at most 64 messages): about 80 sends. Every 7th fails with ENOENT, every 11th
        // with EINVAL (both when divisible by 77: the EINVAL request wins); the rest succeed. A lost or
        // shifted answer would put an errno on the wrong index.
        try (NetlinkConnection small = NetlinkConnection.open(NetlinkOptions.defaults().withMaxSend(4096, 64))) {
            List<NetlinkRequest> batch = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                if (i % 11 == 0) {
                    batch.add(getFamily(null));
                } else if (i % 7 == 0) {
                    // GENL_NAMSIZ is 16 with the NUL: longer names are EINVAL, not ENOENT.
                    batch.add(getFamily("nofam-" + i));
                } else {
                    batch.add(getFamily("nlctrl"));
                }
            }
            for (AckPolicy policy : AckPolicy.values()) {
                BatchOutcome out = small.batch(batch, policy);
                assertThat(out.transportFailure()).isNull();
                assertThat(out.results()).hasSize(5000);
                for (BatchOutcome.Result r : out.results()) {
                    int expected = r.index() % 11 == 0 ? Errno.EINVAL : r.index() % 7 == 0 ? Errno.ENOENT : 0;
                    assertThat(r.errno()).as("errno of request %d with %s", r.index(), policy).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void batchOfOnlyFailuresInOneSendFitsTheReceiveQueue() throws Exception {
        List<NetlinkRequest> batch = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            batch.add(getFamily(null));
        }
        BatchOutcome out = conn.batch(batch, AckPolicy.LAST_OF_SEND);
        assertThat(out.transportFailure()).isNull();
        assertThat(out.results()).allSatisfy(r -> assertThat(r.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void emptyBatchIsEmpty() {
        BatchOutcome out = conn.batch(List.of(), AckPolicy.LAST_OF_SEND);
        assertThat(out.results()).isEmpty();
        assertThat(out.allOk()).isTrue();
    }

    @Test
    void oversizedRequestIsRefusedBeforeSending() {
        NetlinkRequest huge = NetlinkRequest.genl(NetlinkConstants.GENL_ID_CTRL, NetlinkConstants.CTRL_CMD_GETFAMILY, 1,
                new byte[NetlinkOptions.defaults().maxSendBytes()], "huge");
        assertThatThrownBy(() -> conn.request(huge))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EMSGSIZE));
        BatchOutcome out = conn.batch(List.of(getFamily("nlctrl"), huge, getFamily("nlctrl")), AckPolicy.LAST_OF_SEND);
        assertThat(out.results()).extracting(BatchOutcome.Result::status).containsExactly(
                BatchOutcome.Status.DONE, BatchOutcome.Status.NOT_SENT, BatchOutcome.Status.NOT_SENT);
        assertThat(out.transportFailure().errno()).isEqualTo(Errno.EMSGSIZE);
    }

    @Test
    void receiveTimesOutWhenTheKernelHasNothingToSay() throws Exception {
        try (NetlinkSocket s = NetlinkSocket.open(LibC.NETLINK_GENERIC,
                NetlinkOptions.defaults().withTimeout(Duration.ofMillis(200)))) {
            long t0 = System.nanoTime();
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
            assertThatThrownBy(() -> s.receive(buf))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.isTimeout()).isTrue());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
        }
    }

    @Test
    void closedConnectionRefusesWithEbadf() throws Exception {
        NetlinkConnection c = NetlinkConnection.open();
        c.close();
        c.close();
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> c.request(getFamily("nlctrl")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
    }

    @Test
    void concurrentUseStaysInStep() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        if (id % 2 == 0) {
                            assertThat(conn.request(getFamily("nlctrl"))).hasSize(1);
                        } else {
                            assertThatThrownBy(() -> conn.request(getFamily("no-such-family")))
                                    .isInstanceOf(NetlinkException.class);
                            assertThat(conn.dump(getFamily(null))).isNotEmpty();
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
    }

    static NetlinkRequest getFamily(String name) {
        AttrWriter attrs = new AttrWriter();
        if (name != null) {
            attrs.string(NetlinkConstants.CTRL_ATTR_FAMILY_NAME, name);
        }
        return NetlinkRequest.genl(NetlinkConstants.GENL_ID_CTRL, NetlinkConstants.CTRL_CMD_GETFAMILY, 1, attrs.toByteArray(),
                "getfamily " + name);
    }
}
