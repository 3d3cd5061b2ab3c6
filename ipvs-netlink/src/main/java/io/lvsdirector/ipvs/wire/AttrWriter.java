package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLA_F_NESTED;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLA_HDRLEN;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes netlink attributes ({@code struct nlattr}) into a growing buffer.
 *
 * <pre>
 *   +----------+----------+------------------+---------+
 *   | u16 len  | u16 type | value            | pad 0-3 |
 *   +----------+----------+------------------+---------+
 *   len = 4 + value length (padding not counted); the next attribute starts at align4(len)
 * </pre>
 *
 * Integers are written in host byte order, which is what netlink means by u16/u32/u64. The
 * {@code be16}/{@code be32} writers are for the kernel's {@code __be16}/{@code __be32} fields:
 * ports and IPv4 masks, which the kernel keeps in network order. Not thread-safe; one writer per
 * message.
 */
public final class AttrWriter {
    private ByteBuffer buf;

    public AttrWriter() {
        this(128);
    }

    public AttrWriter(int initialCapacity) {
        buf = ByteBuffer.allocate(Math.max(16, initialCapacity)).order(ByteOrder.nativeOrder());
    }

    /** Bytes written so far. */
    public int size() {
        return buf.position();
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf.array(), buf.position());
    }

    public AttrWriter u8(int type, int value) {
        header(type, 1);
        buf.put((byte) value);
        return pad();
    }

    /** A host-order u16. */
    public AttrWriter u16(int type, int value) {
        header(type, 2);
        buf.putShort((short) value);
        return pad();
    }

    /** A network-order ({@code __be16}) u16, e.g. a port. */
    public AttrWriter be16(int type, int value) {
        header(type, 2);
        buf.put((byte) (value >>> 8)).put((byte) value);
        return pad();
    }

    /** A host-order u32. */
    public AttrWriter u32(int type, int value) {
        header(type, 4);
        buf.putInt(value);
        return pad();
    }

    /** A network-order ({@code __be32}) u32, e.g. an IPv4 netmask. */
    public AttrWriter be32(int type, int value) {
        header(type, 4);
        buf.put((byte) (value >>> 24)).put((byte) (value >>> 16)).put((byte) (value >>> 8)).put((byte) value);
        return pad();
    }

    /** A host-order u64. */
    public AttrWriter u64(int type, long value) {
        header(type, 8);
        buf.putLong(value);
        return pad();
    }

    /** Raw bytes. */
    public AttrWriter bytes(int type, byte[] value) {
        header(type, value.length);
        buf.put(value);
        return pad();
    }

    /** A NUL-terminated ASCII string ({@code NLA_NUL_STRING}; the NUL counts in the length). */
    public AttrWriter string(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        header(type, b.length + 1);
        buf.put(b).put((byte) 0);
        return pad();
    }

    /**
     * Opens a nested attribute; close it with {@link #endNested}. Sets {@code NLA_F_NESTED}, as
     * netlink asks of senders today; the kernel's IPVS parser masks the flag off.
     *
     * @return a mark for {@link #endNested}
     */
    public int beginNested(int type) {
        return beginNested(type, true);
    }

    /**
     * Opens a nested attribute, with or without {@code NLA_F_NESTED}. The kernel's own IPVS
     * replies go without it ({@code nla_nest_start_noflag}); a faithful fake kernel does too.
     */
    public int beginNested(int type, boolean nestedFlag) {
        int start = buf.position();
        header(nestedFlag ? type | NLA_F_NESTED : type, 0);
        return start;
    }

    /** Closes the nested attribute opened at {@code mark}, writing its length. */
    public AttrWriter endNested(int mark) {
        buf.putShort(mark, (short) (buf.position() - mark));
        return this;
    }

    private void header(int type, int valueLength) {
        int len = NLA_HDRLEN + valueLength;
        if (len > 0xFFFF) {
            throw new IllegalArgumentException("attribute " + type + " too long: " + valueLength + " bytes");
        }
        ensure(NetlinkConstants.align(len));
        buf.putShort((short) len);
        buf.putShort((short) type);
    }

    private AttrWriter pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
        return this;
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
