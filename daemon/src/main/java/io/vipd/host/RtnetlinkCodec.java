package io.vipd.host;

import static io.vipd.host.NetlinkConstants.NLM_F_ACK;
import static io.vipd.host.NetlinkConstants.NLM_F_CREATE;
import static io.vipd.host.NetlinkConstants.NLM_F_DUMP;
import static io.vipd.host.NetlinkConstants.NLM_F_REPLACE;
import static io.vipd.host.NetlinkConstants.NLM_F_REQUEST;
import static io.vipd.host.RtnetlinkConstants.AF_INET;
import static io.vipd.host.RtnetlinkConstants.AF_INET6;
import static io.vipd.host.RtnetlinkConstants.IFA_FLAGS;
import static io.vipd.host.RtnetlinkConstants.IFA_F_NODAD;
import static io.vipd.host.RtnetlinkConstants.AF_UNSPEC;
import static io.vipd.host.RtnetlinkConstants.IFADDRMSG_LEN;
import static io.vipd.host.RtnetlinkConstants.IFA_ADDRESS;
import static io.vipd.host.RtnetlinkConstants.IFA_CACHEINFO;
import static io.vipd.host.RtnetlinkConstants.IFA_LOCAL;
import static io.vipd.host.RtnetlinkConstants.IFF_LOWER_UP;
import static io.vipd.host.RtnetlinkConstants.IFF_UP;
import static io.vipd.host.RtnetlinkConstants.IFINFOMSG_LEN;
import static io.vipd.host.RtnetlinkConstants.IFLA_ADDRESS;
import static io.vipd.host.RtnetlinkConstants.IFLA_IFNAME;
import static io.vipd.host.RtnetlinkConstants.INFINITY_LIFE_TIME;
import static io.vipd.host.RtnetlinkConstants.RTM_DELADDR;
import static io.vipd.host.RtnetlinkConstants.RTM_GETADDR;
import static io.vipd.host.RtnetlinkConstants.RTM_GETLINK;
import static io.vipd.host.RtnetlinkConstants.RTM_NEWADDR;
import static io.vipd.host.RtnetlinkConstants.RTM_NEWLINK;
import static io.vipd.host.RtnetlinkConstants.RT_SCOPE_UNIVERSE;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntFunction;

/**
 * rtnetlink's address and link messages (see rtnetlink(7)) encoded and decoded without I/O, so every byte is
 * unit-tested; the framing is {@link NetlinkBuilder}'s and {@link NetlinkParser}'s.
 */
public final class RtnetlinkCodec {
    private RtnetlinkCodec() {}

