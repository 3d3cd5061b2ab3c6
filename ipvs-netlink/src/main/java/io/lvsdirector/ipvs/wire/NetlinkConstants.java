package io.lvsdirector.ipvs.wire;

/**
 * Netlink and generic-netlink framing constants, named as {@code linux/netlink.h} and
 * {@code linux/genetlink.h} name them.
 */
public final class NetlinkConstants {
    private NetlinkConstants() {
    }

    /** {@code AF_INET} and {@code AF_INET6} from {@code sys/socket.h}, as IPVS carries them. */
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static final int NETLINK_GENERIC = 16;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;

    /** {@code sizeof(struct nlmsghdr)}: u32 len, u16 type, u16 flags, u32 seq, u32 pid. */
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_ALIGNTO = 4;
    /** {@code sizeof(struct genlmsghdr)}: u8 cmd, u8 version, u16 reserved. */
    public static final int GENL_HDRLEN = 4;
    /** {@code sizeof(struct nlattr)}: u16 len, u16 type. */
    public static final int NLA_HDRLEN = 4;
    public static final int NLA_ALIGNTO = 4;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_ATOMIC = 0x400;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** On an NLMSG_ERROR: the echoed request was cut to its header. */
    public static final int NLM_F_CAPPED = 0x100;
    /** On an NLMSG_ERROR: extended-ack TLVs follow the echoed request. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    public static final int NLMSG_NOOP = 0x1;
    public static final int NLMSG_ERROR = 0x2;
    public static final int NLMSG_DONE = 0x3;
    public static final int NLMSG_OVERRUN = 0x4;
    public static final int NLMSG_MIN_TYPE = 0x10;

    public static final int NLA_F_NESTED = 1 << 15;
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xFFFF;

    public static final int NLMSGERR_ATTR_UNUSED = 0;
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;
    public static final int NLMSGERR_ATTR_COOKIE = 3;
    public static final int NLMSGERR_ATTR_POLICY = 4;
    public static final int NLMSGERR_ATTR_MISS_TYPE = 5;
    public static final int NLMSGERR_ATTR_MISS_NEST = 6;

    /** The generic-netlink controller's fixed family id, {@code GENL_ID_CTRL}. */
    public static final int GENL_ID_CTRL = NLMSG_MIN_TYPE;
    public static final int GENL_NAMSIZ = 16;
    public static final int CTRL_CMD_NEWFAMILY = 1;
    public static final int CTRL_CMD_GETFAMILY = 3;
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    public static final int CTRL_ATTR_VERSION = 3;
    public static final int CTRL_ATTR_HDRSIZE = 4;
    public static final int CTRL_ATTR_MAXATTR = 5;
    public static final int CTRL_ATTR_OPS = 6;
    public static final int CTRL_ATTR_MCAST_GROUPS = 7;

    /** {@code NLMSG_ALIGN} / {@code NLA_ALIGN}: round up to 4. */
    public static int align(int len) {
        return (len + 3) & ~3;
    }
}
