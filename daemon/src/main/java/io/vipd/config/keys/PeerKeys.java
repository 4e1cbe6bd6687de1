package io.vipd.config.keys;

import static io.vipd.config.keys.AddressTypes.peerAddress;

import io.vipd.config.VipdConfig;
import java.util.List;

/**
 * The members of the Raft group, this node included: {@code peer.ID = host:port}. They are restart-only as keys (a
 * reload does not apply them like the others), but a reload that changes them proposes the change to the group as a
 * membership change (the daemon's Reloader and MembershipChanges).
 */
public final class PeerKeys {
    public static final ConfigKey<AddressTypes.HostPort> PEER = ConfigKey.named("peer.", "ID", "", peerAddress())
            .restartOnly("peer.*", VipdConfig::peers).build();

    /**
     * Members that vote but never hold a VIP: a small third machine that gives a pair of VIP hosts a majority. Node
     * ids; the reader skips empty words.
     */
    public static final ConfigKey<List<String>> WITNESSES = ConfigKey.plain("witnesses",
            io.vipd.config.keys.ValueTypes.wordList("node ids of peers", false))
            .restartOnly("peer.*", VipdConfig::peers).build(); // part of the membership: a reload proposes it

    /**
     * The members that vote (the others are Raft listeners: they hold VIPs without voting); default: every peer.
     * Node ids; the reader skips empty words.
     */
    public static final ConfigKey<List<String>> VOTERS = ConfigKey.plain("voters",
            io.vipd.config.keys.ValueTypes.wordList("node ids of peers", false))
            .restartOnly("peer.*", VipdConfig::peers).build(); // part of the membership: a reload proposes it

    public static final List<ConfigKey<?>> ALL = List.of(PEER, WITNESSES, VOTERS);

    private PeerKeys() {
    }
}
