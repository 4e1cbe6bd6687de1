package io.vipd.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An AF_PACKET raw socket on one interface, for ARP and neighbour discovery. Opened for sending only
 * ({@code receive == false}: protocol 0, so the kernel queues nothing to it), or bound to receive ARP frames or
 * neighbour discovery frames (the conflict watch, the test referees).
 */
public final class PacketSocket implements AutoCloseable {
    private static final int ARPHRD_ETHER = 1;

    private final int fd;
    private final int ifindex;

    private PacketSocket(int fd, int ifindex) {
        this.fd = fd;
        this.ifindex = ifindex;
    }

    public static PacketSocket open(int ifindex, boolean receive, long receiveTimeoutMs) throws IOException {
        return receive ? bound(ifindex, ArpFrame.ETH_P_ARP, receiveTimeoutMs, false) : unbound(ifindex);
    }

    /** A socket for sending only (protocol 0: it receives nothing). */
    private static PacketSocket unbound(int ifindex) throws IOException {
        return new PacketSocket(NativeSockets.open(LibC.AF_PACKET, LibC.SOCK_RAW, 0, "AF_PACKET"), ifindex);
    }

    /**
     * A socket bound to {@code ifindex}, receiving the frames of one Ethernet protocol; with {@code ndpOnly}, only
     * neighbour discovery among them ({@link NeighbourDiscoveryFilter}). It is opened with protocol 0, which
     * receives nothing, and the filter attached, before the bind names the protocol and the interface: no frame of
     * another interface, or that the filter would drop, is queued in between.
     */
    private static PacketSocket bound(int ifindex, int ethProtocol, long receiveTimeoutMs, boolean ndpOnly)
            throws IOException {
        int fd = NativeSockets.open(LibC.AF_PACKET, LibC.SOCK_RAW, 0, "AF_PACKET");
        try {
            if (ndpOnly) {
                NeighbourDiscoveryFilter.attach(fd);
            }
            ByteBuffer b = ByteBuffer.wrap(sockaddrLl(ifindex, MacAddress.ZERO)).order(ByteOrder.nativeOrder());
            b.putShort(2, htons(ethProtocol));
            byte[] ll = b.array();
            if (LibC.get().bind(fd, ll, ll.length) != 0) {
                throw NativeSockets.error("bind(AF_PACKET, ifindex " + ifindex + ")", LibC.errno());
            }
            NativeSockets.setReceiveTimeout(fd, receiveTimeoutMs);
        } catch (IOException e) {
            LibC.get().close(fd);
            throw e;
        }
        return new PacketSocket(fd, ifindex);
    }

    /**
     * A socket receiving the neighbour solicitations and advertisements on {@code ifindex}, and no other IPv6 (and
     * sending any frame). Its {@link #receiveFrame} returns whole Ethernet frames, {@link #receiveNdp} decoded ones.
     */
    public static PacketSocket openNeighbourDiscovery(int ifindex, long receiveTimeoutMs) throws IOException {
        return bound(ifindex, NdpFrame.ETH_P_IPV6, receiveTimeoutMs, true);
    }

    /** Receives one frame into {@code buffer}; its length, or -1 on timeout. */
    public int receiveFrame(byte[] buffer) throws IOException {
        long n = LibC.get().recv(fd, buffer, buffer.length, 0);
        if (n < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                return -1;
            }
            throw NativeSockets.error("receive a frame", errno);
        }
        return (int) n;
    }

    /** sockaddr_ll for ARP on {@code ifindex}; see packet(7). */
    static byte[] sockaddrLl(int ifindex, MacAddress destination) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        b.putShort((short) LibC.AF_PACKET);
        b.putShort(htons(ArpFrame.ETH_P_ARP));
        b.putInt(ifindex);
        b.putShort((short) ARPHRD_ETHER);
        b.put((byte) 0);                        // pkttype
        b.put((byte) 6);                        // halen
        b.put(destination.bytes()).put(new byte[2]);
        return b.array();
    }

    /** The value that, stored in host order, has the network-order bytes of {@code v}. */
    private static short htons(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? (short) v : Short.reverseBytes((short) v);
    }

    public void send(ArpFrame frame) throws IOException {
        send(frame.encode(), frame.destination());
    }

    /** Sends a whole Ethernet frame as given (tests also send frames no ARP implementation would make). */
    public void send(byte[] frame, MacAddress destination) throws IOException {
        byte[] ll = sockaddrLl(ifindex, destination);
        long n = LibC.get().sendto(fd, frame, frame.length, 0, ll, ll.length);
        if (n != frame.length) {
            throw NativeSockets.error("send a frame on ifindex " + ifindex, LibC.errno());
        }
    }

    private static final long SIOCGSTAMPNS = 0x8907;
    private final byte[] timespec = new byte[16];

    /**
     * When the kernel received the last frame returned by {@link #receive}, in CLOCK_REALTIME nanoseconds, or -1.
     * Unlike a clock read by the receiving thread, this is not delayed when that thread waits for a CPU.
     */
    public long lastReceivedRealtimeNanos() {
        if (LibC.get().ioctl(fd, SIOCGSTAMPNS, timespec) != 0) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(timespec).order(ByteOrder.nativeOrder());
        return b.getLong(0) * 1_000_000_000L + b.getLong(8);
    }

    /** Receives one neighbour discovery frame; null on timeout or a frame {@link NdpFrame#decode} refuses. */
    public NdpFrame receiveNdp(byte[] buffer) throws IOException {
        int n = receiveFrame(buffer);
        return n < 0 ? null : NdpFrame.decode(buffer, n);
    }

    /** Receives one ARP frame; returns null on timeout or a frame that is not Ethernet/IPv4 ARP. */
    public ArpFrame receive(byte[] buffer) throws IOException {
        int n = receiveFrame(buffer);
        return n < 0 ? null : ArpFrame.decode(buffer, n);
    }

    @Override
    public void close() {
        LibC.get().close(fd);
    }
}
