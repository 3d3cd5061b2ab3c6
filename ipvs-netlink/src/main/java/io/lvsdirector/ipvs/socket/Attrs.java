package io.lvsdirector.ipvs.socket;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The few {@code nlattr} reads and writes the socket layer itself needs: the controller's family
 * attributes and the extended-ack attributes of an NLMSG_ERROR. IPVS attributes are the wire codec's.
 *
 * <pre>
 *  nlattr:  | u16 nla_len (header + value, unpadded) | u16 nla_type | value ... | pad to 4 |
 * </pre>
 */
final class Attrs {

    private Attrs() {
    }

    /**
     * Splits attributes into type → value view (last one wins). Stops quietly at a truncated attribute,
     * as the kernel's {@code nla_for_each_attr} does.
     */
    static Map<Integer, ByteBuffer> parse(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(ByteOrder.nativeOrder());
        Map<Integer, ByteBuffer> out = new HashMap<>();
        while (b.remaining() >= Netlink.NLA_HDRLEN) {
            int start = b.position();
            int len = b.getShort(start) & 0xffff;
            int type = b.getShort(start + 2) & Netlink.NLA_TYPE_MASK;
            if (len < Netlink.NLA_HDRLEN || len > b.remaining()) {
                break;
            }
            ByteBuffer value = b.duplicate().order(ByteOrder.nativeOrder());
            value.position(start + Netlink.NLA_HDRLEN).limit(start + len);
            out.put(type, value.slice().order(ByteOrder.nativeOrder()));
            b.position(Math.min(b.limit(), start + Netlink.align(len)));
        }
        return out;
    }

    /** A NUL-terminated string attribute value, terminator and anything after it dropped. */
    static String string(ByteBuffer value) {
        ByteBuffer b = value.duplicate();
        int end = b.position();
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - b.position()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static int u16(ByteBuffer value) {
        return value.getShort(value.position()) & 0xffff;
    }

    static int u32(ByteBuffer value) {
        return value.getInt(value.position());
    }

    /** Appends a NUL-terminated string attribute, padded. */
    static void putString(ByteArrayOutputStream out, int type, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        byte[] withNul = new byte[v.length + 1];
        System.arraycopy(v, 0, withNul, 0, v.length);
        put(out, type, withNul);
    }

    static void put(ByteArrayOutputStream out, int type, byte[] value) {
        int len = Netlink.NLA_HDRLEN + value.length;
        ByteBuffer h = ByteBuffer.allocate(Netlink.NLA_HDRLEN).order(ByteOrder.nativeOrder());
        h.putShort((short) len).putShort((short) type);
        out.writeBytes(h.array());
        out.writeBytes(value);
        out.writeBytes(new byte[Netlink.align(len) - len]);
    }
}
