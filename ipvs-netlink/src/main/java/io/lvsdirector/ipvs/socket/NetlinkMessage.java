package io.lvsdirector.ipvs.socket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One message received from the kernel: its {@code nlmsghdr} fields and the bytes after the header.
 *
 * @param type     {@code nlmsg_type}: the family id for generic-netlink replies
 * @param flags    {@code nlmsg_flags} as received (NLM_F_MULTI on dump parts ...)
 * @param seq      the sequence number of the request this answers
 * @param portId   the port id it was addressed to (ours)
 * @param payload  the bytes after the {@code nlmsghdr}, trailing padding excluded; read-only views
 *                 in host byte order are handed out, so callers cannot disturb each other's position
 */
public record NetlinkMessage(int type, int flags, int seq, int portId, ByteBuffer payload) {

    public NetlinkMessage {
        Objects.requireNonNull(payload, "payload");
        payload = payload.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    @Override
    public ByteBuffer payload() {
        return payload.duplicate().order(ByteOrder.nativeOrder());
    }

    /** For generic netlink: the {@code genlmsghdr.cmd} byte. */
    public int genlCommand() {
        return payload.get(payload.position()) & 0xff;
    }

    /** For generic netlink: the attributes after the 4-byte {@code genlmsghdr}, as a read-only view. */
    public ByteBuffer genlAttributes() {
        ByteBuffer b = payload();
        b.position(b.position() + Netlink.GENL_HDRLEN);
        return b.slice().order(ByteOrder.nativeOrder());
    }
}
