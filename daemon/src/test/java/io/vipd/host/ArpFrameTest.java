package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ArpFrameTest {
    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void gratuitousArpBytes() throws Exception {
        MacAddress mac = MacAddress.parse("02:00:00:00:00:01");
        byte[] frame = ArpFrame.gratuitous(mac, ip("198.18.0.100")).encode();
        String expected = "ffffffffffff" + "020000000001" + "0806"   // Ethernet: broadcast, source, ARP
                + "0001" + "0800" + "06" + "04" + "0001"               // Ethernet/IPv4, request
                + "020000000001" + "c6120064"                          // sender: our MAC, the VIP
                + "000000000000" + "c6120064"                          // target: unknown MAC, the VIP
                + "00".repeat(18);                                     // padding to 60 bytes
        assertEquals(expected, HexFormat.of().formatHex(frame));
    }

    @Test
    void decodesWhatItEncodes() throws Exception {
        ArpFrame req = ArpFrame.request(MacAddress.parse("02:00:00:00:00:09"), ip("198.18.0.9"), ip("198.18.0.100"));
        byte[] bytes = req.encode();
        ArpFrame back = ArpFrame.decode(bytes, bytes.length);
        assertEquals(req, back);
        assertTrue(ArpFrame.gratuitous(MacAddress.parse("02:00:00:00:00:01"), ip("198.18.0.1")).isGratuitous());
        assertEquals(false, back.isGratuitous());
    }

    @Test
    void rejectsShortAndNonArpFrames() throws Exception {
        byte[] bytes = ArpFrame.gratuitous(MacAddress.parse("02:00:00:00:00:01"), ip("198.18.0.1")).encode();
        assertNull(ArpFrame.decode(bytes, 41));
        bytes[12] = 0x08;
        bytes[13] = 0x00; // IPv4 ethertype
        assertNull(ArpFrame.decode(bytes, bytes.length));
    }

    /** What the conflict watch's socket may receive: nothing here may throw or claim a VIP. */
    @Test
    void malformedTruncatedVlanTaggedAndForeignFramesDecodeToNothing() throws Exception {
        byte[] claim = new ArpFrame(MacAddress.BROADCAST, MacAddress.parse("52:54:00:00:00:09"), ArpFrame.REPLY,
                MacAddress.parse("52:54:00:00:00:09"), ip("198.18.0.100"), MacAddress.BROADCAST, ip("0.0.0.0")).encode();
        for (int length = 0; length < 42; length++) {
            assertNull(ArpFrame.decode(claim, length), "truncated to " + length);
        }
        byte[] tagged = new byte[64]; // 802.1Q: TPID 0x8100, then the tag, then the ARP ethertype
        System.arraycopy(claim, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[13] = 0x00;
        tagged[14] = 0x00;
        tagged[15] = 0x05;
        System.arraycopy(claim, 12, tagged, 16, 48);
        assertNull(ArpFrame.decode(tagged, tagged.length), "VLAN-tagged: not taken for untagged ARP");
        byte[] ieee802 = claim.clone();
        ieee802[15] = 6; // hardware type IEEE 802, not Ethernet
        assertNull(ArpFrame.decode(ieee802, ieee802.length));
        byte[] ipv6 = claim.clone();
        ipv6[16] = (byte) 0x86;
        ipv6[17] = (byte) 0xdd; // protocol type IPv6
        assertNull(ArpFrame.decode(ipv6, ipv6.length));
        byte[] lengths = claim.clone();
        lengths[18] = 16;
        lengths[19] = 16; // address lengths of another network type
        assertNull(ArpFrame.decode(lengths, lengths.length));
        byte[] oversized = java.util.Arrays.copyOf(claim, 1514); // garbage after the ARP body is ignored
        byte[] garbage = new byte[1514 - 60];
        new java.util.Random(3).nextBytes(garbage);
        System.arraycopy(garbage, 0, oversized, 60, garbage.length);
        assertEquals(ArpFrame.decode(claim, claim.length), ArpFrame.decode(oversized, oversized.length));
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 10_000; i++) { // random bodies behind the ARP ethertype: decoded or refused, never thrown
            byte[] junk = new byte[42 + random.nextInt(30)];
            random.nextBytes(junk);
            junk[12] = 0x08;
            junk[13] = 0x06;
            ArpFrame.decode(junk, junk.length);
        }
    }

    @Test
    void sockaddrLlLayout() {
        byte[] ll = PacketSocket.sockaddrLl(7, MacAddress.BROADCAST);
        assertEquals(20, ll.length);
        assertEquals(0x08, ll[2]); // protocol in network order
        assertEquals(0x06, ll[3]);
        assertEquals(6, ll[11]);   // halen
        assertArrayEquals(MacAddress.BROADCAST.bytes(), java.util.Arrays.copyOfRange(ll, 12, 18));
    }
}
