package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.config.VipdConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A planned stop of n1: leadership handed to the follower most recently in touch, then its Leave committed. */
class DepartureTest {
    final ManualClock clock = new ManualClock();
    final VipdConfig config = config(); // lease 700 ms
    final FakeConsensus raft = new FakeConsensus();
    final AtomicReference<Consensus> cluster = new AtomicReference<>(raft);
    final Departure departure = new Departure(() -> config, cluster::get, clock::nanos, clock::wallMillis,
            clock::advanceMillis);

    {
        raft.leaderReady = true;
    }

    long inMillis(long ms) {
        return clock.nanos() + ms * RoleFixtures.MS;
    }

    @Test
    void aLeaderHandsLeadershipToTheFollowerThatAnsweredMostRecently() {
        raft.followersLastAnsweredMs = Map.of("n2", 120L, "n3", 40L);
        departure.handOffLeadership(300);
        assertEquals(List.of(new FakeConsensus.Transfer("n3", 300)), raft.transfers());
    }

    @Test
    void onlyToAFollowerThatAnsweredWithinTheLease() {
        raft.followersLastAnsweredMs = Map.of("n2", 700L, "n3", 5000L);
        departure.handOffLeadership(300);
        assertEquals(List.of(), raft.transfers(), "none answered within 700 ms");
        raft.followersLastAnsweredMs = Map.of("n2", 699L, "n3", 5000L);
        departure.handOffLeadership(300);
        assertEquals(List.of(new FakeConsensus.Transfer("n2", 300)), raft.transfers());
    }

    @Test
    void notALeaderOrNotStartedHandsNothing() {
        raft.followersLastAnsweredMs = Map.of("n2", 10L);
        raft.leaderReady = false;
        departure.handOffLeadership(300);
        cluster.set(null);
        departure.handOffLeadership(300);
        assertEquals(List.of(), raft.transfers());
    }

    @Test
    void aFailedThrowingOrHangingTransferDoesNotHoldUpTheStop() {
        raft.followersLastAnsweredMs = Map.of("n2", 10L);
        raft.transferAnswer = t -> FakeConsensus.Outcome.failed("timed out");
        departure.handOffLeadership(300);
        raft.transferAnswer = t -> {
            throw new IllegalStateException("server closed");
        };
        departure.handOffLeadership(300);
        raft.transferAnswer = t -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeConsensus.committed();
        };
        long start = System.nanoTime();
        departure.handOffLeadership(10);
        long tookMs = (System.nanoTime() - start) / 1_000_000L;
        assertTrue(tookMs < 2_000, "bounded at the timeout + 500 ms, took " + tookMs + " ms");
        assertEquals(3, raft.transfers().size());
    }

    @Test
    void theLeaveIsSubmittedOnceWhenItCommits() {
        raft.answer = c -> FakeConsensus.committed();
        departure.tellGroupLeaving(inMillis(1000));
        assertEquals(List.of(new Command.Leave("n1", clock.wallMillis())), raft.submitted());
    }

    @Test
    void theLeaveIsRetriedUntilItCommits() {
        AtomicInteger attempts = new AtomicInteger();
        raft.answer = c -> attempts.incrementAndGet() < 3
                ? FakeConsensus.Outcome.failed("not leader") : FakeConsensus.committed();
        departure.tellGroupLeaving(inMillis(1000));
        assertEquals(3, raft.submitted(Command.Leave.class).size());
    }

    @Test
    void betweenAttemptsItWaitsOnItsOwnClockAndNeverPastTheDeadline() {
        raft.answer = c -> FakeConsensus.Outcome.failed("no leader"); // fails at once: only the pause moves time
        long start = clock.nanos();
        departure.tellGroupLeaving(inMillis(95));
        assertEquals(5, raft.submitted(Command.Leave.class).size(), "attempts at 0, 20, 40, 60, 80 ms");
        assertEquals(95, (clock.nanos() - start) / RoleFixtures.MS, "the last pause is cut to the deadline");
    }

    @Test
    void theLeaveIsRetriedUntilTheDeadlineEachWithItsTime() {
        raft.answer = c -> {
            clock.advanceMillis(100); // each attempt takes 100 ms to fail
            return FakeConsensus.Outcome.failed("no leader");
        };
        long wallAtStart = clock.wallMillis();
        departure.tellGroupLeaving(inMillis(1000));
        List<Command.Leave> leaves = raft.submitted(Command.Leave.class);
        assertEquals(9, leaves.size(), "attempts at 0, 120, ..., 960 ms (100 ms each, 20 ms pause between)");
        assertEquals(wallAtStart + 960, leaves.get(8).wallMillis());
    }

    @Test
    void anAttemptWaitsNoLongerThanTheDeadline() {
        raft.answer = c -> {
            clock.advanceMillis(1000); // the stop's time is up while this one is in flight
            return null;
        };
        long start = System.nanoTime();
        departure.tellGroupLeaving(inMillis(1000));
        assertTrue((System.nanoTime() - start) / 1_000_000L < 1_000, "waited at most 1 ms for the reply");
        assertEquals(1, raft.submitted().size());
    }

    @Test
    void anInterruptedStopGivesUpAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        departure.tellGroupLeaving(inMillis(60_000));
        assertTrue(Thread.interrupted());
        assertEquals(1, raft.submitted().size());
    }
}
