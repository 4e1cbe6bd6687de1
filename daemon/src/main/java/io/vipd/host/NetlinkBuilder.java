package io.vipd.host;

import static io.vipd.host.NetlinkConstants.NLA_F_NESTED;
import static io.vipd.host.NetlinkConstants.NLA_HDRLEN;
import static io.vipd.host.NetlinkConstants.NLMSG_HDRLEN;
import static io.vipd.host.NetlinkConstants.NLM_F_REQUEST;
import static io.vipd.host.NftablesConstants.NFNETLINK_V0;
import static io.vipd.host.NftablesConstants.NFNL_MSG_BATCH_BEGIN;
import static io.vipd.host.NftablesConstants.NFNL_MSG_BATCH_END;
import static io.vipd.host.NftablesConstants.NFPROTO_UNSPEC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Writes netlink messages into one buffer, for every family vipd speaks ({@link RtnetlinkCodec},
 * {@link NftablesEncoder}): the {@code nlmsghdr}, the family's fixed header, attributes nested to any depth, each
 * message and attribute starting at a multiple of 4, and nfnetlink's batch framing. Headers and fixed-header fields
 * use the host's byte order, as netlink requires; attribute payloads are written as given ({@link #attrBe32} for
 * nftables' big-endian integers). {@link NetlinkParser} reads what this writes.
 */
final class NetlinkBuilder {
    private ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();
    private int messageStart = -1;

    /** Room for {@code more} bytes and the up to 3 bytes of padding that may follow them. */
    private void ensure(int more) {
        if (b.remaining() < more + 3) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more + 3))
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

    private void inMessage() {
        if (messageStart < 0) {
            throw new IllegalStateException("no message is open");
        }
    }

    /** Starts a message: its {@code nlmsghdr}, whose length {@link #endMessage} fills in; port id 0 (the kernel). */
    NetlinkBuilder message(int type, int flags, int seq) {
        if (messageStart >= 0) {
            throw new IllegalStateException("message still open");
        }
        ensure(NLMSG_HDRLEN);
        messageStart = b.position();
        b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        return this;
    }

    /** A byte of the fixed header that follows the {@code nlmsghdr}. */
    NetlinkBuilder u8(int v) {
        inMessage();
        ensure(1);
        b.put((byte) v);
        return this;
    }

    /** A 16-bit field of the fixed header, host byte order. */
    NetlinkBuilder u16(int v) {
        inMessage();
        ensure(2);
        b.putShort((short) v);
        return this;
    }

    /** A 32-bit field of the fixed header, host byte order. */
    NetlinkBuilder u32(int v) {
        inMessage();
        ensure(4);
        b.putInt(v);
        return this;
    }

    /** struct nfgenmsg, nfnetlink's fixed header: family, version 0, resource id (big-endian). */
    NetlinkBuilder nfgen(int family, int resId) {
        return u8(family).u8(NFNETLINK_V0).u8(resId >> 8).u8(resId);
    }

    /** Ends the message: fills in its length and pads to 4 bytes so the next one starts aligned. */
    NetlinkBuilder endMessage() {
        inMessage();
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " nested attributes still open");
        }
        b.putInt(messageStart, b.position() - messageStart);
        pad();
        messageStart = -1;
        return this;
    }

    /** nfnetlink's NFNL_MSG_BATCH_BEGIN: the messages up to {@link #endBatch} are one transaction of {@code resId}. */
    NetlinkBuilder beginBatch(int seq, int resId) {
        return message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq).nfgen(NFPROTO_UNSPEC, resId).endMessage();
    }

    /** nfnetlink's NFNL_MSG_BATCH_END: commits the transaction. */
    NetlinkBuilder endBatch(int seq, int resId) {
        return message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq).nfgen(NFPROTO_UNSPEC, resId).endMessage();
    }

    /** An attribute: {@code nlattr} header, {@code data}, padding (not counted in its length). */
    NetlinkBuilder attr(int type, byte[] data) {
        inMessage();
        ensure(3 + NLA_HDRLEN + data.length);
        pad();
        b.putShort((short) (NLA_HDRLEN + data.length)).putShort((short) type).put(data);
        pad();
        return this;
    }

    /** A NUL-terminated string attribute. */
    NetlinkBuilder attrString(int type, String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(raw, raw.length + 1));
    }

    /** A 32-bit attribute in network byte order (nftables' integers). */
    NetlinkBuilder attrBe32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).putInt(v).array());
    }

    /** A 64-bit attribute in network byte order. */
    NetlinkBuilder attrBe64(int type, long v) {
        return attr(type, ByteBuffer.allocate(8).putLong(v).array());
    }

    /** Opens a nested attribute (NLA_F_NESTED set); the attributes up to the matching {@link #end} are inside it. */
    NetlinkBuilder nest(int type) {
        inMessage();
        ensure(3 + NLA_HDRLEN);
        pad();
        open.push(b.position());
        b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return this;
    }

    /** Closes the innermost nested attribute, its length covering everything inside it. */
    NetlinkBuilder end() {
        if (open.isEmpty()) {
            throw new IllegalStateException("no nested attribute is open");
        }
        int start = open.pop();
        b.putShort(start, (short) (b.position() - start));
        return this;
    }

    /** The messages written so far. */
    byte[] bytes() {
        if (!open.isEmpty() || messageStart >= 0) {
            throw new IllegalStateException("unterminated message or attribute");
        }
        return Arrays.copyOf(b.array(), b.position());
    }
}
