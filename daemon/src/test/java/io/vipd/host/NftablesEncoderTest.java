package io.vipd.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The nftables batches, decoded back into messages and attributes (checked against the kernel in the ITs). */
class NftablesEncoderTest {
    @BeforeAll
    static void littleEndianHost() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    /** Message type (subsystem << 8 | msg), family, and the names of its string attributes in order. */
    static String describe(NetlinkMessage m) {
        ByteBuffer p = m.payload();
        StringBuilder sb = new StringBuilder(Integer.toHexString(m.type())).append(" f").append(p.get(0));
        for (int pos = 4; pos + 4 <= p.limit(); ) {
            int len = p.getShort(pos) & 0xffff;
            int type = p.getShort(pos + 2) & 0x7fff;
            if (len > 5 && p.get(pos + len - 1) == 0 && p.get(pos + 4) >= 'a') {
                byte[] s = new byte[len - 5];
                p.get(pos + 4, s);
                sb.append(' ').append(type).append('=').append(new String(s, StandardCharsets.UTF_8));
            }
            pos += (len + 3) & ~3;
        }
        return sb.toString();
    }

    @Test
    void leaseBatchFlushesAndAddsTimedElementsInOneTransaction() throws Exception {
        Map<Inet4Address, Long> leases = new LinkedHashMap<>();
        leases.put(ip("198.18.0.100"), 450L);
        byte[] batch = NftablesEncoder.lease(100, leases);
        List<NetlinkMessage> msgs = NetlinkParser.messages(batch, batch.length);
        List<String> described = new ArrayList<>();
        msgs.forEach(m -> described.add(describe(m)));
        assertEquals(List.of("10 f0", "a0e f3 1=vipd 2=leased", "a0c f3 1=vipd 2=leased",
                "a0e f2 1=vipd 2=leased", "a0c f2 1=vipd 2=leased", "11 f0"), described);
        assertEquals(4, NftablesEncoder.acknowledged(batch));
        for (int i = 0; i < msgs.size(); i++) {
            assertEquals(100 + i, msgs.get(i).seq());
        }
        // batch begin: nfgenmsg res_id = NFNL_SUBSYS_NFTABLES, big-endian
        assertEquals("0000000a", HexFormat.of().formatHex(msgs.get(0).payload().array()));
        // the element: NFTA_SET_ELEM_LIST_ELEMENTS { LIST_ELEM { KEY { DATA_VALUE c6120064 }, TIMEOUT be64 450 } }
        String add = HexFormat.of().formatHex(msgs.get(2).payload().array());
        assertEquals(true, add.endsWith("20000380" + "1c000180" + "0c000180" + "08000100c6120064"
                + "0c000400" + "00000000000001c2"), add);
    }

    @Test
    void emptyLeaseOnlyFlushes() {
        byte[] batch = NftablesEncoder.lease(1, Map.of());
        List<NetlinkMessage> msgs = NetlinkParser.messages(batch, batch.length);
        assertEquals(4, msgs.size());
        assertEquals(0x0a0e, msgs.get(1).type());
        assertEquals(0x0a0e, msgs.get(2).type());
        // a flush is a DELSETELEM without NFTA_SET_ELEM_LIST_ELEMENTS
        assertEquals(4 + 12 + 12, msgs.get(1).payload().limit()); // nfgenmsg, "vipd", "leased"
    }

    @Test
    void setupRecreatesBothTablesWithSetsChainsAndRules() throws Exception {
        byte[] batch = NftablesEncoder.setup(1, List.of(ip("198.18.0.100"), ip("198.18.0.101")));
        List<String> described = new ArrayList<>();
        NetlinkParser.messages(batch, batch.length).forEach(m -> described.add(describe(m)));
        assertEquals(List.of("10 f0",
                "a00 f3 1=vipd", "a02 f3 1=vipd", "a00 f3 1=vipd",
                "a09 f3 1=vipd 2=vips", "a09 f3 1=vipd 2=leased", "a0c f3 1=vipd 2=vips",
                "a03 f3 1=vipd 3=out 7=filter", "a06 f3 1=vipd 2=out",
                "a00 f2 1=vipd", "a02 f2 1=vipd", "a00 f2 1=vipd",
                "a09 f2 1=vipd 2=vips", "a09 f2 1=vipd 2=leased", "a0c f2 1=vipd 2=vips",
                "a03 f2 1=vipd 3=in 7=filter", "a06 f2 1=vipd 2=in",
                "a03 f2 1=vipd 3=out 7=filter", "a06 f2 1=vipd 2=out",
                "11 f0"), described);
    }

    @Test
    void withAnIpv6VipTheIp6TableJoinsWithItsNeighbourDiscoveryRules() throws Exception {
        byte[] batch = NftablesEncoder.setup(1, List.of(ip("198.18.0.100"),
                java.net.InetAddress.getByName("2001:db8::100")));
        List<String> described = new ArrayList<>();
        NetlinkParser.messages(batch, batch.length).forEach(m -> described.add(describe(m)));
        assertEquals(List.of("a00 f10 1=vipd", "a02 f10 1=vipd", "a00 f10 1=vipd",
                "a09 f10 1=vipd 2=vips", "a09 f10 1=vipd 2=leased", "a0c f10 1=vipd 2=vips",
                "a03 f10 1=vipd 3=in 7=filter", "a06 f10 1=vipd 2=in", "a06 f10 1=vipd 2=in",
                "a03 f10 1=vipd 3=out 7=filter", "a06 f10 1=vipd 2=out", "a06 f10 1=vipd 2=out"),
                described.stream().filter(d -> d.contains(" f10 ")).toList());
        assertEquals(java.util.Set.of("arp vipd", "ip vipd", "ip6 vipd"), NftablesEncoder.ownTables(true));
        byte[] alone = NftablesEncoder.setupIpv6(1, List.of(java.net.InetAddress.getByName("2001:db8::100")));
        assertTrue(NetlinkParser.messages(alone, alone.length).stream().map(NftablesEncoderTest::describe)
                .filter(d -> !d.startsWith("1")).allMatch(d -> d.contains(" f10 ")), "the ip6 table alone");
    }

