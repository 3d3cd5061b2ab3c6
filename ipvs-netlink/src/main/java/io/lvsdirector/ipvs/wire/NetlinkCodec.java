package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.NetlinkConstants.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Netlink framing with no I/O: building a message around a payload, splitting a received
 * datagram into messages, reading {@code NLMSG_ERROR} (errno and extended ack) and the
 * generic-netlink controller's family reply.
 *
 * <pre>
 *  struct nlmsghdr (16 bytes, host order)
 *  0               4       6       8               12              16
 *  +---------------+-------+-------+---------------+---------------+
 *  | nlmsg_len     | type  | flags | nlmsg_seq     | nlmsg_pid     |
 *  +---------------+-------+-------+---------------+---------------+
 *  nlmsg_len counts the header and the payload, not the padding to 4 that follows.
 *
 *  NLMSG_ERROR payload (struct nlmsgerr, then extended-ack TLVs):
 *  +-----------+-----------------------------+--------------------------+-------------------+
 *  | s32 error | echoed nlmsghdr of request  | echoed request payload   | TLVs (nlattr),    |
 *  | -errno, 0 | (16 bytes)                  | absent if NLM_F_CAPPED   | if NLM_F_ACK_TLVS |
 *  |  = ACK    |                             |                          | NLMSGERR_ATTR_MSG |
 *  +-----------+-----------------------------+--------------------------+-------------------+
 * </pre>
 */
public final class NetlinkCodec {
    private NetlinkCodec() {
    }

    /** One netlink message of a datagram: header fields and a view of the payload. */
    public record Frame(int type, int flags, int seq, int portId, ByteBuffer payload) {
        public Frame {
            payload = payload.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        }

        @Override
        public ByteBuffer payload() {
            return payload.duplicate().order(ByteOrder.nativeOrder());
        }
    }

    /**
     * An {@code NLMSG_ERROR}: an ACK when {@code errno} is 0.
     *
     * @param errno positive errno, 0 for an ACK
     * @param requestType {@code nlmsg_type} of the request answered
     * @param requestSeq sequence number of the request answered
     * @param message {@code NLMSGERR_ATTR_MSG}, {@code ""} if none
     * @param badAttributeOffset {@code NLMSGERR_ATTR_OFFS}: byte offset of the offending attribute in
     *     the request, -1 if none
     */
    public record NetlinkError(int errno, int requestType, int requestSeq, String message, int badAttributeOffset) {
        /** Whether this is a plain acknowledgement. */
        public boolean isAck() {
            return errno == 0;
        }
    }

    /** Generic-netlink family facts from a {@code CTRL_CMD_NEWFAMILY} reply. */
    public record GenlFamilyInfo(int id, String name, int version, int maxAttr) {
    }

