package io.vipd.host;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Ethernet frames carrying ARP (RFC 826), encoded and decoded without I/O.
 *
 * @param destination Ethernet destination
 * @param source      Ethernet source
 * @param operation   {@link #REQUEST} or {@link #REPLY}
 * @param senderMac   ARP sender hardware address
 * @param senderIp    ARP sender protocol address
 * @param targetMac   ARP target hardware address
 * @param targetIp    ARP target protocol address
 */
public record ArpFrame(MacAddress destination, MacAddress source, int operation,
                       MacAddress senderMac, Inet4Address senderIp, MacAddress targetMac, Inet4Address targetIp)
        implements NeighbourFrame {
    public static final int ETH_P_ARP = 0x0806;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    /** Shorter frames are padded: some switches drop Ethernet frames below the 60-byte minimum. */
    public static final int MIN_FRAME = 60;
    private static final int ARP_FRAME = 42;

    /**
     * A gratuitous ARP announcing that {@code vip} is at {@code mac}: a broadcast request whose sender and target
     * address are both the VIP, the form Linux and switches accept to update caches (as {@code arping -U}).
     */
    public static ArpFrame gratuitous(MacAddress mac, Inet4Address vip) {
        return new ArpFrame(MacAddress.BROADCAST, mac, REQUEST, mac, vip, MacAddress.ZERO, vip);
    }

    /** A broadcast request asking who has {@code target}. */
    public static ArpFrame request(MacAddress mac, Inet4Address senderIp, Inet4Address target) {
        return new ArpFrame(MacAddress.BROADCAST, mac, REQUEST, mac, senderIp, MacAddress.ZERO, target);
    }

    /** True when this frame announces its own sender address (gratuitous request or reply). */
    public boolean isGratuitous() {
        return senderIp.equals(targetIp);
    }

    @Override
    public InetAddress claimedAddress() {
        return senderIp == null || senderIp.isAnyLocalAddress() ? null : senderIp;
    }

    @Override
    public MacAddress claimedBy() {
        return senderMac;
    }

    @Override
    public String kind() {
        return operation == REPLY ? "reply" : operation != REQUEST ? null
                : isGratuitous() ? "gratuitous ARP" : "request";
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(MIN_FRAME); // big-endian: network order
        b.put(destination.bytes()).put(source.bytes()).putShort((short) ETH_P_ARP);
        b.putShort((short) 1)            // hardware type: Ethernet
                .putShort((short) 0x0800) // protocol type: IPv4
                .put((byte) 6).put((byte) 4)
                .putShort((short) operation);
        b.put(senderMac.bytes()).put(senderIp.getAddress()).put(targetMac.bytes()).put(targetIp.getAddress());
        return b.array(); // bytes 42..59 stay zero: padding
    }

    /** Decodes an Ethernet/IPv4 ARP frame; returns null for anything else. */
    public static ArpFrame decode(byte[] frame, int length) {
        if (length < ARP_FRAME) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(frame, 0, length);
        MacAddress dst = mac(b);
        MacAddress src = mac(b);
        if ((b.getShort() & 0xffff) != ETH_P_ARP || b.getShort() != 1 || (b.getShort() & 0xffff) != 0x0800
                || b.get() != 6 || b.get() != 4) {
            return null;
        }
        int op = b.getShort() & 0xffff;
        MacAddress sha = mac(b);
        Inet4Address spa = ip(b);
        MacAddress tha = mac(b);
        Inet4Address tpa = ip(b);
        return new ArpFrame(dst, src, op, sha, spa, tha, tpa);
    }

    private static MacAddress mac(ByteBuffer b) {
        byte[] m = new byte[6];
        b.get(m);
        return new MacAddress(m);
    }

    private static Inet4Address ip(ByteBuffer b) {
        byte[] a = new byte[4];
        b.get(a);
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 bytes
        }
    }
}
