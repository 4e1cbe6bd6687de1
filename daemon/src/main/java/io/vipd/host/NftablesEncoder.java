package io.vipd.host;

import static io.vipd.host.NetlinkConstants.NLM_F_ACK;
import static io.vipd.host.NetlinkConstants.NLM_F_APPEND;
import static io.vipd.host.NetlinkConstants.NLM_F_CREATE;
import static io.vipd.host.NetlinkConstants.NLM_F_REQUEST;
import static io.vipd.host.NftablesConstants.*;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encodes the kernel-enforced fence as nftables netlink batches (no {@code nft} process); {@link NftablesFence}
 * sends them. Two tables named {@code vipd}:
 *
 * <pre>
 * table arp vipd { set vips { type ipv4_addr }   set leased { type ipv4_addr; flags timeout }
 *                  chain out { type filter hook output priority 0; arp saddr ip @vips arp saddr ip != @leased drop } }
 * table ip vipd  { (the same two sets)
 *                  chain in  { type filter hook input priority 0;  ip daddr @vips ip daddr != @leased drop }
 *                  chain out { type filter hook output priority 0; ip saddr @vips ip saddr != @leased drop } }
 * table ip6 vipd { set vips { type ipv6_addr }   set leased { type ipv6_addr; flags timeout }
 *                  chain in  { type filter hook input priority 0;  ip6 daddr @vips ip6 daddr != @leased drop
 *                              icmpv6 type nd-neighbor-solicit @th,64,128 @vips @th,64,128 != @leased drop }
 *                  chain out { type filter hook output priority 0; ip6 saddr @vips ip6 saddr != @leased drop
 *                              icmpv6 type nd-neighbor-advert @th,64,128 @vips @th,64,128 != @leased drop } }
 * </pre>
 *
 * For IPv6 the neighbour discovery rules match the message's target address (at byte 8 of the ICMPv6 header):
 * solicitations for an unleased VIP never reach the host, and an advertisement for one never leaves it, whatever
 * source address the kernel would give it. The ip6 table exists only while there are IPv6 VIPs to guard: a host
 * with IPv4 VIPs only gets exactly the two tables it always had (and a kernel without IPv6 is no obstacle).
 *
 * The daemon keeps an element in {@code leased} for each VIP it may answer for, with a timeout equal to what is left
 * of its lease. If the daemon is paused, hung or killed, the kernel drops the element when the lease ends and the
 * host stops answering ARP and accepting traffic for the VIP on its own, within milliseconds.
 */
public final class NftablesEncoder {
    public static final String TABLE = "vipd";
    public static final String VIPS = "vips";
    public static final String LEASED = "leased";

    private static final int CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
    private static final int ACK = NLM_F_REQUEST | NLM_F_ACK;
    private static final int[] IPV4_FAMILIES = {NFPROTO_ARP, NFPROTO_IPV4};
    private static final int[] ALL_FAMILIES = {NFPROTO_ARP, NFPROTO_IPV4, NFPROTO_IPV6};

    /** The families whose tables the fence has: the ip6 one only with IPv6 VIPs. */
    private static int[] families(boolean ipv6) {
        return ipv6 ? ALL_FAMILIES : IPV4_FAMILIES;
    }

    /** Whether any of {@code vips} is an IPv6 address: then the fence needs its ip6 table. */
    public static boolean anyIpv6(java.util.Collection<? extends InetAddress> vips) {
        return vips.stream().anyMatch(a -> a instanceof Inet6Address);
    }

    private NftablesEncoder() {}

    /**
     * Where each hook finds the VIP: at {@code offset} of the network or transport header, in an ICMPv6 message of
     * {@code icmpType} only (or any packet: -1).
     */
    private record Match(String chain, int hook, int base, int offset, int icmpType) {
        Match(String chain, int hook, int offset) {
            this(chain, hook, NFT_PAYLOAD_NETWORK_HEADER, offset, -1);
        }
    }

    private static List<Match> matches(int family) {
        if (family == NFPROTO_ARP) {
            return List.of(new Match("out", NF_ARP_OUT, 14));                   // ARP sender protocol address
        }
        if (family == NFPROTO_IPV6) {
            return List.of(new Match("in", NF_INET_LOCAL_IN, 24),              // IPv6 destination
                    new Match("in", NF_INET_LOCAL_IN, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 135), // solicitation target
                    new Match("out", NF_INET_LOCAL_OUT, 8),                    // IPv6 source
                    new Match("out", NF_INET_LOCAL_OUT, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 136)); // advert target
        }
        return List.of(new Match("in", NF_INET_LOCAL_IN, 16),                 // IPv4 destination
                new Match("out", NF_INET_LOCAL_OUT, 12));                     // IPv4 source
    }

