package io.vipd.host;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Ethernet frames carrying IPv6 neighbour discovery (RFC 4861): the neighbour advertisement an owner sends unsolicited
 * to announce a VIP (the IPv6 gratuitous ARP), and the neighbour solicitation that asks who has one; encoded and
 * decoded without I/O. The ICMPv6 checksum covers the IPv6 pseudo-header (RFC 4443 §2.3); hop limit 255, as
 * receivers drop neighbour discovery that crossed a router.
 *
 * @param source    Ethernet source
 * @param type      {@link #ADVERTISEMENT} or {@link #SOLICITATION}
 * @param sender    IPv6 source address
 * @param target    the address the message is about
 * @param linkLayer the link-layer address option (target's for an advertisement, source's for a solicitation), or
 *                  null when absent
 * @param flags     an advertisement's R, S and O flags (the top three bits of the word after the checksum)
 */
public record NdpFrame(MacAddress source, int type, Inet6Address sender, Inet6Address target, MacAddress linkLayer,
                       int flags) implements NeighbourFrame {
    public static final int ETH_P_IPV6 = 0x86DD;
    public static final int SOLICITATION = 135;
    public static final int ADVERTISEMENT = 136;
    /** Override: receivers replace a cached link-layer address with this one (what an announcement is for). */
    public static final int FLAG_OVERRIDE = 0x20000000;
    public static final int FLAG_SOLICITED = 0x40000000;
    private static final int ICMPV6 = 58;
    private static final int HEADERS = 14 + 40;
    private static final int BODY = 24; // type, code, checksum, flags or reserved, target
    private static final int OPTION = 8; // one link-layer address option
    /** Ethernet's address for the all-nodes group ff02::1 (RFC 2464). */
    public static final MacAddress ALL_NODES_MAC = new MacAddress(new byte[] {0x33, 0x33, 0, 0, 0, 1});
    private static final byte[] ALL_NODES = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    /**
     * An unsolicited advertisement that {@code vip} is at {@code mac}, to all nodes (ff02::1), with the override
     * flag so that caches holding the previous owner's address take the new one.
     */
    public static byte[] unsolicitedAdvertisement(MacAddress mac, Inet6Address vip) {
        return encode(new byte[] {0x33, 0x33, 0, 0, 0, 1}, mac, ADVERTISEMENT, FLAG_OVERRIDE, vip.getAddress(),
                ALL_NODES, vip.getAddress(), 2);
    }

    /**
     * A duplicate address detection probe for {@code target} (RFC 4862 §5.4.2): a solicitation from the unspecified
     * address, without a link-layer address option, to target's solicited-node group. No cache learns anything from
     * it, and a host that has the address answers with an advertisement to all nodes (RFC 4861 §7.2.4), so every
     * node on the link hears who has it, not only the prober: IPv6's ARP probe.
     */
    public static byte[] duplicateAddressProbe(MacAddress mac, Inet6Address target) {
        byte[] t = target.getAddress();
        return encode(solicitedNodeMac(t), mac, SOLICITATION, 0, new byte[16], solicitedNode(t), t, 0);
    }

    /** A solicitation from {@code sender} asking who has {@code target}, to target's solicited-node address. */
    public static byte[] solicitation(MacAddress mac, Inet6Address sender, Inet6Address target) {
        byte[] t = target.getAddress();
        return encode(solicitedNodeMac(t), mac, SOLICITATION, 0, sender.getAddress(), solicitedNode(t), t, 1);
    }

    /** The solicited-node multicast group of an address (RFC 4291 §2.7.1). */
    private static byte[] solicitedNode(byte[] t) {
        return new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, t[13], t[14], t[15]};
    }

    private static byte[] solicitedNodeMac(byte[] t) {
        return new byte[] {0x33, 0x33, (byte) 0xff, t[13], t[14], t[15]};
    }

    /** @param optionType the link-layer address option to carry (1 source, 2 target), or 0 for none */
    private static byte[] encode(byte[] ethDst, MacAddress mac, int type, int flags, byte[] src, byte[] dst,
                                 byte[] target, int optionType) {
        int message = BODY + (optionType == 0 ? 0 : OPTION);
        ByteBuffer b = ByteBuffer.allocate(HEADERS + message);
        b.put(ethDst).put(mac.bytes()).putShort((short) ETH_P_IPV6);
        b.putInt(0x60000000).putShort((short) message).put((byte) ICMPV6).put((byte) 255).put(src).put(dst);
        b.put((byte) type).put((byte) 0).putShort((short) 0).putInt(flags).put(target);
        if (optionType != 0) {
            b.put((byte) optionType).put((byte) 1).put(mac.bytes());
        }
        byte[] frame = b.array();
        int sum = checksum(src, dst, frame, HEADERS, message);
        frame[HEADERS + 2] = (byte) (sum >> 8);
        frame[HEADERS + 3] = (byte) sum;
        return frame;
    }

    /** The ICMPv6 checksum of {@code length} bytes at {@code offset}, with the pseudo-header of src and dst. */
    static int checksum(byte[] src, byte[] dst, byte[] data, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < 16; i += 2) {
            sum += ((src[i] & 0xff) << 8) | (src[i + 1] & 0xff);
            sum += ((dst[i] & 0xff) << 8) | (dst[i + 1] & 0xff);
        }
        sum += length + ICMPV6; // upper-layer length (32 bits) and next header, as 16-bit words
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xff;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /**
     * Decodes an Ethernet/IPv6 neighbour solicitation or advertisement; null for anything else, for a message with
     * a wrong checksum, a hop limit other than 255 or a truncated body. Extension headers are not followed
     * (neighbour discovery carries none).
     */
    public static NdpFrame decode(byte[] frame, int length) {
        if (length < HEADERS + BODY) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(frame, 0, length);
        b.position(6);
        MacAddress src = mac(b);
        if ((b.getShort() & 0xffff) != ETH_P_IPV6 || (b.get(14) & 0xf0) != 0x60) {
            return null;
        }
        int payload = b.getShort(18) & 0xffff;
        if (b.get(20) != ICMPV6 || (b.get(21) & 0xff) != 255 || payload < 24 || HEADERS + payload > length) {
            return null;
        }
        byte[] sender = new byte[16];
        byte[] dst = new byte[16];
        b.position(22);
        b.get(sender).get(dst);
        int type = b.get(HEADERS) & 0xff;
        if (type != SOLICITATION && type != ADVERTISEMENT || b.get(HEADERS + 1) != 0
                || checksum(sender, dst, frame, HEADERS, payload) != 0) {
            return null;
        }
        int flags = b.getInt(HEADERS + 4) & 0xe0000000;
        byte[] target = new byte[16];
        b.position(HEADERS + 8);
        b.get(target);
        MacAddress linkLayer = null;
        int at = HEADERS + BODY;
        int wanted = type == ADVERTISEMENT ? 2 : 1;
        while (at + 8 <= HEADERS + payload) { // options: type, length in units of 8 bytes
            int optionType = frame[at] & 0xff;
            int optionLength = (frame[at + 1] & 0xff) * 8;
            if (optionLength == 0 || at + optionLength > HEADERS + payload) {
                return null; // RFC 4861 §4.6: a zero-length option is invalid
            }
            if (optionType == wanted && optionLength == 8) {
                byte[] m = new byte[6];
                System.arraycopy(frame, at + 2, m, 0, 6);
                linkLayer = new MacAddress(m);
            }
            at += optionLength;
        }
        return new NdpFrame(src, type, ip(sender), ip(target), linkLayer, type == ADVERTISEMENT ? flags : 0);
    }

    /** An advertisement's target; a solicitation's source address, unless it is a duplicate address probe. */
    @Override
    public InetAddress claimedAddress() {
        return type == ADVERTISEMENT ? target : sender.isAnyLocalAddress() ? null : sender;
    }

    /** The link-layer address option when there is one (what caches learn), else the Ethernet source. */
    @Override
    public MacAddress claimedBy() {
        return linkLayer != null ? linkLayer : source;
    }

    @Override
    public String kind() {
        return type == ADVERTISEMENT ? "neighbour advertisement" : "neighbour solicitation";
    }

    private static MacAddress mac(ByteBuffer b) {
        byte[] m = new byte[6];
        b.get(m);
        return new MacAddress(m);
    }

    private static Inet6Address ip(byte[] a) {
        try {
            return (Inet6Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 16 bytes
        }
    }
}
