package io.vipd.config.keys;

import static io.vipd.config.keys.AddressTypes.peerAddress;

import io.vipd.config.VipdConfig;
import java.util.List;

/** The members of the Raft group, this node included: {@code peer.ID = host:port}. They take a restart. */
public final class PeerKeys {
    public static final ConfigKey<AddressTypes.HostPort> PEER = ConfigKey.named("peer.", "ID", "", peerAddress())
            .restartOnly("peer.*", VipdConfig::peers).build();

    public static final List<ConfigKey<?>> ALL = List.of(PEER);

    private PeerKeys() {
    }
}
