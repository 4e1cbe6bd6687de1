package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The framing every encoder shares: headers, alignment, nesting, nfnetlink batches, and misuse refused. */
class NetlinkBuilderTest {
    @BeforeAll
    static void littleEndianHost() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void attributesArePaddedToFourBytesButTheirLengthIsNot() {
        byte[] m = new NetlinkBuilder().message(0x1234, 0x5, 9)
                .attr(1, new byte[] {(byte) 0xaa})
                .attrString(2, "abc")                     // 3 bytes and a NUL: no padding
                .attrString(3, "vipd")                    // 5 bytes: 3 of padding
                .endMessage().bytes();
        assertEquals("2c000000" + "3412" + "0500" + "09000000" + "00000000"
                + "0500" + "0100" + "aa000000"
                + "0800" + "0200" + "61626300"
                + "0900" + "0300" + "7669706400000000", hex(m));
    }

    @Test
    void anUnalignedFixedHeaderIsPaddedBeforeAttributesAndAtTheMessageEnd() {
        byte[] two = new NetlinkBuilder()
                .message(1, 0, 1).u8(7).attrBe32(1, 1).endMessage()   // attribute starts at 20, not 17
                .message(2, 0, 2).u8(7).endMessage()                  // length 17, next message at 20
                .message(3, 0, 3).u16(0xbeef).endMessage()
                .bytes();
        assertEquals("1c000000" + "0100" + "0000" + "01000000" + "00000000" + "07000000" + "0800010000000001"
                + "11000000" + "0200" + "0000" + "02000000" + "00000000" + "07000000"
                + "12000000" + "0300" + "0000" + "03000000" + "00000000" + "efbe0000", hex(two));
        assertEquals(3, NetlinkParser.messages(two, two.length).size());
    }

    @Test
    void nestedAttributesCoverWhatIsInsideThemAndCarryTheNestedFlag() {
        byte[] m = new NetlinkBuilder().message(1, 0, 1)
                .nest(1)
                    .attr(2, new byte[] {1})
                    .nest(3).attrBe32(4, 1).end()
                .end()
                .endMessage().bytes();
        assertEquals("28000000" + "0100" + "0000" + "01000000" + "00000000"
                + "1800" + "0180"                                        // 4 + 8 + 12
                + "0500" + "0200" + "01000000"
                + "0c00" + "0380" + "0800" + "0400" + "00000001", hex(m));
    }

    @Test
    void nfgenmsgAndBatchFraming() {
        byte[] batch = new NetlinkBuilder()
                .beginBatch(5, NftablesConstants.NFNL_SUBSYS_NFTABLES)
                .message(0x0a00, 0x405, 6).nfgen(NftablesConstants.NFPROTO_IPV4, 0).endMessage()
                .endBatch(7, NftablesConstants.NFNL_SUBSYS_NFTABLES)
                .bytes();
        assertEquals("14000000" + "1000" + "0100" + "05000000" + "00000000" + "0000000a"   // BATCH_BEGIN, REQUEST
                + "14000000" + "000a" + "0504" + "06000000" + "00000000" + "02000000"      // nfgenmsg: IPv4, v0, res 0
                + "14000000" + "1100" + "0100" + "07000000" + "00000000" + "0000000a", hex(batch));
    }

    @Test
    void growsPastItsFirstBufferAndReadsBackWhatItWrote() {
        byte[] big = new byte[3001];
        big[3000] = 42;
        NetlinkBuilder nl = new NetlinkBuilder();
        for (int i = 0; i < 3; i++) {
            nl.message(100 + i, 0, i).u32(i).attr(1, big).nest(2).attrBe64(3, 1L << 40).end().endMessage();
        }
        byte[] out = nl.bytes();
        List<NetlinkMessage> msgs = NetlinkParser.messages(out, out.length);
        assertEquals(3, msgs.size());
        for (int i = 0; i < 3; i++) {
            NetlinkMessage m = msgs.get(i);
            assertEquals(100 + i, m.type());
            assertEquals(i, m.payload().getInt(0));
            List<NetlinkAttribute> attrs = m.attributes(4);
            assertEquals(2, attrs.size());
            assertArrayEquals(big, attrs.get(0).value());
            assertTrue(attrs.get(1).nested());
            assertEquals("0000010000000000", hex(attrs.get(1).children().get(0).value()));
        }
    }

    @Test
    void refusesUnbalancedUse() {
        assertThrows(IllegalStateException.class, () -> new NetlinkBuilder().attr(1, new byte[0]));
        assertThrows(IllegalStateException.class, () -> new NetlinkBuilder().u8(1));
        assertThrows(IllegalStateException.class, () -> new NetlinkBuilder().message(1, 0, 1).message(2, 0, 2));
        assertThrows(IllegalStateException.class, () -> new NetlinkBuilder().message(1, 0, 1).bytes());
        assertThrows(IllegalStateException.class, () -> new NetlinkBuilder().message(1, 0, 1).nest(1).endMessage());
        assertThrows(IllegalStateException.class, () -> new NetlinkBuilder().message(1, 0, 1).end());
    }
}
