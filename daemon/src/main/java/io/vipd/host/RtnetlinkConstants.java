package io.vipd.host;

/** rtnetlink's numbers vipd uses (linux/rtnetlink.h, if_addr.h, if_link.h, if.h); framing is in {@link NetlinkConstants}. */
public final class RtnetlinkConstants {
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int RT_SCOPE_UNIVERSE = 0;

    /** struct ifaddrmsg and struct ifinfomsg, the fixed headers of address and link messages. */
    public static final int IFADDRMSG_LEN = 8;
    public static final int IFINFOMSG_LEN = 16;

    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_CACHEINFO = 6;
    /** u32 extended address flags (if_addr.h); the byte in ifaddrmsg holds only the low eight. */
    public static final int IFA_FLAGS = 8;
    /** No duplicate address detection: the address is usable at once, not "tentative" for a second or more. */
    public static final int IFA_F_NODAD = 0x02;

    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;

    public static final int IFF_UP = 0x1;
    /** The link has carrier (operstate aside): see rtnetlink(7), IFF_LOWER_UP. */
    public static final int IFF_LOWER_UP = 0x10000;

    /** ifa_cacheinfo lifetime meaning "forever". */
    public static final int INFINITY_LIFE_TIME = 0xFFFFFFFF;

    private RtnetlinkConstants() {}
}
