package io.vipd.host;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Writes a sequence of netlink messages with (nested) attributes into one buffer. Headers use the host's byte
 * order, as netlink requires; attribute payloads are written as given ({@link #attrBe32} for nftables' big-endian
 * integers).
 */
final class NetlinkBuilder {
    static final int NLA_F_NESTED = 0x8000;

    private ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();
    private int messageStart = -1;

    private void ensure(int more) {
        if (b.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more))
                    .order(ByteOrder.nativeOrder());
            b.flip();
            bigger.put(b);
            b = bigger;
        }
    }

    private void pad() {
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    NetlinkBuilder message(int type, int flags, int seq) {
        ensure(16);
        messageStart = b.position();
        b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        return this;
    }

    /** struct nfgenmsg: family, version 0, resource id (big-endian). */
    NetlinkBuilder nfgen(int family, int resId) {
        ensure(4);
        b.put((byte) family).put((byte) 0).put((byte) (resId >> 8)).put((byte) resId);
        return this;
    }

    NetlinkBuilder endMessage() {
        b.putInt(messageStart, b.position() - messageStart);
        messageStart = -1;
        return this;
    }

    NetlinkBuilder attr(int type, byte[] data) {
        ensure(4 + data.length + 3);
        b.putShort((short) (4 + data.length)).putShort((short) type).put(data);
        pad();
        return this;
    }

    NetlinkBuilder attrString(int type, String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(raw, raw.length + 1));
    }

    NetlinkBuilder attrBe32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).putInt(v).array());
    }

    NetlinkBuilder attrBe64(int type, long v) {
        return attr(type, ByteBuffer.allocate(8).putLong(v).array());
    }

    NetlinkBuilder nest(int type) {
        ensure(4);
        open.push(b.position());
        b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return this;
    }

    NetlinkBuilder end() {
        int start = open.pop();
        b.putShort(start, (short) (b.position() - start));
        return this;
    }

    byte[] bytes() {
        if (!open.isEmpty() || messageStart >= 0) {
            throw new IllegalStateException("unterminated message or attribute");
        }
        return Arrays.copyOf(b.array(), b.position());
    }
}
