package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vipd.config.VipdConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RATIS-2605 workaround on follower n1 of four (leader n2): nothing applied for 3 s while a leader is known
 * asks the group to make another member leader. Hand-offs run off the agent thread, so an absence is asserted
 * after a short settling time, and each presence is awaited.
 */
class ReplicationWatchdogTest {
    final ManualClock clock = new ManualClock();
    final FakeConsensus raft = new FakeConsensus().leader("n2");
    VipdConfig config = config(4);
    /** What the leader had applied when it last answered a renewal: ahead of this node unless a test says so. */
    long leaderIndex = Long.MAX_VALUE;
    final ReplicationWatchdog watchdog = new ReplicationWatchdog(() -> config, clock::nanos, () -> leaderIndex);

    {
        raft.follower = true;
        raft.appliedIndex = 50;
    }

    /** A check now, then one every 250 ms (its period) for {@code ms}. */
    void checkFor(long ms) {
        watchdog.check(raft, false);
        for (long t = 0; t < ms; t += ReplicationWatchdog.CHECK_PERIOD_MS) {
            clock.advanceMillis(ReplicationWatchdog.CHECK_PERIOD_MS);
            watchdog.check(raft, false);
        }
    }

    void tick() {
        clock.advanceMillis(ReplicationWatchdog.CHECK_PERIOD_MS);
        watchdog.check(raft, false);
    }

    List<FakeConsensus.Transfer> settledTransfers() throws InterruptedException {
        Thread.sleep(100);
        return raft.transfers();
    }

    static FakeConsensus.Transfer to(String peer) {
        return new FakeConsensus.Transfer(peer, 300);
    }

    @Test
    void threeSecondsWithoutApplyingAsksForAnotherLeaderThenAtMostEveryTwentySecondsRoundRobin()
            throws Exception {
        checkFor(2750);
        assertEquals(List.of(), settledTransfers(), "2.75 s");
        tick();
        assertEquals(List.of(to("n3")), raft.awaitTransfers(1), "3 s: a member that is neither n1 nor the leader");
        for (int i = 0; i < 79; i++) {
            tick();
        }
        assertEquals(1, settledTransfers().size(), "19.75 s after the hand-off: not yet again");
        tick();
        assertEquals(List.of(to("n3"), to("n4")), raft.awaitTransfers(2), "20 s: the next member");
        for (int i = 0; i < 80; i++) {
            tick();
        }
        assertEquals(List.of(to("n3"), to("n4"), to("n3")), raft.awaitTransfers(3));
    }

    @Test
    void anIdleLogIsNoSignThatReplicationIsStuck() throws Exception {
        leaderIndex = 50; // the leader has applied nothing this node has not: renewals append nothing
        checkFor(10_000);
        assertEquals(List.of(), settledTransfers());
        leaderIndex = 51;
        checkFor(3_000);
        assertEquals(List.of(to("n3")), settledTransfers(), "behind the leader's index for 3 s: stuck");
    }

    @Test
    void aFollowerThatAppliesIsLeftAlone() throws Exception {
        for (int i = 0; i < 200; i++) {
            raft.appliedIndex++;
            tick();
        }
        assertEquals(List.of(), settledTransfers());
    }

    @Test
    void aDelayedCheckStartsTheWaitOver() throws Exception {
        checkFor(2000);
        clock.advanceMillis(1100); // the agent thread was held up (a paused process has applied nothing either)
        watchdog.check(raft, false);
        for (int i = 0; i < 11; i++) {
            tick();
        }
        assertEquals(List.of(), settledTransfers(), "5.85 s without applying, but 2.75 s since the delayed check");
        tick();
        assertEquals(List.of(to("n3")), raft.awaitTransfers(1));
    }

    @Test
    void nothingWithoutAKnownLeaderAndTheWaitStartsOverWhenOneIsKnownAgain() throws Exception {
        checkFor(2000);
        raft.leader(null);
        for (int i = 0; i < 40; i++) {
            tick();
        }
        raft.leader("n2");
        for (int i = 0; i < 12; i++) { // the first of these sees the leader again
            tick();
        }
        assertEquals(List.of(), settledTransfers(), "15 s without applying, 2.75 s of them with a leader known");
        tick();
        assertEquals(List.of(to("n3")), raft.awaitTransfers(1));
    }

    @Test
    void onlyAFollowerThatIsNotStoppingIsWatched() throws Exception {
        raft.follower = false; // leader or candidate
        checkFor(5000);
        raft.follower = true;
        watchdog.check(raft, false);
        for (int i = 0; i < 20; i++) {
            clock.advanceMillis(250);
            watchdog.check(raft, true);
        }
        assertEquals(List.of(), settledTransfers());
    }

    @Test
    void noOtherMemberToHandTo() throws Exception {
        config = config(2);
        checkFor(10_000);
        assertEquals(List.of(), settledTransfers());
    }

    @Test
    void theLeaderIsNeverTheTarget() throws Exception {
        raft.leader("n3");
        checkFor(3000);
        assertEquals(List.of(to("n2")), raft.awaitTransfers(1));
    }
}
