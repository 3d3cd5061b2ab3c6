package io.lvsdirector.ipvs.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * One IPVS request, encoded but not yet framed: the command, its attributes, and whether it is a
 * dump. The socket layer adds the {@code nlmsghdr} (family id, sequence number, port id, flags);
 * {@link #toMessage} does the same for tests and simple callers.
 *
 * @param command {@code IPVS_CMD_*}
 * @param attributes the encoded attributes that follow the {@code genlmsghdr}
 * @param dump whether to send with {@code NLM_F_DUMP} (and read a multi-part reply up to
 *     {@code NLMSG_DONE}) rather than {@code NLM_F_ACK}
 * @param label what the request does, in ipvsadm words, for errors and logs
 */
public record IpvsRequest(int command, byte[] attributes, boolean dump, String label) {

    public IpvsRequest {
        if (command < 0 || command > 0xFF) {
            throw new IllegalArgumentException("genl command is a u8, got " + command);
        }
        attributes = attributes.clone();
        Objects.requireNonNull(label, "label");
    }

    @Override
    public byte[] attributes() {
        return attributes.clone();
    }

    /** The {@code nlmsg_flags} this request is sent with. */
    public int netlinkFlags() {
        return NetlinkConstants.NLM_F_REQUEST | (dump ? NetlinkConstants.NLM_F_DUMP : NetlinkConstants.NLM_F_ACK);
    }

    /** The bytes after the {@code nlmsghdr}: {@code genlmsghdr{cmd, IPVS_GENL_VERSION, 0}} and the attributes. */
    public byte[] genlPayload() {
        byte[] p = new byte[NetlinkConstants.GENL_HDRLEN + attributes.length];
        p[0] = (byte) command;
        p[1] = (byte) IpvsConstants.IPVS_GENL_VERSION;
        System.arraycopy(attributes, 0, p, NetlinkConstants.GENL_HDRLEN, attributes.length);
        return p;
    }

    /** The complete netlink message, ready for {@code sendmsg}. */
    public byte[] toMessage(int familyId, int seq, int portId) {
        return NetlinkCodec.frame(familyId, netlinkFlags(), seq, portId, genlPayload());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpvsRequest r && r.command == command && r.dump == dump
                && Arrays.equals(r.attributes, attributes) && r.label.equals(label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, dump, Arrays.hashCode(attributes), label);
    }

    @Override
    public String toString() {
        return IpvsConstants.commandName(command) + (dump ? " (dump)" : "") + " " + label;
    }
}
