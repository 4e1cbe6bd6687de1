package io.vipd.host;

/**
 * nfnetlink's and nf_tables' numbers vipd uses (linux/netfilter/nfnetlink.h, nf_tables.h, netfilter.h, the
 * attribute enums named after their message); framing is in {@link NetlinkConstants}.
 */
public final class NftablesConstants {
    /** nfnetlink: the subsystem, and the messages that open and close a transaction (batch). */
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    public static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    public static final int NFNL_MSG_BATCH_END = 0x11;
    /** struct nfgenmsg: family, version, resource id. */
    public static final int NFGENMSG_LEN = 4;
    public static final int NFNETLINK_V0 = 0;

    /** Messages (the netlink type is {@code NFNL_SUBSYS_NFTABLES << 8 | msg}). */
    public static final int NFT_MSG_NEWTABLE = 0;
    public static final int NFT_MSG_GETTABLE = 1;
    public static final int NFT_MSG_DELTABLE = 2;
    public static final int NFT_MSG_NEWCHAIN = 3;
    public static final int NFT_MSG_NEWRULE = 6;
    public static final int NFT_MSG_NEWSET = 9;
    public static final int NFT_MSG_NEWSETELEM = 12;
    public static final int NFT_MSG_DELSETELEM = 14;

    /** Families and hooks. */
    public static final int NFPROTO_UNSPEC = 0;
    public static final int NFPROTO_IPV4 = 2;
    public static final int NFPROTO_ARP = 3;
    public static final int NFPROTO_IPV6 = 10;
    public static final int NF_ARP_OUT = 1;
    public static final int NF_INET_LOCAL_IN = 1;
    public static final int NF_INET_LOCAL_OUT = 3;
    public static final int NF_DROP = 0;
    public static final int NF_ACCEPT = 1;

    public static final int NFTA_TABLE_NAME = 1;
    public static final int NFTA_TABLE_FLAGS = 2;

    public static final int NFTA_CHAIN_TABLE = 1;
    public static final int NFTA_CHAIN_NAME = 3;
    public static final int NFTA_CHAIN_HOOK = 4;
    public static final int NFTA_CHAIN_POLICY = 5;
    public static final int NFTA_CHAIN_TYPE = 7;
    public static final int NFTA_HOOK_HOOKNUM = 1;
    public static final int NFTA_HOOK_PRIORITY = 2;

    public static final int NFTA_SET_TABLE = 1;
    public static final int NFTA_SET_NAME = 2;
    public static final int NFTA_SET_FLAGS = 3;
    public static final int NFTA_SET_KEY_TYPE = 4;
    public static final int NFTA_SET_KEY_LEN = 5;
    public static final int NFTA_SET_ID = 10;
    public static final int NFT_SET_TIMEOUT = 0x10;
    /** nft's ipv4_addr datatype, so {@code nft list} shows addresses. */
    public static final int TYPE_IPADDR = 7;
    /** nft's ipv6_addr data type. */
    public static final int TYPE_IP6ADDR = 8;

    public static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    public static final int NFTA_SET_ELEM_LIST_SET = 2;
    public static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    public static final int NFTA_LIST_ELEM = 1;
    public static final int NFTA_SET_ELEM_KEY = 1;
    public static final int NFTA_SET_ELEM_TIMEOUT = 4;
    public static final int NFTA_DATA_VALUE = 1;
    public static final int NFTA_DATA_VERDICT = 2;
    public static final int NFTA_VERDICT_CODE = 1;

    public static final int NFTA_RULE_TABLE = 1;
    public static final int NFTA_RULE_CHAIN = 2;
    public static final int NFTA_RULE_EXPRESSIONS = 4;
    public static final int NFTA_EXPR_NAME = 1;
    public static final int NFTA_EXPR_DATA = 2;

    public static final int NFTA_PAYLOAD_DREG = 1;
    public static final int NFTA_PAYLOAD_BASE = 2;
    public static final int NFTA_PAYLOAD_OFFSET = 3;
    public static final int NFTA_PAYLOAD_LEN = 4;
    public static final int NFT_PAYLOAD_NETWORK_HEADER = 1;
    public static final int NFT_PAYLOAD_TRANSPORT_HEADER = 2;
    public static final int NFTA_META_DREG = 1;
    public static final int NFTA_META_KEY = 2;
    public static final int NFT_META_L4PROTO = 16;
    public static final int NFTA_CMP_SREG = 1;
    public static final int NFTA_CMP_OP = 2;
    public static final int NFTA_CMP_DATA = 3;
    public static final int NFT_CMP_EQ = 0;
    public static final int IPPROTO_ICMPV6 = 58;

    public static final int NFTA_LOOKUP_SET = 1;
    public static final int NFTA_LOOKUP_SREG = 2;
    public static final int NFTA_LOOKUP_FLAGS = 5;
    public static final int NFT_LOOKUP_F_INV = 1;

    public static final int NFTA_IMMEDIATE_DREG = 1;
    public static final int NFTA_IMMEDIATE_DATA = 2;

    public static final int NFT_REG_VERDICT = 0;
    public static final int NFT_REG_1 = 1;

    private NftablesConstants() {}
}
