package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vipd.cluster.Consensus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The leader's judgement of lagging followers and its leadership hand-off, on a manual clock. */
class LaggingFollowersTest {
    final ManualClock clock = new ManualClock();
    final FakeConsensus raft = new FakeConsensus();
    Set<String> live = Set.of("n2", "n3");
    final LaggingFollowers lagging = new LaggingFollowers(() -> raft, (node, now) -> live.contains(node));

    void replication(long commit, long n2Match, long n2AnsweredMsAgo) {
        raft.replication = Optional.of(new Consensus.Replication(commit, Map.of("n2", n2Match, "n3", commit),
                Map.of("n2", n2AnsweredMsAgo, "n3", 10L)));
    }

    /** Updates every 100 ms for {@code ms}. */
    void updateFor(long ms) {
        for (long t = 0; t < ms; t += 100) {
            lagging.update(clock.nanos());
            clock.advanceMillis(100);
        }
    }

    @Test
    void aFollowerMissingWhatWasCommittedTwoSecondsAgoLags() {
        replication(100, 10, 50);
        updateFor(2000);
        assertEquals(Map.of(), lagging.lagging(), "not leader for long enough to judge");
        lagging.update(clock.nanos());
        assertEquals(Set.of("n2"), lagging.lagging().keySet());
        assertEquals("catching up with the leader's log: holds up to index 10, the leader committed 100",
                lagging.lagging().get("n2"));
        lagging.reset();
        assertEquals(Map.of(), lagging.lagging());
    }

    @Test
    void aFollowerThatDoesNotAnswerIsNotJudged() {
        replication(100, 10, 5000);
        updateFor(3000);
        assertEquals(Map.of(), lagging.lagging(), "down or cut off, not catching up");
    }

    @Test
    void afterThreeSecondsOfLagTheLeaderHandsLeadershipToAFollowerInStep() throws Exception {
        replication(100, 10, 50);
        updateFor(2000 + 2999);
        assertEquals(List.of(), raft.transfers(), "lagging for 2.9 s");
        updateFor(100);
        assertEquals(List.of(new FakeConsensus.Transfer("n3", 300)), raft.awaitTransfers(1),
                "whatever the clock's origin, the first hand-off is not held back");
        updateFor(14_000);
        Thread.sleep(100);
        assertEquals(1, raft.transfers().size(), "at most one hand-off every 15 s");
        updateFor(1000);
        assertEquals(2, raft.awaitTransfers(2).size());
    }

    @Test
    void noHandOffWithoutALiveFollowerInStep() throws Exception {
        live = Set.of("n2");
        replication(100, 10, 50);
        updateFor(6000);
        Thread.sleep(100);
        assertEquals(List.of(), raft.transfers());
    }
}
