package io.vipd.host;

/**
 * The netlink framing shared by every family vipd speaks (linux/netlink.h): protocols, message types and flags of the
 * {@code nlmsghdr}, attribute flags and the 4-byte alignment. Per-family numbers are in {@link RtnetlinkConstants}
 * and {@link NftablesConstants}.
 */
public final class NetlinkConstants {
    /** Socket protocols. */
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;

    /** Lengths of the message header and of an attribute header. */
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLA_HDRLEN = 4;

    /** Control message types. */
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;

    /** {@code nlmsg_flags}. */
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    /** The kernel's list changed during the dump, which may be incomplete. */
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;

    /** Flags in an attribute's type. */
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    private NetlinkConstants() {}

    /** NLMSG_ALIGN / NLA_ALIGN: {@code n} rounded up to a multiple of 4. */
    public static int align(int n) {
        return (n + 3) & ~3;
    }
}
