package io.vipd.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A NETLINK_ROUTE socket: sends one request at a time and reads its acknowledgement or dump. Not thread-safe. */
final class RtNetlinkSocket implements AutoCloseable {
    private static final int NETLINK_ROUTE = 0;
    private static final long RECEIVE_TIMEOUT_MS = 2000;

    private final int fd;
    private final byte[] kernel = sockaddrNl();
    private final byte[] buffer = new byte[64 * 1024];
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    RtNetlinkSocket() throws IOException {
        fd = NativeSockets.open(LibC.AF_NETLINK, LibC.SOCK_RAW, NETLINK_ROUTE, "AF_NETLINK");
        try {
            if (LibC.get().bind(fd, sockaddrNl(), 12) != 0) {
                throw NativeSockets.error("bind(AF_NETLINK)", LibC.errno());
            }
            NativeSockets.setReceiveTimeout(fd, RECEIVE_TIMEOUT_MS);
        } catch (IOException e) {
            LibC.get().close(fd);
            throw e;
        }
    }

    private static byte[] sockaddrNl() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(0); // pid 0 = kernel / autobind
        return b.array();
    }

    int nextSeq() {
        return ++seq;
    }

    private void send(byte[] message, String what) throws IOException {
        long n = LibC.get().sendto(fd, message, message.length, 0, kernel, kernel.length);
        if (n != message.length) {
            throw NativeSockets.error("netlink send (" + what + ")", LibC.errno());
        }
    }

    private List<NetlinkCodec.Message> receive(String what) throws IOException {
        while (true) {
            long n = LibC.get().recv(fd, buffer, buffer.length, 0);
            if (n >= 0) {
                return NetlinkCodec.split(buffer, (int) n);
            }
            int errno = LibC.errno();
            if (errno != LibC.EINTR) {
                throw NativeSockets.error("netlink receive (" + what + ")", errno);
            }
        }
    }

    /** Sends a request with NLM_F_ACK and waits for its acknowledgement; a kernel error becomes an exception. */
    void request(byte[] message, int seq, String what) throws IOException {
        send(message, what);
        for (int round = 0; round < 64; round++) {
            for (NetlinkCodec.Message m : receive(what)) {
                if (m.seq() == seq && m.type() == NetlinkCodec.NLMSG_ERROR) {
                    int err = m.error();
                    if (err != 0) {
                        throw NativeSockets.error(what, -err);
                    }
                    return;
                }
            }
        }
        throw new IOException(what + ": no acknowledgement from the kernel");
    }

    /** Sends a dump request and collects every message until NLMSG_DONE. */
    List<NetlinkCodec.Message> dump(byte[] message, int seq, String what) throws IOException {
        send(message, what);
        List<NetlinkCodec.Message> out = new ArrayList<>();
        for (int round = 0; round < 100_000; round++) {
            for (NetlinkCodec.Message m : receive(what)) {
                if (m.seq() != seq) {
                    continue;
                }
                if (m.type() == NetlinkCodec.NLMSG_DONE) {
                    return out;
                }
                if (m.type() == NetlinkCodec.NLMSG_ERROR && m.error() != 0) {
                    throw NativeSockets.error(what, -m.error());
                }
                out.add(m);
            }
        }
        throw new IOException(what + ": dump did not end");
    }

    @Override
    public void close() {
        LibC.get().close(fd);
    }
}