    /**
     * RTM_NEWADDR (create or replace) for an IPv4 address on interface {@code ifindex}.
     *
     * @param validLifetimeSec the kernel deletes the address itself once this many seconds pass without a renewal;
     *                         {@link RtnetlinkConstants#INFINITY_LIFE_TIME} for never
     */
    public static byte[] newAddress(int seq, int ifindex, Inet4Address address, int prefix, int validLifetimeSec) {
        NetlinkBuilder nl = new NetlinkBuilder()
                .message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq);
        ifaddrmsg(nl, prefix, ifindex);
        nl.attr(IFA_LOCAL, address.getAddress()).attr(IFA_ADDRESS, address.getAddress());
        if (validLifetimeSec != INFINITY_LIFE_TIME) {
            ByteBuffer ci = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            ci.putInt(validLifetimeSec).putInt(validLifetimeSec).putInt(0).putInt(0); // preferred, valid, stamps
            nl.attr(IFA_CACHEINFO, ci.array());
        }
        return nl.endMessage().bytes();
    }

    /** RTM_DELADDR for an IPv4 address on interface {@code ifindex}. */
    public static byte[] deleteAddress(int seq, int ifindex, Inet4Address address, int prefix) {
        NetlinkBuilder nl = new NetlinkBuilder().message(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq);
        ifaddrmsg(nl, prefix, ifindex);
        nl.attr(IFA_LOCAL, address.getAddress()).attr(IFA_ADDRESS, address.getAddress());
        return nl.endMessage().bytes();
    }

    /**
     * RTM_NEWADDR (create or replace) for an IPv6 address on interface {@code ifindex}, without duplicate address
     * detection (IFA_F_NODAD, as keepalived adds VIPs): a VIP must answer as soon as its owner binds it, and the
     * owner's detection would only find the previous owner's announcements. The lifetime works as for IPv4.
     */
    public static byte[] newAddress6(int seq, int ifindex, java.net.Inet6Address address, int prefix,
                                     int validLifetimeSec) {
        NetlinkBuilder nl = new NetlinkBuilder()
                .message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq);
        nl.u8(AF_INET6).u8(prefix).u8(IFA_F_NODAD).u8(RT_SCOPE_UNIVERSE).u32(ifindex);
        nl.attr(IFA_LOCAL, address.getAddress()).attr(IFA_ADDRESS, address.getAddress());
        ByteBuffer flags = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(IFA_F_NODAD);
        nl.attr(IFA_FLAGS, flags.array());
        if (validLifetimeSec != INFINITY_LIFE_TIME) {
            ByteBuffer ci = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            ci.putInt(validLifetimeSec).putInt(validLifetimeSec).putInt(0).putInt(0); // preferred, valid, stamps
            nl.attr(IFA_CACHEINFO, ci.array());
        }
        return nl.endMessage().bytes();
    }

    /** RTM_DELADDR for an IPv6 address on interface {@code ifindex}. */
    public static byte[] deleteAddress6(int seq, int ifindex, java.net.Inet6Address address, int prefix) {
        NetlinkBuilder nl = new NetlinkBuilder().message(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq);
        nl.u8(AF_INET6).u8(prefix).u8(0).u8(RT_SCOPE_UNIVERSE).u32(ifindex);
        nl.attr(IFA_LOCAL, address.getAddress()).attr(IFA_ADDRESS, address.getAddress());
        return nl.endMessage().bytes();
    }

    /** RTM_GETADDR dump of every IPv4 address. */
    public static byte[] dumpAddresses(int seq) {
        NetlinkBuilder nl = new NetlinkBuilder().message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
        ifaddrmsg(nl, 0, 0);
        return nl.endMessage().bytes();
    }

    /** RTM_GETADDR dump of every IPv6 address. */
    public static byte[] dumpAddresses6(int seq) {
        NetlinkBuilder nl = new NetlinkBuilder().message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
        nl.u8(AF_INET6).u8(0).u8(0).u8(RT_SCOPE_UNIVERSE).u32(0);
        return nl.endMessage().bytes();
    }

    /** Decodes an RTM_NEWADDR message body (from a dump) into an IPv6 address, or null if it is not IPv6. */
    public static HostAddress decodeAddress6(NetlinkMessage m, IntFunction<String> ifaceName) {
        ByteBuffer p = m.payload();
        if (m.type() != RTM_NEWADDR || p.limit() < IFADDRMSG_LEN || p.get(0) != AF_INET6) {
            return null;
        }
        byte[] chosen = null;
        for (NetlinkAttribute a : m.attributes(IFADDRMSG_LEN)) {
            if (a.value().length == 16 && (a.type() == IFA_LOCAL || a.type() == IFA_ADDRESS && chosen == null)) {
                chosen = a.value();
            }
        }
        if (chosen == null) {
            return null;
        }
        try {
            return new HostAddress(p.getInt(4), ifaceName.apply(p.getInt(4)), InetAddress.getByAddress(chosen),
                    p.get(1) & 0xff);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** RTM_GETLINK dump of every interface. */
    public static byte[] dumpLinks(int seq) {
        NetlinkBuilder nl = new NetlinkBuilder().message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
        nl.u8(AF_UNSPEC).u8(0).u16(0).u32(0).u32(0).u32(0); // ifinfomsg: family, pad, type, index, flags, change
        return nl.endMessage().bytes();
    }

    /** struct ifaddrmsg: family, prefix length, flags, scope, interface index. */
    private static void ifaddrmsg(NetlinkBuilder nl, int prefix, int ifindex) {
        nl.u8(AF_INET).u8(prefix).u8(0).u8(RT_SCOPE_UNIVERSE).u32(ifindex);
    }

    /** Decodes an RTM_NEWADDR message body (from a dump) into an IPv4 address, or null if it is not IPv4. */
    public static HostAddress decodeAddress(NetlinkMessage m, IntFunction<String> ifaceName) {
        ByteBuffer p = m.payload();
        if (m.type() != RTM_NEWADDR || p.limit() < IFADDRMSG_LEN || p.get(0) != AF_INET) {
            return null;
        }
        int prefix = p.get(1) & 0xff;
        int index = p.getInt(4);
        byte[] local = null;
        byte[] address = null;
        for (NetlinkAttribute a : m.attributes(IFADDRMSG_LEN)) {
            if (a.value().length != 4) {
                continue;
            }
            if (a.type() == IFA_LOCAL) {
                local = a.value();
            } else if (a.type() == IFA_ADDRESS) {
                address = a.value();
            }
        }
        byte[] chosen = local != null ? local : address;
        if (chosen == null) {
            return null;
        }
        try {
            return new HostAddress(index, ifaceName.apply(index), (Inet4Address) InetAddress.getByAddress(chosen),
                    prefix);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Decodes an RTM_NEWLINK message body (from a dump). */
    public static NetInterface decodeLink(NetlinkMessage m) {
        ByteBuffer p = m.payload();
        if (m.type() != RTM_NEWLINK || p.limit() < IFINFOMSG_LEN) {
            return null;
        }
        int index = p.getInt(4);
        int flags = p.getInt(8);
        String name = null;
        MacAddress mac = null;
        for (NetlinkAttribute a : m.attributes(IFINFOMSG_LEN)) {
            if (a.type() == IFLA_IFNAME) {
                name = a.string();
            } else if (a.type() == IFLA_ADDRESS && a.value().length == 6) {
                mac = new MacAddress(a.value());
            }
        }
        return name == null ? null : new NetInterface(index, name, mac, (flags & IFF_UP) != 0,
                (flags & IFF_LOWER_UP) != 0);
    }
}
