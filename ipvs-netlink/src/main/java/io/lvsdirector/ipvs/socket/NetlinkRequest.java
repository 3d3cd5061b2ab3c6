package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.wire.NetlinkConstants;

import java.util.Arrays;
import java.util.Objects;

/**
 * One message to send: everything but the {@code nlmsghdr}, which the connection writes (length,
 * sequence number, port id, and the NLM_F_REQUEST / NLM_F_ACK / NLM_F_DUMP flags it needs).
 *
 * <p>For generic netlink, {@code payload} starts with the 4-byte {@code genlmsghdr} and continues with
 * the attributes; {@link #genl} builds that header.
 *
 * @param type     {@code nlmsg_type}: a generic-netlink family id, or a protocol message type
 * @param flags    extra {@code nlmsg_flags} beyond those the connection sets (usually 0)
 * @param payload  the bytes after the {@code nlmsghdr}; copied on the way in and out
 * @param label    what this message does, for errors and logs, e.g. {@code "IPVS_CMD_NEW_DEST"}
 */
public record NetlinkRequest(int type, int flags, byte[] payload, String label) {

    public NetlinkRequest {
        if (type < NetlinkConstants.NLMSG_MIN_TYPE || type > 0xffff) {
            throw new IllegalArgumentException("nlmsg_type must be in [0x10, 0xffff], got " + type);
        }
        if ((flags & ~0xffff) != 0) {
            throw new IllegalArgumentException("nlmsg_flags is 16 bits, got 0x" + Integer.toHexString(flags));
        }
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(label, "label");
        payload = payload.clone();
    }

    /**
     * A generic-netlink request: {@code genlmsghdr{cmd, version}} followed by already-encoded attributes.
     */
    public static NetlinkRequest genl(int familyId, int cmd, int version, byte[] attributes, String label) {
        if (cmd < 0 || cmd > 0xff || version < 0 || version > 0xff) {
            throw new IllegalArgumentException("genl cmd and version are u8, got cmd=" + cmd + " version=" + version);
        }
        byte[] p = new byte[NetlinkConstants.GENL_HDRLEN + attributes.length];
        p[0] = (byte) cmd;
        p[1] = (byte) version;
        System.arraycopy(attributes, 0, p, NetlinkConstants.GENL_HDRLEN, attributes.length);
        return new NetlinkRequest(familyId, 0, p, label);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Length of the whole message once framed, padding included. */
    public int framedLength() {
        return NetlinkConstants.align(NetlinkConstants.NLMSG_HDRLEN + payload.length);
    }

    /** Writes the payload without copying it first; for the connection's send buffer. */
    void writePayloadTo(java.nio.ByteBuffer out) {
        out.put(payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkRequest r && type == r.type && flags == r.flags
                && Arrays.equals(payload, r.payload) && label.equals(r.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, flags, Arrays.hashCode(payload), label);
    }

    @Override
    public String toString() {
        return "NetlinkRequest[" + label + ", type=" + type + ", flags=0x" + Integer.toHexString(flags)
                + ", payload=" + payload.length + " bytes]";
    }
}
