package io.lvsdirector.ipvs.wire;

import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLA_HDRLEN;
import static io.lvsdirector.ipvs.wire.NetlinkConstants.NLA_TYPE_MASK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A parsed run of netlink attributes: type to value, strictly checked.
 *
 * <p>Parsing refuses an attribute whose length is below the header size or runs past the region,
 * and a region that ends inside an attribute header. Each typed getter checks the value's exact
 * size and names the attribute when it is wrong. Types above {@code maxType} are skipped, as a
 * newer kernel may add attributes; the last of repeated types wins, as in the kernel's
 * {@code nla_parse}. {@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER} are masked off the type.
 */
public final class Attributes {
    private final String context;
    private final ByteBuffer[] values;

    private Attributes(String context, ByteBuffer[] values) {
        this.context = context;
        this.values = values;
    }

    /**
     * Parses the attributes in {@code region} (its position to its limit).
     *
     * @param maxType highest attribute type to keep
     * @param context what this region is, for messages ({@code "IPVS_CMD_ATTR_SERVICE"})
     * @throws WireFormatException if the region is malformed
     */
    public static Attributes parse(ByteBuffer region, int maxType, String context) {
        ByteBuffer b = region.duplicate().order(ByteOrder.nativeOrder());
        ByteBuffer[] values = new ByteBuffer[maxType + 1];
        int end = b.limit();
        int pos = b.position();
        while (pos < end) {
            if (end - pos < NLA_HDRLEN) {
                throw new WireFormatException(context + ": " + (end - pos)
                        + " trailing bytes at offset " + pos + ", too short for an attribute header");
            }
            int len = b.getShort(pos) & 0xFFFF;
            int type = b.getShort(pos + 2) & NLA_TYPE_MASK;
            if (len < NLA_HDRLEN) {
                throw new WireFormatException(context + ": attribute type " + type + " at offset " + pos
                        + " has length " + len + " < " + NLA_HDRLEN);
            }
            if (len > end - pos) {
                throw new WireFormatException(context + ": attribute type " + type + " at offset " + pos
                        + " has length " + len + " but only " + (end - pos) + " bytes remain");
            }
            if (type <= maxType) {
                ByteBuffer v = b.duplicate();
                v.limit(pos + len).position(pos + NLA_HDRLEN);
                values[type] = v.slice().order(ByteOrder.nativeOrder());
            }
            // The last attribute of a message may omit its padding.
            pos = Math.min(end, pos + NetlinkConstants.align(len));
        }
        return new Attributes(context, values);
    }

    /** Whether the attribute is present. */
    public boolean has(int type) {
        return type < values.length && values[type] != null;
    }

    /** Length of the attribute's value. */
    public int length(int type) {
        return require(type, "").remaining();
    }

    public int u8(int type) {
        return exact(type, 1, "u8").get(0) & 0xFF;
    }

    /** A host-order u16. */
    public int u16(int type) {
        return exact(type, 2, "u16").getShort(0) & 0xFFFF;
    }

    /** A network-order {@code __be16}. */
    public int be16(int type) {
        ByteBuffer v = exact(type, 2, "be16");
        return ((v.get(0) & 0xFF) << 8) | (v.get(1) & 0xFF);
    }

    /** A host-order u32 (read as a Java int; unsigned callers use {@link Integer#toUnsignedLong}). */
    public int u32(int type) {
        return exact(type, 4, "u32").getInt(0);
    }

    /** A network-order {@code __be32}. */
    public int be32(int type) {
        ByteBuffer v = exact(type, 4, "be32");
        return ((v.get(0) & 0xFF) << 24) | ((v.get(1) & 0xFF) << 16) | ((v.get(2) & 0xFF) << 8) | (v.get(3) & 0xFF);
    }

    /** A host-order u64. */
    public long u64(int type) {
        return exact(type, 8, "u64").getLong(0);
    }

    /** The raw value. */
    public byte[] bytes(int type) {
        ByteBuffer v = require(type, "bytes");
        byte[] out = new byte[v.remaining()];
        v.duplicate().get(out);
        return out;
    }

    /** The raw value, which must be exactly {@code length} bytes long. */
    public byte[] bytes(int type, int length) {
        ByteBuffer v = exact(type, length, length + " bytes");
        byte[] out = new byte[length];
        v.duplicate().get(out);
        return out;
    }

    /** A string, up to its first NUL (the kernel sends NUL-terminated strings). */
    public String string(int type) {
        byte[] b = bytes(type);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(Arrays.copyOf(b, n), StandardCharsets.US_ASCII);
    }

    /** The value of a nested attribute, parsed. */
    public Attributes nested(int type, int maxType, String nestedContext) {
        return parse(require(type, "nested"), maxType, context + "." + nestedContext);
    }

    /** The value as a read-only buffer positioned at its start. */
    public ByteBuffer value(int type) {
        return require(type, "value").asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    private ByteBuffer require(int type, String kind) {
        if (!has(type)) {
            throw new WireFormatException(context + ": required attribute type " + type + " missing");
        }
        return values[type].duplicate().order(ByteOrder.nativeOrder());
    }

    private ByteBuffer exact(int type, int size, String kind) {
        ByteBuffer v = require(type, kind);
        if (v.remaining() != size) {
            throw new WireFormatException(context + ": attribute type " + type + " should be " + kind
                    + " (" + size + " bytes) but has " + v.remaining() + " bytes");
        }
        return v;
    }
}