    @Test
    void ipv6VipsGoToTheIp6TableOnlyAndIpv4OnesNeverThere() throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("2001:db8::100");
        byte[] batch = NftablesEncoder.setup(1, List.of(ip("198.18.0.100"), v6));
        List<String> described = new ArrayList<>();
        NetlinkParser.messages(batch, batch.length).forEach(m -> described.add(describe(m)));
        assertEquals(List.of("a0c f3 1=vipd 2=vips", "a0c f2 1=vipd 2=vips", "a0c f10 1=vipd 2=vips"),
                described.stream().filter(d -> d.startsWith("a0c")).toList(), "each family its own addresses");
        Map<java.net.InetAddress, Long> leases = new LinkedHashMap<>();
        leases.put(v6, 450L);
        byte[] lease = NftablesEncoder.lease(1, leases, true);
        List<NetlinkMessage> msgs = NetlinkParser.messages(lease, lease.length);
        String add = HexFormat.of().formatHex(msgs.get(msgs.size() - 2).payload().array());
        assertEquals(true, add.endsWith("14000100" + "20010db8000000000000000000000100" + "0c000400"
                + "00000000000001c2"), add); // the 16-byte key and the timeout, in the ip6 set only
        assertEquals(0x0a0c, msgs.get(msgs.size() - 2).type());
    }

    @Test
    void listTablesIsADumpOfEveryFamilyAndItsAnswerNamesFamilyAndTable() {
        byte[] request = NftablesEncoder.listTables(7);
        NetlinkMessage m = NetlinkParser.messages(request, request.length).get(0);
        assertEquals((NftablesConstants.NFNL_SUBSYS_NFTABLES << 8) | NftablesConstants.NFT_MSG_GETTABLE, m.type());
        assertEquals(NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_DUMP, m.flags());
        assertEquals(0, m.payload().get(0), "AF_UNSPEC: every family");
        NetlinkBuilder answer = new NetlinkBuilder().message(NftablesConstants.NFNL_SUBSYS_NFTABLES << 8, 0, 7)
                .nfgen(NftablesConstants.NFPROTO_ARP, 0).attrString(NftablesConstants.NFTA_TABLE_NAME, "vipd")
                .endMessage();
        byte[] bytes = answer.bytes();
        assertEquals("arp vipd", NftablesEncoder.decodeTable(NetlinkParser.messages(bytes, bytes.length).get(0)));
        assertEquals(java.util.Set.of("arp vipd", "ip vipd"), NftablesEncoder.ownTables());
    }

    @Test
    void teardownDeletesBothTables() {
        byte[] batch = NftablesEncoder.teardown(1, false);
        List<String> described = new ArrayList<>();
        NetlinkParser.messages(batch, batch.length).forEach(m -> described.add(describe(m)));
        assertEquals(List.of("10 f0", "a00 f3 1=vipd", "a02 f3 1=vipd", "a00 f2 1=vipd", "a02 f2 1=vipd", "11 f0"),
                described);
    }

    /** The batches for fixed inputs, keyed as in {@code nftables-batches.hex}. */
    static Map<String, byte[]> recordedBatches() throws Exception {
        Inet4Address a = ip("198.18.0.100");
        Inet4Address b = ip("198.18.0.101");
        Map<Inet4Address, Long> leases = new LinkedHashMap<>();
        leases.put(a, 450L);
        leases.put(b, 0L); // an expired lease still gets the kernel's minimum, 1 ms
        Map<String, byte[]> out = new TreeMap<>();
        out.put("setup", NftablesEncoder.setup(1, List.of(a, b)));
        out.put("setupEmpty", NftablesEncoder.setup(1, List.of()));
        out.put("lease", NftablesEncoder.lease(100, leases));
        out.put("guard", NftablesEncoder.guard(7, List.of(a, b)));
        out.put("guardEmpty", NftablesEncoder.guard(7, List.of()));
        out.put("teardown", NftablesEncoder.teardown(1, false));
        java.net.InetAddress v6 = java.net.InetAddress.getByName("2001:db8::100");
        out.put("setupDualStack", NftablesEncoder.setup(1, List.of(a, v6)));
        Map<java.net.InetAddress, Long> dual = new LinkedHashMap<>();
        dual.put(a, 450L);
        dual.put(v6, 450L);
        out.put("leaseDualStack", NftablesEncoder.lease(100, dual, true));
        return out;
    }

    @Test
    void everyBatchIsByteForByteAsRecorded() throws Exception {
        Map<String, String> recorded = new TreeMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                NftablesEncoderTest.class.getResourceAsStream("nftables-batches.hex"), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.trim().split(" ");
                    recorded.put(f[0], f[1]);
                }
            }
        }
        Map<String, String> actual = new TreeMap<>();
        recordedBatches().forEach((k, v) -> actual.put(k, HexFormat.of().formatHex(v)));
        assertEquals(recorded.keySet(), actual.keySet());
        recorded.forEach((k, v) -> assertEquals(v, actual.get(k), k));
    }
}
