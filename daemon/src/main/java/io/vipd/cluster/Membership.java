package io.vipd.cluster;

import io.vipd.config.Peer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The group's membership as the Raft log says it is now, in vipd's terms: which peers are members, at which
 * address, and in which role (voter or listener, witness or VIP host). While a change is under way (Raft's joint
 * consensus) {@code peers} is the new membership and {@code previous} the one being left; a decision needs a
 * majority of the voters of both.
 *
 * @param peers    the members (the new ones during a change)
 * @param previous the members being left while a change is under way; empty when none is
 * @param index    the log index of the entry that set this membership (0 for the one a fresh node started with)
 */
public record Membership(List<Peer> peers, List<Peer> previous, long index) {
    public Membership {
        peers = List.copyOf(peers);
        previous = List.copyOf(previous);
    }

    /** A settled membership. */
    public static Membership of(List<Peer> peers, long index) {
        return new Membership(peers, List.of(), index);
    }

    /** Whether a change is under way: the group is in joint consensus between {@code previous} and {@code peers}. */
    public boolean changing() {
        return !previous.isEmpty();
    }

    public Optional<Peer> peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public boolean contains(String id) {
        return peer(id).isPresent();
    }

    public Set<String> ids() {
        return new TreeSet<>(peers.stream().map(Peer::id).toList());
    }

    public Set<String> voters() {
        return voters(peers);
    }

    /**
     * The voter sets a leader needs a majority of: the voters, and while a change is under way also the previous
     * voters (Raft's joint consensus counts both).
     */
    public List<Set<String>> quorums() {
        return changing() ? List.of(voters(peers), voters(previous)) : List.of(voters(peers));
    }

    /** Every member of either side of a change: who may take part in Raft traffic now. */
    public List<Peer> everyone() {
        if (!changing()) {
            return peers;
        }
        java.util.Map<String, Peer> all = new java.util.LinkedHashMap<>();
        previous.forEach(p -> all.put(p.id(), p));
        peers.forEach(p -> all.put(p.id(), p));
        return List.copyOf(all.values());
    }

    private static Set<String> voters(List<Peer> peers) {
        return new TreeSet<>(peers.stream().filter(Peer::voter).map(Peer::id).toList());
    }

    /** "n1, n2 (witness), n4 (listener)": for logs and messages. */
    public static String describe(List<Peer> peers) {
        return String.join(", ", peers.stream().map(p -> p.id() + role(p)).toList());
    }

    /** " (witness)", " (listener)", or nothing for a voter that may hold VIPs. */
    public static String role(Peer p) {
        return p.witness() ? " (witness)" : p.voter() ? "" : " (listener)";
    }
}