    /** The length of the addresses a family's sets hold. */
    private static int addressLength(int family) {
        return family == NFPROTO_IPV6 ? 16 : 4;
    }

    /** Whether {@code a} belongs in {@code family}'s sets: IPv6 addresses in ip6, IPv4 ones in arp and ip. */
    private static boolean inFamily(InetAddress a, int family) {
        return family == NFPROTO_IPV6 ? a instanceof Inet6Address : a instanceof Inet4Address;
    }

    /**
     * A batch that (re)creates both tables from scratch with {@code vips} as the static set and an empty
     * {@code leased} set: until the daemon leases a VIP, the host cannot answer for it.
     */
    public static byte[] setup(int seq, List<? extends InetAddress> vips) {
        return setup(seq, vips, families(anyIpv6(vips)));
    }

    /**
     * A batch that creates the ip6 table alone (as {@link #setup} does), for a reload that brings the first IPv6
     * VIP: the IPv4 tables and their leases stay as they are.
     */
    public static byte[] setupIpv6(int seq, List<? extends InetAddress> vips) {
        return setup(seq, vips, new int[] {NFPROTO_IPV6});
    }

    private static byte[] setup(int seq, List<? extends InetAddress> vips, int[] families) {
        NetlinkBuilder nl = new NetlinkBuilder().beginBatch(seq++, NFNL_SUBSYS_NFTABLES);
        for (int family : families) {
            // add (no-op if present), delete, add: a fresh table whatever was there, in one transaction
            table(nl, NFT_MSG_NEWTABLE, CREATE, seq++, family);
            table(nl, NFT_MSG_DELTABLE, ACK, seq++, family);
            table(nl, NFT_MSG_NEWTABLE, CREATE, seq++, family);
            set(nl, seq++, family, VIPS, 0, 1);
            set(nl, seq++, family, LEASED, NFT_SET_TIMEOUT, 2);
            List<InetAddress> mine = vips.stream().filter(a -> inFamily(a, family)).map(a -> (InetAddress) a).toList();
            if (!mine.isEmpty()) {
                elements(nl, CREATE, seq++, family, VIPS, mine, null);
            }
            java.util.Set<String> chains = new java.util.HashSet<>();
            for (Match m : matches(family)) {
                if (chains.add(m.chain())) {
                    chain(nl, seq++, family, m);
                }
                rule(nl, seq++, family, m);
            }
        }
        return nl.endBatch(seq, NFNL_SUBSYS_NFTABLES).bytes();
    }

    /**
     * A batch that replaces the {@code leased} sets' contents: each VIP → milliseconds until the kernel removes it.
     * Flush and re-add in one transaction, so there is no instant without the new elements.
     */
    public static byte[] lease(int seq, Map<? extends InetAddress, Long> timeoutsMs, boolean ipv6) {
        return replaceElements(seq, LEASED, new ArrayList<>(timeoutsMs.keySet()), timeoutsMs, ipv6);
    }

    /** {@link #lease} on a fence without an ip6 table. */
    public static byte[] lease(int seq, Map<? extends InetAddress, Long> timeoutsMs) {
        return lease(seq, timeoutsMs, false);
    }

    /**
     * A batch that replaces the static {@code vips} sets' contents (a reload added or removed VIPs), leaving the
     * tables, rules and {@code leased} sets alone: VIPs held now stay answered throughout.
     */
    public static byte[] guard(int seq, List<? extends InetAddress> vips, boolean ipv6) {
        return replaceElements(seq, VIPS, vips, null, ipv6);
    }

    /** {@link #guard} on a fence without an ip6 table. */
    public static byte[] guard(int seq, List<? extends InetAddress> vips) {
        return guard(seq, vips, false);
    }

    /** Flush {@code set} in both families and add {@code addresses} (with timeouts, if given), in one transaction. */
    private static byte[] replaceElements(int seq, String set, List<? extends InetAddress> addresses,
                                          Map<? extends InetAddress, Long> timeoutsMs, boolean ipv6) {
        NetlinkBuilder nl = new NetlinkBuilder().beginBatch(seq++, NFNL_SUBSYS_NFTABLES);
        for (int family : families(ipv6)) {
            message(nl, NFT_MSG_DELSETELEM, ACK, seq++, family);             // no elements listed: flush
            nl.attrString(NFTA_SET_ELEM_LIST_TABLE, TABLE).attrString(NFTA_SET_ELEM_LIST_SET, set);
            nl.endMessage();
            List<InetAddress> mine = addresses.stream().filter(a -> inFamily(a, family)).map(a -> (InetAddress) a)
                    .toList();
            if (!mine.isEmpty()) {
                elements(nl, CREATE, seq++, family, set, mine, timeoutsMs);
            }
        }
        return nl.endBatch(seq, NFNL_SUBSYS_NFTABLES).bytes();
    }

