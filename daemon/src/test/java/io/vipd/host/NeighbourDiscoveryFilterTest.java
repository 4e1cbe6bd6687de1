package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The socket filter's program, run by a small interpreter of the classic BPF instructions it uses: the kernel would
 * refuse a malformed program at attach time, but not a program that filters the wrong frames.
 */
class NeighbourDiscoveryFilterTest {
    static final MacAddress MAC = new MacAddress(HexFormat.of().parseHex("020000000001"));

    /** The bytes the program keeps of {@code frame}: 0 for a dropped frame. */
    static int run(byte[] frame) {
        int a = 0;
        int pc = 0;
        for (int steps = 0; steps < 100; steps++) {
            int[] i = NeighbourDiscoveryFilter.PROGRAM[pc];
            switch (i[0]) {
                case 0x28 -> a = i[3] + 1 < frame.length ? ((frame[i[3]] & 0xff) << 8) | (frame[i[3] + 1] & 0xff) : -1;
                case 0x30 -> a = i[3] < frame.length ? frame[i[3]] & 0xff : -1;
                case 0x15 -> {
                    pc += a == i[3] ? i[1] : i[2];
                }
                case 0x06 -> {
                    return i[3];
                }
                default -> throw new AssertionError("instruction " + i[0]);
            }
            if (a == -1) {
                return 0; // a load past the end of the frame: the kernel drops the frame
            }
            pc++;
        }
        throw new AssertionError("no return");
    }

    static byte[] ipv6(int nextHeader, int icmpType) {
        byte[] f = NdpFrame.unsolicitedAdvertisement(MAC, v6("2001:db8::100"));
        f[20] = (byte) nextHeader;
        f[54] = (byte) icmpType;
        return f;
    }

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void keepsSolicitationsAndAdvertisementsWhole() {
        assertTrue(run(NdpFrame.unsolicitedAdvertisement(MAC, v6("2001:db8::100"))) >= 1500);
        assertTrue(run(NdpFrame.duplicateAddressProbe(MAC, v6("2001:db8::100"))) >= 1500);
        assertTrue(run(NdpFrame.solicitation(MAC, v6("2001:db8::9"), v6("2001:db8::100"))) >= 1500);
    }

    @Test
    void dropsTheRestOfIpv6AndEverythingElse() throws Exception {
        assertEquals(0, run(ipv6(58, 128)), "ICMPv6 echo request");
        assertEquals(0, run(ipv6(58, 134)), "router advertisement");
        assertEquals(0, run(ipv6(6, 135)), "TCP whose byte 54 happens to be 135");
        assertEquals(0, run(ipv6(0, 135)), "behind a hop-by-hop header: neighbour discovery carries none");
        assertEquals(0, run(ArpFrame.gratuitous(MAC, (Inet4Address) InetAddress.getByName("198.18.0.100"))
                .encode()), "ARP");
        assertEquals(0, run(new byte[14]), "too short");
    }

    @Test
    void theEncodedProgramIsTheKernelsLayout() {
        byte[] b = NeighbourDiscoveryFilter.encoded();
        assertEquals(NeighbourDiscoveryFilter.PROGRAM.length * 8, b.length, "struct sock_filter is 8 bytes");
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder());
        assertEquals(0x28, buf.getShort(0));
        assertEquals(12, buf.getInt(4));
        assertEquals(5, b[8 + 3], "jump if false of the second instruction");
        assertEquals(0x86dd, buf.getInt(8 + 4));
    }

    @Test
    void theProgramHeaderFitsTheAbi() {
        java.nio.ByteBuffer b64 = java.nio.ByteBuffer.wrap(NeighbourDiscoveryFilter.fprog(8, 0x1122334455667788L))
                .order(java.nio.ByteOrder.nativeOrder());
        assertEquals(16, b64.capacity());
        assertEquals(NeighbourDiscoveryFilter.PROGRAM.length, b64.getShort(0));
        assertEquals(0x1122334455667788L, b64.getLong(8), "the pointer aligned to 8 bytes");
        java.nio.ByteBuffer b32 = java.nio.ByteBuffer.wrap(NeighbourDiscoveryFilter.fprog(4, 0x11223344L))
                .order(java.nio.ByteOrder.nativeOrder());
        assertEquals(8, b32.capacity());
        assertEquals(0x11223344, b32.getInt(4), "the pointer aligned to 4 bytes");
    }
}
