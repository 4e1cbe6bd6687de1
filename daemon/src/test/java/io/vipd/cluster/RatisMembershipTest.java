package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vipd.config.Peer;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.junit.jupiter.api.Test;

/** vipd's members survive the trip through Ratis's configuration: id, address, vote and witness. */
class RatisMembershipTest {
    static final Peer VOTER = new Peer("n1", "198.18.0.1", 7400);
    static final Peer WITNESS = new Peer("w", "198.18.203.3", 7400, true);
    static final Peer LISTENER = new Peer("l", "198.18.0.9", 7400, false, false);
    static final Peer V6 = new Peer("n6", "[2001:db8::6]", 7400);

    @Test
    void aPeerIsTheSameAfterTheRoundTrip() {
        for (Peer p : List.of(VOTER, WITNESS, LISTENER, V6)) {
            RaftPeer r = RatisMembership.raftPeer(p);
            assertEquals(p, RatisMembership.peer(r, p.voter()));
        }
        assertEquals(0, RatisMembership.raftPeer(WITNESS).getPriority(), "a witness leads only if nobody else can");
        assertEquals(RaftPeerRole.LISTENER, RatisMembership.raftPeer(LISTENER).getStartupRole());
    }

    @Test
    void aChangeIsCompareAndSetWithVotersAsServersAndTheOthersAsListeners() {
        SetConfigurationRequest.Arguments a = RatisMembership.change(Membership.of(List.of(VOTER, WITNESS), 3),
                List.of(VOTER, WITNESS, LISTENER));
        assertEquals(SetConfigurationRequest.Mode.COMPARE_AND_SET, a.getMode());
        assertEquals(List.of("n1", "w"), a.getServersInNewConf().stream().map(p -> p.getId().toString()).toList());
        assertEquals(List.of("l"), a.getPeersInNewConf(RaftPeerRole.LISTENER).stream()
                .map(p -> p.getId().toString()).toList());
        assertEquals(List.of("n1", "w"), a.getServersInCurrentConf().stream().map(p -> p.getId().toString())
                .toList());
    }
}
