package io.vipd.config;

import io.vipd.config.keys.AddressTypes;
import io.vipd.config.keys.NodeKeys;
import io.vipd.config.keys.PeerKeys;
import io.vipd.config.keys.ValueTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the members of the cluster ({@link PeerKeys}): each once, at its own address, this node among them. */
final class PeerReader {
    private PeerReader() {
    }

    static List<Peer> read(KeyReader keys, Map<String, KeyReader.Member> members, String nodeId)
            throws ConfigException {
        if (members.isEmpty()) {
            throw keys.error(PeerKeys.PEER.name(), "no peers configured; list every member, this node included, "
                    + "as peer.ID = host:port");
        }
        java.util.Set<String> witnesses = witnesses(keys, members);
        java.util.Set<String> voters = voters(keys, members, witnesses);
        List<Peer> peers = new ArrayList<>();
        Map<String, String> byAddress = new HashMap<>();
        for (String id : members.keySet()) {
            String key = PeerKeys.PEER.in(id);
            if (!ValueTypes.ID.matcher(id).matches()) {
                throw keys.error(key, "'" + id + "' is not a valid node id (letters, digits, '-' or '_')");
            }
            AddressTypes.HostPort address = keys.find(PeerKeys.PEER, id).orElseThrow();
            String previous = byAddress.putIfAbsent(address.host() + ":" + address.port(), id);
            if (previous != null) {
                throw keys.error(key, "same address " + keys.written(key) + " as " + PeerKeys.PEER.in(previous));
            }
            peers.add(new Peer(id, address.host(), address.port(), witnesses.contains(id), voters.contains(id)));
        }
        Optional<String> tooMany = ClusterSizeRules.problem(peers.size());
        if (tooMany.isPresent()) {
            throw keys.error(PeerKeys.PEER.in(peers.get(ClusterSizeRules.MAX_MEMBERS).id()), tooMany.get());
        }
        String sizeKey = voters.size() == peers.size() ? PeerKeys.PEER.in(peers.get(0).id()) : PeerKeys.VOTERS.name();
        ClusterSizeRules.warning(voters.size()).ifPresent(w -> keys.warn(sizeKey, w));
        if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
            throw keys.error(NodeKeys.NODE_ID.name(), "this node '" + nodeId + "' has no peer." + nodeId
                    + " entry; every member, this node included, needs peer.ID = host:port");
        }
        return peers;
    }

    /**
     * The peers {@code voters} names (every peer without it): each a configured peer, once; every witness among them
     * (a witness that does not vote does nothing).
     */
    private static java.util.Set<String> voters(KeyReader keys, Map<String, KeyReader.Member> members,
                                                java.util.Set<String> witnesses) throws ConfigException {
        String key = PeerKeys.VOTERS.name();
        if (keys.find(PeerKeys.VOTERS).isEmpty()) {
            return new java.util.LinkedHashSet<>(members.keySet());
        }
        java.util.Set<String> out = peerIds(keys, PeerKeys.VOTERS, members);
        if (out.isEmpty()) {
            throw keys.error(key, "no voters: list the members that vote (3 or 5 is usual), or leave the key out "
                    + "for all of them");
        }
        for (String w : witnesses) {
            if (!out.contains(w)) {
                throw keys.error(key, "'" + w + "' is a witness, which only votes: list it among the voters");
            }
        }
        return out;
    }

    /** The peers {@code witnesses} names: each a configured peer, once; at least one peer left to hold VIPs. */
    private static java.util.Set<String> witnesses(KeyReader keys, Map<String, KeyReader.Member> members)
            throws ConfigException {
        java.util.Set<String> out = peerIds(keys, PeerKeys.WITNESSES, members);
        if (!out.isEmpty() && out.size() == members.size()) {
            throw keys.error(PeerKeys.WITNESSES.name(), "every peer is a witness: at least one must be able to hold "
                    + "the VIPs");
        }
        return out;
    }

    /** The node ids {@code key} lists (empty words skipped): each a configured peer, once; empty if not set. */
    private static java.util.Set<String> peerIds(KeyReader keys, io.vipd.config.keys.ConfigKey<List<String>> key,
                                                 Map<String, KeyReader.Member> members) throws ConfigException {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String id : keys.find(key).orElse(List.of())) {
            if (id.isEmpty()) {
                continue;
            }
            if (!members.containsKey(id)) {
                throw keys.error(key.name(), "'" + id + "' is not a configured peer (peers: "
                        + String.join(", ", members.keySet()) + ")");
            }
            if (!out.add(id)) {
                throw keys.error(key.name(), "'" + id + "' is listed twice");
            }
        }
        return out;
    }
}
