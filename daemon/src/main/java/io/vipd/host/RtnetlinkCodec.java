package io.vipd.host;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * rtnetlink messages (see rtnetlink(7), netlink(7)) encoded and decoded without I/O, so every byte is unit-tested.
 * Netlink uses the host's byte order.
 */
public final class RtnetlinkCodec {
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLM_F_CREATE = 0x400;

    public static final int AF_INET = 2;
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_CACHEINFO = 6;
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFF_UP = 0x1;

    /** ifa_cacheinfo lifetime meaning "forever". */
    public static final int INFINITY_LIFE_TIME = 0xFFFFFFFF;

    static final int NLMSG_HDRLEN = 16;
    private static final int IFADDRMSG_LEN = 8;
    private static final int IFINFOMSG_LEN = 16;

    private RtnetlinkCodec() {}

    static int align(int n) {
        return (n + 3) & ~3;
    }

    private static ByteBuffer header(int capacity, int type, int flags, int seq) {
        ByteBuffer b = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
        b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        return b;
    }

    private static byte[] finish(ByteBuffer b) {
        int len = b.position();
        b.putInt(0, len);
        byte[] out = new byte[len];
        b.rewind();
        b.get(out);
        return out;
    }

    private static void attr(ByteBuffer b, int type, byte[] data) {
        b.putShort((short) (4 + data.length)).putShort((short) type).put(data);
        for (int pad = align(data.length) - data.length; pad > 0; pad--) {
            b.put((byte) 0);
        }
    }

    /**
     * RTM_NEWADDR (create or replace) for an IPv4 address on interface {@code ifindex}.
     *
     * @param validLifetimeSec the kernel deletes the address itself once this many seconds pass without a renewal;
     *                         {@link #INFINITY_LIFE_TIME} for never
     */
    public static byte[] newAddress(int seq, int ifindex, Inet4Address address, int prefix, int validLifetimeSec) {
        ByteBuffer b = header(128, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq);
        ifaddrmsg(b, prefix, ifindex);
        attr(b, IFA_LOCAL, address.getAddress());
        attr(b, IFA_ADDRESS, address.getAddress());
        if (validLifetimeSec != INFINITY_LIFE_TIME) {
            ByteBuffer ci = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            ci.putInt(validLifetimeSec).putInt(validLifetimeSec).putInt(0).putInt(0); // preferred, valid, stamps
            attr(b, IFA_CACHEINFO, ci.array());
        }
        return finish(b);
    }

    /** RTM_DELADDR for an IPv4 address on interface {@code ifindex}. */
    public static byte[] deleteAddress(int seq, int ifindex, Inet4Address address, int prefix) {
        ByteBuffer b = header(64, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq);
        ifaddrmsg(b, prefix, ifindex);
        attr(b, IFA_LOCAL, address.getAddress());
        attr(b, IFA_ADDRESS, address.getAddress());
        return finish(b);
    }

    /** RTM_GETADDR dump of every IPv4 address. */
    public static byte[] dumpAddresses(int seq) {
        ByteBuffer b = header(32, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
        ifaddrmsg(b, 0, 0);
        return finish(b);
    }

    /** RTM_GETLINK dump of every interface. */
    public static byte[] dumpLinks(int seq) {
        ByteBuffer b = header(48, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
        b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0); // ifinfomsg, AF_UNSPEC
        return finish(b);
    }

    private static void ifaddrmsg(ByteBuffer b, int prefix, int ifindex) {
        b.put((byte) AF_INET).put((byte) prefix).put((byte) 0).put((byte) 0).putInt(ifindex); // scope universe
    }

    /** One message of a netlink reply. {@code payload} starts after the 16-byte header. */
    public record Message(int type, int flags, int seq, ByteBuffer payload) {
        /** For NLMSG_ERROR: 0 is an acknowledgement, otherwise a negative errno. */
        public int error() {
            return payload.getInt(0);
        }
    }

    /** Splits a buffer received from a netlink socket into its messages. */
    public static List<Message> split(byte[] buf, int length) {
        List<Message> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.nativeOrder());
        int pos = 0;
        while (pos + NLMSG_HDRLEN <= length) {
            int len = b.getInt(pos);
            if (len < NLMSG_HDRLEN || pos + len > length) {
                break;
            }
            int type = b.getShort(pos + 4) & 0xffff;
            int flags = b.getShort(pos + 6) & 0xffff;
            int seq = b.getInt(pos + 8);
            // a copy: the caller reuses its receive buffer while a dump is still being collected
            byte[] body = java.util.Arrays.copyOfRange(buf, pos + NLMSG_HDRLEN, pos + len);
            ByteBuffer payload = ByteBuffer.wrap(body).order(ByteOrder.nativeOrder());
            out.add(new Message(type, flags, seq, payload));
            pos += align(len);
        }
        return out;
    }

    /** Decodes an RTM_NEWADDR message body (from a dump) into an IPv4 address, or null if it is not IPv4. */
    public static HostAddress decodeAddress(Message m, java.util.function.IntFunction<String> ifaceName) {
        ByteBuffer p = m.payload();
        if (m.type() != RTM_NEWADDR || p.limit() < IFADDRMSG_LEN || p.get(0) != AF_INET) {
            return null;
        }
        int prefix = p.get(1) & 0xff;
        int index = p.getInt(4);
        byte[] local = null;
        byte[] address = null;
        for (int pos = IFADDRMSG_LEN; pos + 4 <= p.limit(); ) {
            int len = p.getShort(pos) & 0xffff;
            int type = p.getShort(pos + 2) & 0xffff;
            if (len < 4 || pos + len > p.limit()) {
                break;
            }
            if ((type == IFA_LOCAL || type == IFA_ADDRESS) && len == 8) {
                byte[] a = new byte[4];
                p.get(pos + 4, a);
                if (type == IFA_LOCAL) {
                    local = a;
                } else {
                    address = a;
                }
            }
            pos += align(len);
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
    public static NetInterface decodeLink(Message m) {
        ByteBuffer p = m.payload();
        if (m.type() != RTM_NEWLINK || p.limit() < IFINFOMSG_LEN) {
            return null;
        }
        int index = p.getInt(4);
        int flags = p.getInt(8);
        String name = null;
        MacAddress mac = null;
        for (int pos = IFINFOMSG_LEN; pos + 4 <= p.limit(); ) {
            int len = p.getShort(pos) & 0xffff;
            int type = p.getShort(pos + 2) & 0xffff;
            if (len < 4 || pos + len > p.limit()) {
                break;
            }
            if (type == IFLA_IFNAME) {
                byte[] s = new byte[len - 4];
                p.get(pos + 4, s);
                int end = 0;
                while (end < s.length && s[end] != 0) {
                    end++;
                }
                name = new String(s, 0, end, StandardCharsets.UTF_8);
            } else if (type == IFLA_ADDRESS && len == 10) {
                byte[] a = new byte[6];
                p.get(pos + 4, a);
                mac = new MacAddress(a);
            }
            pos += align(len);
        }
        return name == null ? null : new NetInterface(index, name, mac, (flags & IFF_UP) != 0);
    }
}
