package io.vipd.cluster;

import io.vipd.config.Peer;
import java.util.Collection;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftConfiguration;

/**
 * vipd's members as Ratis peers and back. Ratis's configuration holds all vipd needs of a member: its id and
 * address, whether it votes (a follower or a listener), and whether it is a witness (priority 0).
 */
final class RatisMembership {
    private RatisMembership() {}

    /** The membership a Ratis configuration says, the new one and the one being left while it changes. */
    static Membership of(RaftConfiguration conf) {
        return new Membership(peers(conf.getCurrentPeers(), conf.getCurrentPeers(RaftPeerRole.LISTENER)),
                peers(conf.getPreviousPeers(), conf.getPreviousPeers(RaftPeerRole.LISTENER)), conf.getLogEntryIndex());
    }

    /** setConfiguration's arguments: compare-and-set from {@code from} to {@code to}. */
    static SetConfigurationRequest.Arguments change(Membership from, List<Peer> to) {
        return SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(to.stream().filter(Peer::voter).map(RatisMembership::raftPeer).toList())
                .setListenersInNewConf(to.stream().filter(p -> !p.voter()).map(RatisMembership::raftPeer).toList())
                .setServersInCurrentConf(from.peers().stream().filter(Peer::voter).map(RatisMembership::raftPeer)
                        .toList())
                .setListenersInCurrentConf(from.peers().stream().filter(p -> !p.voter())
                        .map(RatisMembership::raftPeer).toList())
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                .build();
    }

    private static List<Peer> peers(Collection<RaftPeer> voters, Collection<RaftPeer> listeners) {
        List<Peer> out = new java.util.ArrayList<>();
        voters.forEach(p -> out.add(peer(p, true)));
        listeners.forEach(p -> out.add(peer(p, false)));
        out.sort(java.util.Comparator.comparing(Peer::id));
        return out;
    }

    /** A Ratis peer as vipd sees it: priority 0 marks a witness (see {@link #raftPeer}). */
    static Peer peer(RaftPeer p, boolean voter) {
        String address = p.getAddress();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon); // an IPv6 address keeps its brackets, as in the file
        return new Peer(p.getId().toString(), host, Integer.parseInt(address.substring(colon + 1)),
                p.getPriority() == 0, voter);
    }

    /**
     * A vipd peer as a Ratis peer. A witness leads only when no VIP host can: Ratis lets a member with a higher
     * priority refuse its vote to an equally up-to-date candidate of lower priority, and hands leadership to it when
     * it can. A member that does not vote joins as a Raft listener: the log reaches it, its vote is never asked.
     */
    static RaftPeer raftPeer(Peer p) {
        return RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).setPriority(p.witness() ? 0 : 1)
                .setStartupRole(p.voter() ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER).build();
    }

}