    /** A complete message: header plus payload, padded to 4. */
    public static byte[] frame(int type, int flags, int seq, int portId, byte[] payload) {
        int len = NLMSG_HDRLEN + payload.length;
        ByteBuffer b = ByteBuffer.allocate(align(len)).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId);
        b.put(payload);
        return b.array();
    }

    /**
     * Splits a received datagram (position to limit) into its messages.
     *
     * @throws WireFormatException if a header is truncated or a length is impossible
     */
    public static List<Frame> split(ByteBuffer datagram) {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<Frame> out = new ArrayList<>();
        int pos = b.position();
        int end = b.limit();
        while (pos < end) {
            if (end - pos < NLMSG_HDRLEN) {
                throw new WireFormatException("netlink datagram: " + (end - pos)
                        + " bytes at offset " + pos + ", too short for a message header");
            }
            int len = b.getInt(pos);
            if (len < NLMSG_HDRLEN || len > end - pos) {
                throw new WireFormatException("netlink message at offset " + pos + " claims length "
                        + Integer.toUnsignedString(len) + " with " + (end - pos) + " bytes left");
            }
            int type = b.getShort(pos + 4) & 0xFFFF;
            int flags = b.getShort(pos + 6) & 0xFFFF;
            int seq = b.getInt(pos + 8);
            int pid = b.getInt(pos + 12);
            ByteBuffer p = b.duplicate();
            p.limit(pos + len).position(pos + NLMSG_HDRLEN);
            out.add(new Frame(type, flags, seq, pid, p.slice()));
            pos = Math.min(end, pos + align(len));
        }
        return out;
    }

    /**
     * Reads an {@code NLMSG_ERROR} message's payload.
     *
     * @param flags the error message's own {@code nlmsg_flags} (CAPPED, ACK_TLVS)
     * @throws WireFormatException if the payload is truncated
     */
    public static NetlinkError parseError(ByteBuffer payload, int flags) {
        ByteBuffer b = payload.duplicate().order(ByteOrder.nativeOrder());
        int base = b.position();
        int avail = b.remaining();
        if (avail < 4 + NLMSG_HDRLEN) {
            throw new WireFormatException("NLMSG_ERROR payload is " + avail + " bytes; needs at least "
                    + (4 + NLMSG_HDRLEN));
        }
        int error = b.getInt(base);
        if (error > 0) {
            throw new WireFormatException("NLMSG_ERROR carries positive error " + error);
        }
        int origLen = b.getInt(base + 4);
        int origType = b.getShort(base + 8) & 0xFFFF;
        int origSeq = b.getInt(base + 12);
        String message = "";
        int offset = -1;
        if ((flags & NLM_F_ACK_TLVS) != 0) {
            boolean capped = (flags & NLM_F_CAPPED) != 0;
            // Check the echoed length before aligning it: a hostile value near 2^31 would wrap.
            if (!capped && (origLen < NLMSG_HDRLEN || origLen > avail - 4)) {
                throw new WireFormatException("NLMSG_ERROR: echoed request length "
                        + Integer.toUnsignedString(origLen) + " does not fit the " + avail + "-byte payload");
            }
            int tlvStart = 4 + (capped ? NLMSG_HDRLEN : align(origLen));
            if (tlvStart > avail) {
                throw new WireFormatException("NLMSG_ERROR: echoed request length " + origLen
                        + " does not fit the " + avail + "-byte payload");
            }
            ByteBuffer tlvs = b.duplicate();
            tlvs.position(base + tlvStart);
            Attributes a = Attributes.parse(tlvs, NLMSGERR_ATTR_MISS_NEST, "NLMSG_ERROR ext-ack");
            if (a.has(NLMSGERR_ATTR_MSG)) {
                message = a.string(NLMSGERR_ATTR_MSG);
            }
            if (a.has(NLMSGERR_ATTR_OFFS)) {
                offset = a.u32(NLMSGERR_ATTR_OFFS);
            }
        }
        return new NetlinkError(-error, origType, origSeq, message, offset);
    }

    /** An {@code NLMSG_ERROR} payload, for tests and fakes of the socket layer. */
    public static byte[] errorPayload(int errno, byte[] request, boolean capped, String message) {
        AttrWriter tlv = new AttrWriter();
        if (message != null && !message.isEmpty()) {
            tlv.string(NLMSGERR_ATTR_MSG, message);
        }
        byte[] echoed = capped ? Arrays.copyOf(request, NLMSG_HDRLEN) : request;
        byte[] t = tlv.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(4 + align(echoed.length) + t.length).order(ByteOrder.nativeOrder());
        b.putInt(-errno).put(echoed);
        b.position(4 + align(echoed.length));
        b.put(t);
        return b.array();
    }

    /** The attributes of a {@code CTRL_CMD_GETFAMILY} request for a family name. */
    public static byte[] getFamilyAttributes(String name) {
        return new AttrWriter().string(CTRL_ATTR_FAMILY_NAME, name).toByteArray();
    }

    /**
     * A complete {@code CTRL_CMD_GETFAMILY} request to {@code GENL_ID_CTRL}, with
     * {@code NLM_F_REQUEST | NLM_F_ACK}; genl version 1, as the controller expects.
     */
    public static byte[] getFamilyRequest(String name, int seq, int portId) {
        byte[] attrs = getFamilyAttributes(name);
        byte[] p = new byte[GENL_HDRLEN + attrs.length];
        p[0] = (byte) CTRL_CMD_GETFAMILY;
        p[1] = 1;
        System.arraycopy(attrs, 0, p, GENL_HDRLEN, attrs.length);
        return frame(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq, portId, p);
    }

    /**
     * Reads a controller reply's payload ({@code genlmsghdr} + attributes).
     *
     * @throws WireFormatException if it is not a NEWFAMILY reply or lacks the id
     */
    public static GenlFamilyInfo parseFamily(ByteBuffer genlPayload) {
        Attributes a = genlAttributes(genlPayload, CTRL_CMD_NEWFAMILY, CTRL_ATTR_MCAST_GROUPS, "CTRL_CMD_NEWFAMILY");
        if (!a.has(CTRL_ATTR_FAMILY_ID)) {
            throw new WireFormatException("CTRL_CMD_NEWFAMILY without CTRL_ATTR_FAMILY_ID");
        }
        return new GenlFamilyInfo(a.u16(CTRL_ATTR_FAMILY_ID),
                a.has(CTRL_ATTR_FAMILY_NAME) ? a.string(CTRL_ATTR_FAMILY_NAME) : "",
                a.has(CTRL_ATTR_VERSION) ? a.u32(CTRL_ATTR_VERSION) : 0,
                a.has(CTRL_ATTR_MAXATTR) ? a.u32(CTRL_ATTR_MAXATTR) : 0);
    }

    /**
     * Checks a generic-netlink payload's command and parses its attributes.
     *
     * @throws WireFormatException if the payload is shorter than a genl header or the command differs
     */
    static Attributes genlAttributes(ByteBuffer genlPayload, int expectedCmd, int maxType, String context) {
        ByteBuffer b = genlPayload.duplicate().order(ByteOrder.nativeOrder());
        if (b.remaining() < GENL_HDRLEN) {
            throw new WireFormatException(context + ": payload of " + b.remaining()
                    + " bytes is shorter than a genlmsghdr");
        }
        int cmd = b.get(b.position()) & 0xFF;
        if (cmd != expectedCmd) {
            throw new WireFormatException(context + ": expected genl command " + expectedCmd + ", got " + cmd);
        }
        b.position(b.position() + GENL_HDRLEN);
        return Attributes.parse(b, maxType, context);
    }
}
