package io.vipd.host;

import static io.vipd.host.NetlinkConstants.NLM_F_ACK;
import static io.vipd.host.NetlinkConstants.NLM_F_APPEND;
import static io.vipd.host.NetlinkConstants.NLM_F_CREATE;
import static io.vipd.host.NetlinkConstants.NLM_F_REQUEST;
import static io.vipd.host.NftablesConstants.*;

import java.net.Inet4Address;
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
 * </pre>
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
    private static final int[] FAMILIES = {NFPROTO_ARP, NFPROTO_IPV4};

    private NftablesEncoder() {}

    /** Where in the network header each hook finds the VIP. */
    private record Match(String chain, int hook, int offset) {}

    private static List<Match> matches(int family) {
        if (family == NFPROTO_ARP) {
            return List.of(new Match("out", NF_ARP_OUT, 14));                   // ARP sender protocol address
        }
        return List.of(new Match("in", NF_INET_LOCAL_IN, 16),                 // IPv4 destination
                new Match("out", NF_INET_LOCAL_OUT, 12));                     // IPv4 source
    }

    /**
     * A batch that (re)creates both tables from scratch with {@code vips} as the static set and an empty
     * {@code leased} set: until the daemon leases a VIP, the host cannot answer for it.
     */
    public static byte[] setup(int seq, List<Inet4Address> vips) {
        NetlinkBuilder nl = new NetlinkBuilder().beginBatch(seq++, NFNL_SUBSYS_NFTABLES);
        for (int family : FAMILIES) {
            // add (no-op if present), delete, add: a fresh table whatever was there, in one transaction
            table(nl, NFT_MSG_NEWTABLE, CREATE, seq++, family);
            table(nl, NFT_MSG_DELTABLE, ACK, seq++, family);
            table(nl, NFT_MSG_NEWTABLE, CREATE, seq++, family);
            set(nl, seq++, family, VIPS, 0, 1);
            set(nl, seq++, family, LEASED, NFT_SET_TIMEOUT, 2);
            if (!vips.isEmpty()) {
                elements(nl, CREATE, seq++, family, VIPS, vips, null);
            }
            for (Match m : matches(family)) {
                chain(nl, seq++, family, m);
                rule(nl, seq++, family, m);
            }
        }
        return nl.endBatch(seq, NFNL_SUBSYS_NFTABLES).bytes();
    }

    /**
     * A batch that replaces the {@code leased} sets' contents: each VIP → milliseconds until the kernel removes it.
     * Flush and re-add in one transaction, so there is no instant without the new elements.
     */
    public static byte[] lease(int seq, Map<Inet4Address, Long> timeoutsMs) {
        return replaceElements(seq, LEASED, new ArrayList<>(timeoutsMs.keySet()), timeoutsMs);
    }

    /**
     * A batch that replaces the static {@code vips} sets' contents (a reload added or removed VIPs), leaving the
     * tables, rules and {@code leased} sets alone: VIPs held now stay answered throughout.
     */
    public static byte[] guard(int seq, List<Inet4Address> vips) {
        return replaceElements(seq, VIPS, vips, null);
    }

    /** Flush {@code set} in both families and add {@code addresses} (with timeouts, if given), in one transaction. */
    private static byte[] replaceElements(int seq, String set, List<Inet4Address> addresses,
                                          Map<Inet4Address, Long> timeoutsMs) {
        NetlinkBuilder nl = new NetlinkBuilder().beginBatch(seq++, NFNL_SUBSYS_NFTABLES);
        for (int family : FAMILIES) {
            message(nl, NFT_MSG_DELSETELEM, ACK, seq++, family);             // no elements listed: flush
            nl.attrString(NFTA_SET_ELEM_LIST_TABLE, TABLE).attrString(NFTA_SET_ELEM_LIST_SET, set);
            nl.endMessage();
            if (!addresses.isEmpty()) {
                elements(nl, CREATE, seq++, family, set, addresses, timeoutsMs);
            }
        }
        return nl.endBatch(seq, NFNL_SUBSYS_NFTABLES).bytes();
    }

    /** A batch deleting both tables (used when vipd is removed from a host). */
    public static byte[] teardown(int seq) {
        NetlinkBuilder nl = new NetlinkBuilder().beginBatch(seq++, NFNL_SUBSYS_NFTABLES);
        for (int family : FAMILIES) {
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

    /** The tables {@link #setup} makes, as {@link #decodeTable} names them. */
    public static java.util.Set<String> ownTables() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (int family : FAMILIES) {
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
        nl.attrBe32(NFTA_SET_FLAGS, setFlags).attrBe32(NFTA_SET_KEY_TYPE, TYPE_IPADDR).attrBe32(NFTA_SET_KEY_LEN, 4);
        nl.attrBe32(NFTA_SET_ID, id);
        nl.endMessage();
    }

    private static void elements(NetlinkBuilder nl, int flags, int seq, int family, String set,
                                 List<Inet4Address> addresses, Map<Inet4Address, Long> timeoutsMs) {
        message(nl, NFT_MSG_NEWSETELEM, flags, seq, family);
        nl.attrString(NFTA_SET_ELEM_LIST_TABLE, TABLE).attrString(NFTA_SET_ELEM_LIST_SET, set);
        nl.nest(NFTA_SET_ELEM_LIST_ELEMENTS);
        for (Inet4Address a : addresses) {
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
        payload(nl, m.offset());
        lookup(nl, VIPS, 0);
        payload(nl, m.offset());
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

    /** Loads the 4 bytes at {@code offset} of the network header into register 1. */
    private static void payload(NetlinkBuilder nl, int offset) {
        expression(nl, "payload");
        nl.attrBe32(NFTA_PAYLOAD_DREG, NFT_REG_1).attrBe32(NFTA_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
        nl.attrBe32(NFTA_PAYLOAD_OFFSET, offset).attrBe32(NFTA_PAYLOAD_LEN, 4);
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
