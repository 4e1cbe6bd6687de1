package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RtnetlinkCodecTest {
    @BeforeAll
    static void littleEndianHost() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void newAddressBytes() throws Exception {
        byte[] m = RtnetlinkCodec.newAddress(7, 3, ip("198.18.0.100"), 24, RtnetlinkConstants.INFINITY_LIFE_TIME);
        String expected = "28000000" + "1400" + "0505" + "07000000" + "00000000" // len 40, RTM_NEWADDR, REQ|ACK|CREATE|REPLACE
                + "02" + "18" + "00" + "00" + "03000000"                         // AF_INET /24 flags scope, ifindex 3
                + "0800" + "0200" + "c6120064"                                   // IFA_LOCAL
                + "0800" + "0100" + "c6120064";                                  // IFA_ADDRESS
        assertEquals(expected, HexFormat.of().formatHex(m));
    }

    @Test
    void newAddressWithLifetimeCarriesCacheInfo() throws Exception {
        byte[] m = RtnetlinkCodec.newAddress(1, 3, ip("198.18.0.100"), 24, 5);
        assertEquals(60, m.length);
        assertEquals("1400" + "0600" + "05000000" + "05000000" + "00000000" + "00000000",
                HexFormat.of().formatHex(m, 40, 60)); // IFA_CACHEINFO: preferred 5 s, valid 5 s
    }

    @Test
    void deleteAddressBytes() throws Exception {
        byte[] m = RtnetlinkCodec.deleteAddress(9, 2, ip("198.18.0.101"), 24);
        String expected = "28000000" + "1500" + "0500" + "09000000" + "00000000" // RTM_DELADDR, REQ|ACK
                + "02180000" + "02000000"
                + "08000200c6120065" + "08000100c6120065";
        assertEquals(expected, HexFormat.of().formatHex(m));
    }

    @Test
    void dumpRequests() {
        assertEquals("18000000" + "1600" + "0103" + "01000000" + "00000000" + "0200000000000000",
                HexFormat.of().formatHex(RtnetlinkCodec.dumpAddresses(1)));
        assertEquals(32, RtnetlinkCodec.dumpLinks(1).length);
    }

    @Test
    void dumpLinksBytes() {
        assertEquals("20000000" + "1200" + "0103" + "01000000" + "00000000"  // len 32, RTM_GETLINK, REQ|DUMP
                + "0000" + "0000" + "00000000" + "00000000" + "00000000",        // ifinfomsg: AF_UNSPEC, all zero
                HexFormat.of().formatHex(RtnetlinkCodec.dumpLinks(1)));
    }

    @Test
    void splitsAndDecodesAKernelDump() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        // RTM_NEWADDR: 198.18.0.1/24 on ifindex 2
        b.putInt(40).putShort((short) 20).putShort((short) 2).putInt(5).putInt(0);
        b.put((byte) 2).put((byte) 24).put((byte) 0).put((byte) 0).putInt(2);
        b.putShort((short) 8).putShort((short) 1).put(new byte[] {(byte) 198, 18, 0, 1});
        b.putShort((short) 8).putShort((short) 2).put(new byte[] {(byte) 198, 18, 0, 1});
        // RTM_NEWLINK: ifindex 2 "eth0" with a MAC, up (IFF_UP) without carrier (no IFF_LOWER_UP)
        b.putInt(16 + 16 + 12 + 12).putShort((short) 16).putShort((short) 2).putInt(5).putInt(0);
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(2).putInt(1).putInt(0);
        b.putShort((short) 9).putShort((short) 3).put("eth0".getBytes()).put((byte) 0).put(new byte[3]);
        b.putShort((short) 10).putShort((short) 1).put(new byte[] {2, 0, 0, 0, 0, 7}).put(new byte[2]);
        // NLMSG_DONE
        b.putInt(20).putShort((short) 3).putShort((short) 2).putInt(5).putInt(0).putInt(0);
        List<NetlinkMessage> msgs = NetlinkParser.messages(b.array(), b.position());
        assertEquals(3, msgs.size());
        HostAddress a = RtnetlinkCodec.decodeAddress(msgs.get(0), i -> "eth0");
        assertNotNull(a);
        assertEquals(new HostAddress(2, "eth0", ip("198.18.0.1"), 24), a);
        NetInterface i = RtnetlinkCodec.decodeLink(msgs.get(1));
        assertEquals(new NetInterface(2, "eth0", MacAddress.parse("02:00:00:00:00:07"), true, false), i);
        assertEquals("no carrier", i.linkState());
        assertEquals(NetlinkConstants.NLMSG_DONE, msgs.get(2).type());
    }

    @Test
    void errorMessageCarriesNegativeErrno() {
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(36).putShort((short) 2).putShort((short) 0).putInt(9).putInt(0).putInt(-17).put(new byte[16]);
        NetlinkMessage m = NetlinkParser.messages(b.array(), 36).get(0);
        assertEquals(-17, m.error()); // EEXIST
    }

    @Test
    void anIpv6AddressIsAddedWithoutDuplicateAddressDetectionAndWithItsLifetime() throws Exception {
        byte[] m = RtnetlinkCodec.newAddress6(7, 3, (java.net.Inet6Address) java.net.InetAddress.getByName(
                "2001:db8::100"), 64, 5);
        assertEquals("5c000000" + "1400" + "0505" + "07000000" + "00000000" // len 92, RTM_NEWADDR
                + "0a" + "40" + "02" + "00" + "03000000"                       // AF_INET6 /64 IFA_F_NODAD, ifindex 3
                + "1400" + "0200" + "20010db8000000000000000000000100"         // IFA_LOCAL
                + "1400" + "0100" + "20010db8000000000000000000000100"         // IFA_ADDRESS
                + "0800" + "0800" + "02000000"                                 // IFA_FLAGS: IFA_F_NODAD
                + "1400" + "0600" + "05000000050000000000000000000000",        // IFA_CACHEINFO: 5 s
                HexFormat.of().formatHex(m));
    }

    @Test
    void anIpv6AddressIsDeleted() throws Exception {
        byte[] m = RtnetlinkCodec.deleteAddress6(8, 3, (java.net.Inet6Address) java.net.InetAddress.getByName(
                "2001:db8::100"), 64);
        assertEquals("40000000" + "1500" + "0500" + "08000000" + "00000000" + "0a400000" + "03000000"
                + "1400020020010db8000000000000000000000100" + "1400010020010db8000000000000000000000100",
                HexFormat.of().formatHex(m));
    }
}