    /** A batch deleting the tables (used when vipd is removed from a host). */
    public static byte[] teardown(int seq, boolean ipv6) {
        NetlinkBuilder nl = new NetlinkBuilder().beginBatch(seq++, NFNL_SUBSYS_NFTABLES);
        for (int family : families(ipv6)) {
            table(nl, NFT_MSG_NEWTABLE, CREATE, seq++, family);              // so that deleting cannot fail
            table(nl, NFT_MSG_DELTABLE, ACK, seq++, family);
        }
        return nl.endBatch(seq, NFNL_SUBSYS_NFTABLES).bytes();
    }

    /** How many messages in a batch ask for an acknowledgement (all but the batch begin and end). */
    public static int acknowledged(byte[] batch) {
        return NetlinkParser.messages(batch, batch.length).size() - 2;
    }

    /** Starts an nf_tables message: {@code nlmsghdr} and {@code nfgenmsg}. */
    private static NetlinkBuilder message(NetlinkBuilder nl, int msg, int flags, int seq, int family) {
        return nl.message((NFNL_SUBSYS_NFTABLES << 8) | msg, flags, seq).nfgen(family, 0);
    }

    /** A dump request for every nftables table of every family (what {@code nft list tables} shows). */
    public static byte[] listTables(int seq) {
        NetlinkBuilder nl = new NetlinkBuilder();
        message(nl, NFT_MSG_GETTABLE, NLM_F_REQUEST | NetlinkConstants.NLM_F_DUMP, seq, NFPROTO_UNSPEC);
        return nl.endMessage().bytes();
    }

    /** "family name" of a table in a {@link #listTables} answer, as nft writes it ({@code arp vipd}); null if none. */
    public static String decodeTable(NetlinkMessage m) {
        if ((m.type() & 0xff) != NFT_MSG_NEWTABLE || m.payload().limit() < 4) {
            return null;
        }
        int family = m.payload().get(0) & 0xff;
        for (NetlinkAttribute a : m.attributes(4)) {
            if (a.type() == NFTA_TABLE_NAME) {
                return familyName(family) + " " + a.string();
            }
        }
        return null;
    }

    private static String familyName(int family) {
        return switch (family) {
            case NFPROTO_IPV4 -> "ip";
            case NFPROTO_ARP -> "arp";
            case 1 -> "inet";
            case 5 -> "netdev";
            case 7 -> "bridge";
            case 10 -> "ip6";
            default -> "family" + family;
        };
    }

    /** The tables {@link #setup} makes for IPv4 VIPs only, as {@link #decodeTable} names them. */
    public static java.util.Set<String> ownTables() {
        return ownTables(false);
    }

