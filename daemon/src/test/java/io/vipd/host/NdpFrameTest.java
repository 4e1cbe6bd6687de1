package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Neighbour discovery frames, byte for byte (expected bytes computed by an independent implementation). */
class NdpFrameTest {
    static final MacAddress MAC = new MacAddress(HexFormat.of().parseHex("020000000001"));

    static Inet6Address ip(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    @Test
    void anUnsolicitedAdvertisementIsToAllNodesWithTheOverrideFlagAndTheTargetsLinkLayerAddress() throws Exception {
        byte[] frame = NdpFrame.unsolicitedAdvertisement(MAC, ip("2001:db8::100"));
        assertEquals("33330000000102000000000186dd6000000000203aff20010db8000000000000000000000100ff02000000000000"
                + "00000000000000018800f72c2000000020010db80000000000000000000001000201020000000001",
                HexFormat.of().formatHex(frame));
        NdpFrame back = NdpFrame.decode(frame, frame.length);
        assertEquals(new NdpFrame(MAC, NdpFrame.ADVERTISEMENT, ip("2001:db8::100"), ip("2001:db8::100"), MAC,
                NdpFrame.FLAG_OVERRIDE), back);
    }

    @Test
    void aSolicitationGoesToTheTargetsSolicitedNodeAddress() throws Exception {
        MacAddress client = new MacAddress(HexFormat.of().parseHex("020000000009"));
        byte[] frame = NdpFrame.solicitation(client, ip("2001:db8::9"), ip("2001:db8::100"));
        assertEquals("3333ff00010002000000000986dd6000000000203aff20010db8000000000000000000000009ff02000000000000"
                + "00000001ff00010087001a1b0000000020010db80000000000000000000001000101020000000009",
                HexFormat.of().formatHex(frame));
        NdpFrame back = NdpFrame.decode(frame, frame.length);
        assertEquals(NdpFrame.SOLICITATION, back.type());
        assertEquals(client, back.linkLayer());
        assertEquals(ip("2001:db8::100"), back.target());
    }

    @Test
    void aDuplicateAddressProbeIsFromTheUnspecifiedAddressWithoutALinkLayerOptionAndClaimsNothing() throws Exception {
        byte[] frame = NdpFrame.duplicateAddressProbe(MAC, ip("2001:db8::100"));
        assertEquals("3333ff00010002000000000186dd6000000000183aff00000000000000000000000000000000ff0200000000000000"
                + "000001ff00010087004aef0000000020010db8000000000000000000000100", HexFormat.of().formatHex(frame));
        NdpFrame back = NdpFrame.decode(frame, frame.length);
        assertEquals(new NdpFrame(MAC, NdpFrame.SOLICITATION, ip("::"), ip("2001:db8::100"), null, 0), back);
        assertNull(back.claimedAddress(), "a probe says nothing about who has the address");
    }

    @Test
    void whatAFrameClaimsAndWithWhichMac() throws Exception {
        NdpFrame announcement = NdpFrame.decode(NdpFrame.unsolicitedAdvertisement(MAC, ip("2001:db8::100")), 86);
        assertEquals(ip("2001:db8::100"), announcement.claimedAddress());
        assertEquals(MAC, announcement.claimedBy());
        assertEquals("neighbour advertisement", announcement.kind());
        MacAddress other = new MacAddress(HexFormat.of().parseHex("020000000002"));
        NdpFrame withoutOption = new NdpFrame(other, NdpFrame.ADVERTISEMENT, ip("2001:db8::100"),
                ip("2001:db8::100"), null, NdpFrame.FLAG_SOLICITED);
        assertEquals(other, withoutOption.claimedBy(), "a reply to a unicast solicitation may omit the option");
        NdpFrame solicitation = NdpFrame.decode(NdpFrame.solicitation(MAC, ip("2001:db8::100"),
                ip("2001:db8::1")), 86);
        assertEquals(ip("2001:db8::100"), solicitation.claimedAddress(), "a host asking from the VIP has it");
        assertEquals("neighbour solicitation", solicitation.kind());
    }

    @Test
    void aCorruptTruncatedOrForwardedFrameIsNotNeighbourDiscovery() throws Exception {
        byte[] good = NdpFrame.unsolicitedAdvertisement(MAC, ip("2001:db8::100"));
        byte[] flipped = good.clone();
        flipped[70] ^= 1; // a bit of the target: the checksum no longer matches
        assertNull(NdpFrame.decode(flipped, flipped.length));
        assertNull(NdpFrame.decode(good, good.length - 9), "truncated");
        byte[] routed = good.clone();
        routed[21] = 64; // hop limit 64: it crossed a router, RFC 4861 says drop
        assertNull(NdpFrame.decode(routed, routed.length));
        byte[] zeroOption = good.clone();
        zeroOption[79] = 0; // option length 0 (and the checksum fixed up) is invalid
        int sum = NdpFrame.checksum(java.util.Arrays.copyOfRange(zeroOption, 22, 38),
                java.util.Arrays.copyOfRange(zeroOption, 38, 54), zeroOption(zeroOption), 54, 32);
        zeroOption[56] = (byte) (sum >> 8);
        zeroOption[57] = (byte) sum;
        assertNull(NdpFrame.decode(zeroOption, zeroOption.length));
        byte[] arp = ArpFrame.gratuitous(MAC, (java.net.Inet4Address) InetAddress.getByName("198.18.0.100")).encode();
        assertNull(NdpFrame.decode(arp, arp.length));
        assertArrayEquals(good, NdpFrame.unsolicitedAdvertisement(MAC, ip("2001:db8::100")), "deterministic");
    }

    /** The frame with its checksum field zeroed, for recomputing it. */
    private static byte[] zeroOption(byte[] frame) {
        byte[] copy = frame.clone();
        copy[56] = 0;
        copy[57] = 0;
        return copy;
    }
}
