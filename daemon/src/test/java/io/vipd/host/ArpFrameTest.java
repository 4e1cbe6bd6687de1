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
