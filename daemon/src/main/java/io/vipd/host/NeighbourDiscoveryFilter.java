package io.vipd.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic BPF program (see socket(7), SO_ATTACH_FILTER) that lets through only ICMPv6 neighbour solicitations and
 * advertisements without extension headers. A packet socket bound to IPv6 would otherwise copy every IPv6 packet
 * the interface receives, the VIPs' own traffic included, to the daemon; with it the kernel drops the rest before
 * it is queued. Neighbour discovery carries no extension headers, so reading the next-header field is enough.
 */
final class NeighbourDiscoveryFilter {
    private NeighbourDiscoveryFilter() {}

    private static final int SO_ATTACH_FILTER = 26;
    private static final short LD_H_ABS = 0x28;
    private static final short LD_B_ABS = 0x30;
    private static final short JEQ_K = 0x15;
    private static final short RET_K = 0x06;

    /** The program: {code, jump if true, jump if false, constant}; jumps count instructions after the next one. */
    static final int[][] PROGRAM = {
        {LD_H_ABS, 0, 0, 12},                       // 0: Ethernet type
        {JEQ_K, 0, 5, NdpFrame.ETH_P_IPV6},         // 1: not IPv6 → 7
        {LD_B_ABS, 0, 0, 14 + 6},                   // 2: IPv6 next header
        {JEQ_K, 0, 3, 58},                          // 3: not ICMPv6 → 7
        {LD_B_ABS, 0, 0, 14 + 40},                  // 4: ICMPv6 type
        {JEQ_K, 2, 0, NdpFrame.SOLICITATION},       // 5: → 8
        {JEQ_K, 1, 0, NdpFrame.ADVERTISEMENT},      // 6: → 8, else 7
        {RET_K, 0, 0, 0},                           // 7: drop
        {RET_K, 0, 0, 0x40000},                     // 8: keep the whole frame
    };

    /** The program as the kernel's struct sock_filter array, in host byte order. */
    static byte[] encoded() {
        ByteBuffer b = ByteBuffer.allocate(PROGRAM.length * 8).order(ByteOrder.nativeOrder());
        for (int[] i : PROGRAM) {
            b.putShort((short) i[0]).put((byte) i[1]).put((byte) i[2]).putInt(i[3]);
        }
        return b.array();
    }

    /**
     * The program in native memory, kept for the life of the process: the kernel copies it in setsockopt, but
     * struct sock_fprog must point at it.
     */
    private static final jnr.ffi.Pointer NATIVE;

    static {
        byte[] program = encoded();
        NATIVE = jnr.ffi.Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), program.length);
        NATIVE.put(0, program, 0, program.length);
    }

    /** struct sock_fprog: the program's length, then (aligned to a pointer) a pointer to it. */
    static byte[] fprog(int addressSize, long address) {
        ByteBuffer b = ByteBuffer.allocate(2 * addressSize).order(ByteOrder.nativeOrder());
        b.putShort((short) PROGRAM.length);
        if (addressSize == 8) {
            b.putLong(8, address);
        } else {
            b.putInt(4, (int) address);
        }
        return b.array();
    }

    /** Attaches the program to {@code fd}. */
    static void attach(int fd) throws IOException {
        byte[] fprog = fprog(jnr.ffi.Runtime.getSystemRuntime().addressSize(), NATIVE.address());
        if (LibC.get().setsockopt(fd, LibC.SOL_SOCKET, SO_ATTACH_FILTER, fprog, fprog.length) != 0) {
            throw NativeSockets.error("setsockopt(SO_ATTACH_FILTER)", LibC.errno());
        }
    }
}
