package io.vipd.host;

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
    static final int NETLINK_NETFILTER = 12;
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;

    static final int NFT_MSG_NEWTABLE = 0;
    static final int NFT_MSG_DELTABLE = 2;
    static final int NFT_MSG_NEWCHAIN = 3;
    static final int NFT_MSG_NEWRULE = 6;
    static final int NFT_MSG_NEWSET = 9;
    static final int NFT_MSG_NEWSETELEM = 12;
    static final int NFT_MSG_DELSETELEM = 14;

    static final int NFPROTO_IPV4 = 2;
    static final int NFPROTO_ARP = 3;
    static final int NF_ARP_OUT = 1;
    static final int NF_INET_LOCAL_IN = 1;
    static final int NF_INET_LOCAL_OUT = 3;

    public static final String TABLE = "vipd";
    public static final String VIPS = "vips";
    public static final String LEASED = "leased";

    private static final int NF_ACCEPT = 1;
    private static final int NF_DROP = 0;
    private static final int NFT_SET_TIMEOUT = 0x10;
    private static final int TYPE_IPADDR = 7; // nft's ipv4_addr datatype, so `nft list` shows addresses
    private static final int NFT_REG_VERDICT = 0;
    private static final int NFT_REG_1 = 1;
    private static final int NFT_PAYLOAD_NETWORK_HEADER = 1;
    private static final int NFT_LOOKUP_F_INV = 1;

    private NftablesEncoder() {}

    private static int type(int msg) {
        return (NFNL_SUBSYS_NFTABLES << 8) | msg;
    }

    /** Where in the network header each hook finds the VIP. */
    private record Match(String chain, int hook, int offset) {}

    private static List<Match> matches(int family) {
        if (family == NFPROTO_ARP) {
            return List.of(new Match("out", NF_ARP_OUT, 14));                   // ARP sender protocol address
        }
        return List.of(new Match("in", NF_INET_LOCAL_IN, 16),                 // IPv4 destination
                new Match("out", NF_INET_LOCAL_OUT, 12));                     // IPv4 source
    }

    private static final int[] FAMILIES = {NFPROTO_ARP, NFPROTO_IPV4};

    /**
     * A batch that (re)creates both tables from scratch with {@code vips} as the static set and an empty
     * {@code leased} set: until the daemon leases a VIP, the host cannot answer for it.
     */
    public static byte[] setup(int seq, List<Inet4Address> vips) {
        NetlinkBuilder nl = new NetlinkBuilder();
        nl.message(NFNL_MSG_BATCH_BEGIN, RtnetlinkCodec.NLM_F_REQUEST, seq++).nfgen(0, NFNL_SUBSYS_NFTABLES).endMessage();
        for (int family : FAMILIES) {
            int create = RtnetlinkCodec.NLM_F_REQUEST | RtnetlinkCodec.NLM_F_ACK | RtnetlinkCodec.NLM_F_CREATE;
            int ack = RtnetlinkCodec.NLM_F_REQUEST | RtnetlinkCodec.NLM_F_ACK;
            // add (no-op if present), delete, add: a fresh table whatever was there, in one transaction
            table(nl, NFT_MSG_NEWTABLE, create, seq++, family);
            table(nl, NFT_MSG_DELTABLE, ack, seq++, family);
            table(nl, NFT_MSG_NEWTABLE, create, seq++, family);
            set(nl, create, seq++, family, VIPS, 0, 1);
            set(nl, create, seq++, family, LEASED, NFT_SET_TIMEOUT, 2);
            if (!vips.isEmpty()) {
                elements(nl, NFT_MSG_NEWSETELEM, create, seq++, family, VIPS, vips, null);
            }
            for (Match m : matches(family)) {
                nl.message(type(NFT_MSG_NEWCHAIN), create, seq++).nfgen(family, 0);
                nl.attrString(1, TABLE).attrString(3, m.chain());
                nl.nest(4).attrBe32(1, m.hook()).attrBe32(2, 0).end();       // NFTA_CHAIN_HOOK: hooknum, priority
                nl.attrBe32(5, NF_ACCEPT).attrString(7, "filter");          // policy, type
                nl.endMessage();
                rule(nl, create | 0x800 /* NLM_F_APPEND */, seq++, family, m);
            }
        }
        nl.message(NFNL_MSG_BATCH_END, RtnetlinkCodec.NLM_F_REQUEST, seq).nfgen(0, NFNL_SUBSYS_NFTABLES).endMessage();
        return nl.bytes();
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
        NetlinkBuilder nl = new NetlinkBuilder();
        nl.message(NFNL_MSG_BATCH_BEGIN, RtnetlinkCodec.NLM_F_REQUEST, seq++).nfgen(0, NFNL_SUBSYS_NFTABLES).endMessage();
        int ack = RtnetlinkCodec.NLM_F_REQUEST | RtnetlinkCodec.NLM_F_ACK;
        for (int family : FAMILIES) {
            nl.message(type(NFT_MSG_DELSETELEM), ack, seq++).nfgen(family, 0);  // no elements listed: flush
            nl.attrString(1, TABLE).attrString(2, set);
            nl.endMessage();
            if (!addresses.isEmpty()) {
                elements(nl, NFT_MSG_NEWSETELEM, ack | RtnetlinkCodec.NLM_F_CREATE, seq++, family, set, addresses,
                        timeoutsMs);
            }
        }
        nl.message(NFNL_MSG_BATCH_END, RtnetlinkCodec.NLM_F_REQUEST, seq).nfgen(0, NFNL_SUBSYS_NFTABLES).endMessage();
        return nl.bytes();
    }

    /** A batch deleting both tables (used when vipd is removed from a host). */
    public static byte[] teardown(int seq) {
        NetlinkBuilder nl = new NetlinkBuilder();
        nl.message(NFNL_MSG_BATCH_BEGIN, RtnetlinkCodec.NLM_F_REQUEST, seq++).nfgen(0, NFNL_SUBSYS_NFTABLES).endMessage();
        for (int family : FAMILIES) {
            int create = RtnetlinkCodec.NLM_F_REQUEST | RtnetlinkCodec.NLM_F_ACK | RtnetlinkCodec.NLM_F_CREATE;
            table(nl, NFT_MSG_NEWTABLE, create, seq++, family);
            table(nl, NFT_MSG_DELTABLE, RtnetlinkCodec.NLM_F_REQUEST | RtnetlinkCodec.NLM_F_ACK, seq++, family);
        }
        nl.message(NFNL_MSG_BATCH_END, RtnetlinkCodec.NLM_F_REQUEST, seq).nfgen(0, NFNL_SUBSYS_NFTABLES).endMessage();
        return nl.bytes();
    }

    /** How many messages in a batch ask for an acknowledgement (all but the batch begin and end). */
    public static int acknowledged(byte[] batch) {
        return RtnetlinkCodec.split(batch, batch.length).size() - 2;
    }

    private static void table(NetlinkBuilder nl, int msg, int flags, int seq, int family) {
        nl.message(type(msg), flags, seq).nfgen(family, 0).attrString(1, TABLE).attrBe32(2, 0).endMessage();
    }

    private static void set(NetlinkBuilder nl, int flags, int seq, int family, String name, int setFlags, int id) {
        nl.message(type(NFT_MSG_NEWSET), flags, seq).nfgen(family, 0);
        nl.attrString(1, TABLE).attrString(2, name);
        nl.attrBe32(3, setFlags).attrBe32(4, TYPE_IPADDR).attrBe32(5, 4).attrBe32(10, id);
        nl.endMessage();
    }

    private static void elements(NetlinkBuilder nl, int msg, int flags, int seq, int family, String set,
                                 List<Inet4Address> addresses, Map<Inet4Address, Long> timeoutsMs) {
        nl.message(type(msg), flags, seq).nfgen(family, 0);
        nl.attrString(1, TABLE).attrString(2, set);
        nl.nest(3);
        for (Inet4Address a : addresses) {
            nl.nest(1);                                          // NFTA_LIST_ELEM
            nl.nest(1).attr(1, a.getAddress()).end();            // NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }
            if (timeoutsMs != null) {
                nl.attrBe64(4, Math.max(1, timeoutsMs.get(a)));  // NFTA_SET_ELEM_TIMEOUT, ms
            }
            nl.end();
        }
        nl.end();
        nl.endMessage();
    }

    private static void rule(NetlinkBuilder nl, int flags, int seq, int family, Match m) {
        nl.message(type(NFT_MSG_NEWRULE), flags, seq).nfgen(family, 0);
        nl.attrString(1, TABLE).attrString(2, m.chain());
        nl.nest(4);                                              // NFTA_RULE_EXPRESSIONS
        payload(nl, m.offset());
        lookup(nl, VIPS, 0);
        payload(nl, m.offset());
        lookup(nl, LEASED, NFT_LOOKUP_F_INV);
        nl.nest(1).attrString(1, "immediate").nest(2);
        nl.attrBe32(1, NFT_REG_VERDICT).nest(2).nest(2).attrBe32(1, NF_DROP).end().end();
        nl.end().end();
        nl.end();
        nl.endMessage();
    }

    private static void payload(NetlinkBuilder nl, int offset) {
        nl.nest(1).attrString(1, "payload").nest(2);
        nl.attrBe32(1, NFT_REG_1).attrBe32(2, NFT_PAYLOAD_NETWORK_HEADER).attrBe32(3, offset).attrBe32(4, 4);
        nl.end().end();
    }

    private static void lookup(NetlinkBuilder nl, String set, int flags) {
        nl.nest(1).attrString(1, "lookup").nest(2);
        nl.attrString(1, set).attrBe32(2, NFT_REG_1);
        if (flags != 0) {
            nl.attrBe32(5, flags);
        }
        nl.end().end();
    }
}
