package io.vipd.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A netlink socket (NETLINK_ROUTE for addresses and links, NETLINK_NETFILTER for the nftables fence): sends one
 * request or batch at a time and reads its acknowledgements or dump. Not thread-safe.
 */
final class NetlinkSocket implements AutoCloseable {
    private static final long RECEIVE_TIMEOUT_MS = 2000;

    private final int fd;
    private final byte[] kernel = sockaddrNl();
    private final byte[] buffer = new byte[64 * 1024];
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    NetlinkSocket() throws IOException {
        this(NetlinkConstants.NETLINK_ROUTE);
    }

    NetlinkSocket(int protocol) throws IOException {
        fd = NativeSockets.open(LibC.AF_NETLINK, LibC.SOCK_RAW, protocol, "AF_NETLINK/" + protocol);
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

    private List<NetlinkMessage> receive(String what) throws IOException {
        while (true) {
            long n = LibC.get().recv(fd, buffer, buffer.length, 0);
            if (n >= 0) {
                return NetlinkParser.messages(buffer, (int) n);
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
        if (!awaitAcks(new NetlinkAcks(seq, 1), what)) {
            throw new IOException(what + ": no acknowledgement from the kernel");
        }
    }

    /**
     * Sends a batch of {@code messages} whose sequence numbers start at {@code firstSeq} and waits until the
     * {@code acks} messages that asked for an acknowledgement have one. The first kernel error becomes an exception
     * (the kernel then applies none of the batch).
     */
    void batch(byte[] messages, int firstSeq, int acks, String what) throws IOException {
        send(messages, what);
        NetlinkAcks pending = new NetlinkAcks(firstSeq + 1, acks); // the batch-begin message (firstSeq) has none
        if (!awaitAcks(pending, what)) {
            throw new IOException(what + ": no acknowledgement from the kernel for " + pending.pending()
                    + " messages");
        }
    }

    /** Receives until every acknowledgement in {@code acks} came (true) or 64 reads passed (false). */
    private boolean awaitAcks(NetlinkAcks acks, String what) throws IOException {
        for (int round = 0; round < 64 && !acks.done(); round++) {
            int errno = acks.take(receive(what));
            if (errno != 0) {
                throw NativeSockets.error(what, errno);
            }
        }
        return acks.done();
    }

    /**
     * Sends a dump request and collects every message until NLMSG_DONE, repeating the dump (new sequence number)
     * when the kernel marks it interrupted: an address list read while addresses churn can miss entries.
     */
    List<NetlinkMessage> dump(java.util.function.IntFunction<byte[]> request, String what) throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            int seq = nextSeq();
            List<NetlinkMessage> out = dumpOnce(request.apply(seq), seq, what);
            if (out.stream().noneMatch(NetlinkMessage::dumpInterrupted)) {
                return out;
            }
        }
        throw new IOException(what + ": the list kept changing during 10 dumps");
    }

    private List<NetlinkMessage> dumpOnce(byte[] message, int seq, String what) throws IOException {
        send(message, what);
        List<NetlinkMessage> out = new ArrayList<>();
        for (int round = 0; round < 100_000; round++) {
            for (NetlinkMessage m : receive(what)) {
                if (m.seq() != seq) {
                    continue;
                }
                if (m.isDone()) {
                    return out;
                }
                if (m.isError() && m.error() != 0) {
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