    /** The tables {@link #setup} makes, with the ip6 one or without, as {@link #decodeTable} names them. */
    public static java.util.Set<String> ownTables(boolean ipv6) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (int family : families(ipv6)) {
            out.add(familyName(family) + " " + TABLE);
        }
        return out;
    }

    private static void table(NetlinkBuilder nl, int msg, int flags, int seq, int family) {
        message(nl, msg, flags, seq, family).attrString(NFTA_TABLE_NAME, TABLE).attrBe32(NFTA_TABLE_FLAGS, 0);
        nl.endMessage();
    }

    private static void set(NetlinkBuilder nl, int seq, int family, String name, int setFlags, int id) {
        message(nl, NFT_MSG_NEWSET, CREATE, seq, family);
        nl.attrString(NFTA_SET_TABLE, TABLE).attrString(NFTA_SET_NAME, name);
        nl.attrBe32(NFTA_SET_FLAGS, setFlags)
                .attrBe32(NFTA_SET_KEY_TYPE, family == NFPROTO_IPV6 ? TYPE_IP6ADDR : TYPE_IPADDR)
                .attrBe32(NFTA_SET_KEY_LEN, addressLength(family));
        nl.attrBe32(NFTA_SET_ID, id);
        nl.endMessage();
    }

    private static void elements(NetlinkBuilder nl, int flags, int seq, int family, String set,
                                 List<InetAddress> addresses, Map<? extends InetAddress, Long> timeoutsMs) {
        message(nl, NFT_MSG_NEWSETELEM, flags, seq, family);
        nl.attrString(NFTA_SET_ELEM_LIST_TABLE, TABLE).attrString(NFTA_SET_ELEM_LIST_SET, set);
        nl.nest(NFTA_SET_ELEM_LIST_ELEMENTS);
        for (InetAddress a : addresses) {
            nl.nest(NFTA_LIST_ELEM);
            nl.nest(NFTA_SET_ELEM_KEY).attr(NFTA_DATA_VALUE, a.getAddress()).end();
            if (timeoutsMs != null) {
                nl.attrBe64(NFTA_SET_ELEM_TIMEOUT, Math.max(1, timeoutsMs.get(a)));  // ms
            }
            nl.end();
        }
        nl.end();
        nl.endMessage();
    }

    private static void chain(NetlinkBuilder nl, int seq, int family, Match m) {
        message(nl, NFT_MSG_NEWCHAIN, CREATE, seq, family);
        nl.attrString(NFTA_CHAIN_TABLE, TABLE).attrString(NFTA_CHAIN_NAME, m.chain());
        nl.nest(NFTA_CHAIN_HOOK).attrBe32(NFTA_HOOK_HOOKNUM, m.hook()).attrBe32(NFTA_HOOK_PRIORITY, 0).end();
        nl.attrBe32(NFTA_CHAIN_POLICY, NF_ACCEPT).attrString(NFTA_CHAIN_TYPE, "filter");
        nl.endMessage();
    }

    /** The VIP is in {@code vips} and not in {@code leased}: drop. */
    private static void rule(NetlinkBuilder nl, int seq, int family, Match m) {
        message(nl, NFT_MSG_NEWRULE, CREATE | NLM_F_APPEND, seq, family);
        nl.attrString(NFTA_RULE_TABLE, TABLE).attrString(NFTA_RULE_CHAIN, m.chain());
        nl.nest(NFTA_RULE_EXPRESSIONS);
        if (m.icmpType() >= 0) { // meta l4proto icmpv6, icmpv6 type == m.icmpType
            expression(nl, "meta");
            nl.attrBe32(NFTA_META_DREG, NFT_REG_1).attrBe32(NFTA_META_KEY, NFT_META_L4PROTO);
            nl.end().end();
            compare(nl, new byte[] {(byte) IPPROTO_ICMPV6});
            payload(nl, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
            compare(nl, new byte[] {(byte) m.icmpType()});
        }
        int length = addressLength(family);
        payload(nl, m.base(), m.offset(), length);
        lookup(nl, VIPS, 0);
        payload(nl, m.base(), m.offset(), length);
        lookup(nl, LEASED, NFT_LOOKUP_F_INV);
        expression(nl, "immediate");
        nl.attrBe32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
        nl.nest(NFTA_IMMEDIATE_DATA).nest(NFTA_DATA_VERDICT).attrBe32(NFTA_VERDICT_CODE, NF_DROP).end().end();
        nl.end().end();
        nl.end();
        nl.endMessage();
    }

    /** Opens an NFTA_LIST_ELEM holding expression {@code name} and its NFTA_EXPR_DATA; two {@code end()}s close it. */
    private static void expression(NetlinkBuilder nl, String name) {
        nl.nest(NFTA_LIST_ELEM).attrString(NFTA_EXPR_NAME, name).nest(NFTA_EXPR_DATA);
    }

    /** Loads {@code length} bytes at {@code offset} of header {@code base} into register 1. */
    private static void payload(NetlinkBuilder nl, int base, int offset, int length) {
        expression(nl, "payload");
        nl.attrBe32(NFTA_PAYLOAD_DREG, NFT_REG_1).attrBe32(NFTA_PAYLOAD_BASE, base);
        nl.attrBe32(NFTA_PAYLOAD_OFFSET, offset).attrBe32(NFTA_PAYLOAD_LEN, length);
        nl.end().end();
    }

    /** Register 1 equals {@code value}, or the rule ends here. */
    private static void compare(NetlinkBuilder nl, byte[] value) {
        expression(nl, "cmp");
        nl.attrBe32(NFTA_CMP_SREG, NFT_REG_1).attrBe32(NFTA_CMP_OP, NFT_CMP_EQ);
        nl.nest(NFTA_CMP_DATA).attr(NFTA_DATA_VALUE, value).end();
        nl.end().end();
    }

    /** Register 1 is in {@code set} (or, with NFT_LOOKUP_F_INV, is not). */
    private static void lookup(NetlinkBuilder nl, String set, int flags) {
        expression(nl, "lookup");
        nl.attrString(NFTA_LOOKUP_SET, set).attrBe32(NFTA_LOOKUP_SREG, NFT_REG_1);
        if (flags != 0) {
            nl.attrBe32(NFTA_LOOKUP_FLAGS, flags);
        }
        nl.end().end();
    }
}
