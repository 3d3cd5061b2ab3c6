package io.lvsdirector.ipvs.socket;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/** NLMSG_ERROR parsing from hand-built bytes, in the layouts the kernel sends (no kernel needed). */
class ErrorAnswerTest {

    @Test
    void cappedErrorWithExtendedAck() {
        // nlmsghdr(ERROR, CAPPED|ACK_TLVS) | -17 | echoed nlmsghdr | MSG "Service exists\0" | OFFS 28
        ByteBuffer b = header(Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS);
        b.putInt(-Errno.EEXIST);
        echoedHeader(b, 60);
        attr(b, Netlink.NLMSGERR_ATTR_MSG, "Service exists\0".getBytes());
        attr(b, Netlink.NLMSGERR_ATTR_OFFS, intBytes(28));
        NetlinkConnection.ErrorAnswer e = NetlinkConnection.ErrorAnswer.parse(finish(b));
        assertThat(e.errno).isEqualTo(Errno.EEXIST);
        assertThat(e.extAck).isEqualTo("Service exists");
        assertThat(e.badAttributeOffset).isEqualTo(28);
    }

    @Test
    void uncappedErrorSkipsTheEchoedRequestBeforeTheAttributes() {
        // Without NLM_F_CAPPED the whole 24-byte request is echoed; the TLVs start after it.
        ByteBuffer b = header(Netlink.NLM_F_ACK_TLVS);
        b.putInt(-Errno.EINVAL);
        echoedHeader(b, 24);
        b.put(new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        attr(b, Netlink.NLMSGERR_ATTR_MSG, "bad\0".getBytes());
        attr(b, Netlink.NLMSGERR_ATTR_MISS_TYPE, intBytes(3));
        NetlinkConnection.ErrorAnswer e = NetlinkConnection.ErrorAnswer.parse(finish(b));
        assertThat(e.errno).isEqualTo(Errno.EINVAL);
        assertThat(e.extAck).isEqualTo("bad; missing attribute type 3");
        assertThat(e.badAttributeOffset).isEqualTo(-1);
    }

    @Test
    void plainAckHasNoErrnoAndNoText() {
        ByteBuffer b = header(Netlink.NLM_F_CAPPED);
        b.putInt(0);
        echoedHeader(b, 32);
        NetlinkConnection.ErrorAnswer e = NetlinkConnection.ErrorAnswer.parse(finish(b));
        assertThat(e.errno).isZero();
        assertThat(e.extAck).isNull();
    }

    @Test
    void errnoNamesFollowTheKernelHeaders() {
        assertThat(Errno.name(17)).isEqualTo("EEXIST");
        assertThat(Errno.name(-3)).isEqualTo("ESRCH");
        assertThat(Errno.name(95)).isEqualTo("EOPNOTSUPP");
        assertThat(Errno.name(9999)).isEqualTo("E9999");
        assertThat(Errno.description(Errno.ENOENT)).isEqualTo("No such file or directory");
        assertThat(Errno.byName("EEXIST")).isEqualTo(17);
        assertThat(Errno.byName("EWOULDBLOCK")).isEqualTo(Errno.EAGAIN);
        assertThat(Errno.byName("ENOTATHING")).isEqualTo(-1);
        assertThat(new NetlinkException(-Errno.ESRCH, "IPVS_CMD_NEW_DEST", null))
                .hasMessage("IPVS_CMD_NEW_DEST: ESRCH (No such process)")
                .satisfies(e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
    }

    private static ByteBuffer header(int flags) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        b.putInt(0).putShort((short) Netlink.NLMSG_ERROR).putShort((short) flags).putInt(42).putInt(1234);
        return b;
    }

    private static void echoedHeader(ByteBuffer b, int len) {
        b.putInt(len).putShort((short) 0x20).putShort((short) Netlink.NLM_F_REQUEST).putInt(42).putInt(1234);
    }

    private static void attr(ByteBuffer b, int type, byte[] value) {
        b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    private static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static ByteBuffer finish(ByteBuffer b) {
        b.putInt(0, b.position());
        b.flip();
        return b;
    }
}
