package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading what the kernel sends: messages, attributes, acknowledgements and errors. */
class NetlinkParserTest {
    /** A message as the kernel would send it: header in host order, then {@code payload}. */
    static ByteBuffer put(ByteBuffer b, int type, int flags, int seq, byte[] payload) {
        b.putInt(16 + payload.length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        b.put(payload);
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
        return b;
    }

    static ByteBuffer buffer() {
        return ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
    }

    /** NLMSG_ERROR: the errno (0 for an acknowledgement), then the header of the message it answers. */
    static byte[] ack(int error, int seq) {
        ByteBuffer p = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        p.putInt(error).putInt(20).putShort((short) 0x0a0c).putShort((short) 0x405).putInt(seq).putInt(0);
        return p.array();
    }

    static List<NetlinkMessage> parse(ByteBuffer b) {
        return NetlinkParser.messages(b.array(), b.position());
    }

    @Test
    void splitsAlignedMessagesAndCopiesTheirPayloads() {
        ByteBuffer b = buffer();
        put(b, 100, 2, 7, new byte[] {1, 2, 3});          // 19 bytes, padded to 20
        put(b, 101, 2, 7, new byte[] {4});
        List<NetlinkMessage> msgs = parse(b);
        assertEquals(2, msgs.size());
        assertEquals(3, msgs.get(0).payload().limit());
        assertEquals(101, msgs.get(1).type());
        assertEquals(4, msgs.get(1).payload().get(0));
        b.put(16, (byte) 99);                             // the caller reuses its receive buffer
        assertEquals(1, msgs.get(0).payload().get(0));
    }

    @Test
    void stopsAtAMessageThatDoesNotFitKeepingThoseBefore() {
        ByteBuffer b = buffer();
        put(b, 100, 0, 1, new byte[4]);
        int first = b.position();
        put(b, 101, 0, 2, new byte[8]);
        assertEquals(2, NetlinkParser.messages(b.array(), b.position()).size());
        assertEquals(1, NetlinkParser.messages(b.array(), b.position() - 1).size()); // its length runs past the end
        assertEquals(1, NetlinkParser.messages(b.array(), first + 10).size());       // not even a header left
        ByteBuffer shortLength = buffer();
        put(shortLength, 100, 0, 1, new byte[4]);
        shortLength.putInt(8).putShort((short) 3).putShort((short) 0).putInt(2).putInt(0); // shorter than a header
        put(shortLength, 100, 0, 3, new byte[4]);
        assertEquals(1, parse(shortLength).size());
    }

    @Test
    void errorMessagesAreAcknowledgementsOrNegativeErrnos() {
        ByteBuffer b = buffer();
        put(b, NetlinkConstants.NLMSG_ERROR, 0x100, 11, ack(0, 11));  // NLM_F_CAPPED: no echoed payload
        put(b, NetlinkConstants.NLMSG_ERROR, 0, 12, ack(-17, 12));
        put(b, NetlinkConstants.NLMSG_DONE, NetlinkConstants.NLM_F_MULTI | NetlinkConstants.NLM_F_DUMP_INTR, 13,
                new byte[4]);
        List<NetlinkMessage> msgs = parse(b);
        assertTrue(msgs.get(0).isError());
        assertEquals(0, msgs.get(0).error());
        assertTrue(msgs.get(1).isError());
        assertEquals(-17, msgs.get(1).error());                         // EEXIST
        assertFalse(msgs.get(2).isError());
        assertTrue(msgs.get(2).isDone());
        assertTrue(msgs.get(2).dumpInterrupted());
        assertFalse(msgs.get(0).dumpInterrupted());
    }

    @Test
    void attributesAfterTheFixedHeaderWithNestingStringsAndIntegers() {
        byte[] m = new NetlinkBuilder().message(1, 0, 1).u8(2).u8(24)  // a 2-byte fixed header, aligned to 4
                .attrString(3, "eth0")
                .nest(4).attrBe32(1, 0x0a000001).attr(2, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())
                        .putInt(300).array()).end()
                .attr(5 | NetlinkConstants.NLA_F_NET_BYTEORDER, new byte[] {0, 80})
                .endMessage().bytes();
        List<NetlinkAttribute> attrs = NetlinkParser.messages(m, m.length).get(0).attributes(2);
        assertEquals(3, attrs.size());
        assertEquals(3, attrs.get(0).type());
        assertEquals("eth0", attrs.get(0).string());
        assertFalse(attrs.get(0).nested());
        assertEquals(4, attrs.get(1).type());                          // NLA_F_NESTED is a flag, not the type
        assertTrue(attrs.get(1).nested());
        List<NetlinkAttribute> inner = attrs.get(1).children();
        assertEquals(0x0a000001, inner.get(0).be32());
        assertEquals(300, inner.get(1).u32());
        assertEquals(5, attrs.get(2).type());
    }

    @Test
    void stopsAtAnAttributeThatDoesNotFit() {
        ByteBuffer p = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        p.putShort((short) 8).putShort((short) 1).putInt(7);                // fine
        p.putShort((short) 2).putShort((short) 2);                          // shorter than its own header
        p.putShort((short) 8).putShort((short) 3).putInt(9);
        assertEquals(1, NetlinkParser.attributes(p, 0, 20).size());
        ByteBuffer q = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        q.putShort((short) 8).putShort((short) 1).putInt(7);
        q.putShort((short) 12).putShort((short) 2);                         // runs past the end
        assertEquals(1, NetlinkParser.attributes(q, 0, 12).size());
    }

    @Test
    void acknowledgementsOfABatchSettleOneByOneAndTheFirstRefusalIsTheAnswer() {
        NetlinkAcks acks = new NetlinkAcks(11, 3);
        ByteBuffer first = buffer();
        put(first, NetlinkConstants.NLMSG_ERROR, 0, 11, ack(0, 11));
        put(first, NetlinkConstants.NLMSG_ERROR, 0, 4, ack(-1, 4));       // a late answer to an earlier request
        put(first, 0x0a0c, 0, 12, new byte[4]);                            // not an acknowledgement
        assertEquals(0, acks.take(parse(first)));
        assertEquals(2, acks.pending());
        ByteBuffer second = buffer();
        put(second, NetlinkConstants.NLMSG_ERROR, 0, 12, ack(0, 12));
        put(second, NetlinkConstants.NLMSG_ERROR, 0, 13, ack(-17, 13));
        assertEquals(17, acks.take(parse(second)));
        assertTrue(acks.done());
        NetlinkAcks none = new NetlinkAcks(20, 0);
        assertTrue(none.done());
    }

    @Test
    void aRepeatedAcknowledgementCountsOnce() {
        NetlinkAcks acks = new NetlinkAcks(5, 2);
        ByteBuffer b = buffer();
        put(b, NetlinkConstants.NLMSG_ERROR, 0, 5, ack(0, 5));
        put(b, NetlinkConstants.NLMSG_ERROR, 0, 5, ack(-22, 5));          // already settled: passed over
        assertEquals(0, acks.take(parse(b)));
        assertFalse(acks.done());
        assertEquals(1, acks.pending());
    }
}
