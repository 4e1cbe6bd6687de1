package io.vipd.daemon;

import static io.vipd.daemon.RoleFixtures.apply;
import static io.vipd.daemon.RoleFixtures.assign;
import static io.vipd.daemon.RoleFixtures.config;
import static io.vipd.daemon.RoleFixtures.defined;
import static io.vipd.daemon.RoleFixtures.handover;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.VipTable;
import io.vipd.config.Timing;
import io.vipd.config.VipdConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The leader's placement, driven round by round on a manual clock (default timing: failover timeout 850 ms). Every
 * round is a full one here, so the rules' times are exact; {@link #aRoundWhoseInputsDidNotChangeWaitsForTheRefresh}
 * and the next tests cover the daemon's refresh period.
 */
class PlacementTest {
    final ManualClock clock = new ManualClock();
    final FakeConsensus raft = new FakeConsensus();
    VipdConfig config = config();
    final Timing timing = config.timing();
    final Liveness liveness = new Liveness(timing.failoverTimeoutMs(), timing.earnMs(), timing.renewalGapMs());
    final Placement placement = new Placement(() -> config, liveness,
            new LaggingFollowers(() -> raft, liveness::live), new Handovers("n1", RoleFixtures.DIRECT),
            clock::nanos, clock::wallMillis, RoleFixtures.DIRECT, 0);
    Set<String> renewing = Set.of("n1", "n2", "n3");
    VipTable table = defined(config, "n1", "n2", "n3");

    /** Time passes; the renewing nodes' renewals are applied every 100 ms (they stay earned). */
    void advance(long ms) {
        while (ms > 0) {
            long step = Math.min(ms, 100);
            clock.advanceMillis(step);
            ms -= step;
            renewing.forEach(n -> liveness.renewed(n, clock.nanos()));
        }
    }

    /** Renewals for long enough that every renewing node has earned VIPs before the first round. */
    void warmUp() {
        liveness.leading(raft.term, Set.of("n1", "n2", "n3"), clock.nanos()); // what the first round would do
        renewing.forEach(n -> liveness.renewed(n, clock.nanos()));
        advance(500);
    }

    void round(boolean leaderReady) {
        placement.round(raft, table, leaderReady);
    }

    Command.Assign failover(String vip, long epoch, String owner, String reason) {
        return new Command.Assign(vip, epoch, 0, owner, clock.wallMillis(), reason);
    }

    List<Command.Assign> assignsOf(String vip) {
        return raft.submitted(Command.Assign.class).stream().filter(a -> a.vip().equals(vip)).toList();
    }

    @Test
    void everyMemberEarnedAndDefinedPlacesAtOnceSpreadAndPreferred() {
        warmUp();
        round(true);
        // web where it is preferred; db on the least loaded node that is not the leader (this node, n1)
        assertEquals(List.of(failover("db", 0, "n3", "least loaded"), failover("web", 0, "n2", "preferred")),
                raft.submitted());
    }

    @Test
    void aStartingLeaderWaitsForMissingMembersSixSeconds() {
        renewing = Set.of("n1", "n2"); // n3 is not up
        warmUp();
        round(true);
        for (int i = 0; i < 59; i++) {
            advance(100);
            round(true);
        }
        assertEquals(List.of(), raft.submitted(), "5.9 s as leader: still patient");
        advance(100);
        round(true);
        assertEquals(List.of(failover("db", 0, "n1", "least loaded"), failover("web", 0, "n2", "preferred")),
                raft.submitted(), "6 s (Placement.STARTUP_PATIENCE_MS): placed on who is there");
    }

    @Test
    void aLeaderThatLostReadinessStartsItsPatienceOver() {
        renewing = Set.of("n1", "n2");
        warmUp();
        round(true);
        advance(5000);
        round(true);
        advance(500);
        round(false); // not a ready leader for a moment: forgets since when it leads
        advance(100);
        round(true); // leader again, 5.6 s after it first was
        advance(5999);
        round(true);
        assertEquals(List.of(), raft.submitted(), "11.6 s since first leading, but only 5.999 s since leading again");
        advance(1);
        round(true);
        assertEquals(2, raft.submitted().size(), raft.submitted().toString());
    }

    @Test
    void aFollowerPlacesNothing() {
        warmUp();
        table = apply(table, assign("old", 0, "n3"));
        for (int i = 0; i < 50; i++) {
            advance(100);
            round(false);
        }
        assertEquals(List.of(), raft.submitted());
    }

    @Test
    void aRoundsAssignmentsGoInOneEntryAndEachVipHasOneInFlightUntilItsOutcomeIsBack() {
        warmUp();
        round(true);
        for (int i = 0; i < 5; i++) {
            advance(20);
            round(true);
        }
        assertEquals(1, raft.entries().size(), "db and web in one entry, however many rounds");
        assertEquals(2, raft.submitted().size());
        raft.complete(c -> c instanceof Command.Assignments, FakeConsensus.unchanged());
        round(true);
        assertEquals(2, assignsOf("db").size(), "the outcome is back (stale): planned again");
        assertEquals(2, assignsOf("web").size());
        assertEquals(2, raft.entries().size());
        placement.reconfigured();
        round(true);
        assertEquals(3, assignsOf("web").size(), "a reload forgets what was in flight for the old VIPs");
        // a round with a single assignment sends it as it is
        assertTrue(raft.entries().get(2) instanceof Command.Assignments);
        raft.clearSubmitted();
        raft.completeAll(FakeConsensus.unchanged());
        table = apply(table, assign("db", 0, "n3"));
        round(true);
        assertEquals(List.of(failover("web", 0, "n2", "preferred")), raft.entries());
    }

    @Test
    void aVipTheConfigurationNoLongerHasIsAssignedToNobody() {
        warmUp();
        table = apply(table, assign("db", 0, "n1"), assign("web", 0, "n2"), assign("old", 0, "n3"),
                assign("gone", 0, "n3"), new Command.Assign("gone", 1, 0, null, 0, "released earlier"));
        round(true);
        assertEquals(List.of(new Command.Assign("old", 1, 0, null, clock.wallMillis(),
                "removed from the configuration", true)), raft.submitted(),
                "old (owned by a live node) is let go as a handover; gone has no owner: nothing to do");
    }

    VipTable handedOverFromN1ToN2() {
        return apply(table, assign("db", 0, "n3"), assign("web", 0, "n1"), handover("web", 1, "n2"));
    }

    @Test
    void aHandoverNotConfirmedWithinTheFailoverTimeoutIsEndedByTheLeader() {
        table = handedOverFromN1ToN2();
        warmUp();
        round(true); // first seen
        advance(849);
        round(true);
        assertEquals(List.of(), raft.submitted());
        advance(1);
        round(true);
        Command.Released expected = new Command.Released("web", 2, "n1",
                "no confirmation from n1 within the failover timeout");
        assertEquals(List.of(expected), raft.submitted());
        advance(500);
        round(true);
        assertEquals(List.of(expected), raft.submitted(), "one submission for web#2 while it is in flight");
    }

    @Test
    void theReleaseTimeoutCountsFromWhenThisLeaderSawTheHandover() {
        table = handedOverFromN1ToN2();
        warmUp();
        round(true);
        advance(500);
        round(false);
        advance(100);
        round(true); // a leader again: sees the handover afresh
        advance(849);
        round(true);
        assertEquals(List.of(), raft.submitted(), "1.449 s after first seeing it, 0.849 s as leader again");
        advance(1);
        round(true);
        assertEquals(1, raft.submitted(Command.Released.class).size());
    }

    @Test
    void aWitnessVotesButIsNeverGivenAVipNotEvenWhenItIsTheOnlyOtherNode() {
        config = config("witnesses = n3");
        table = defined(config, "n1", "n2", "n3");
        warmUp();
        round(true);
        assertEquals(List.of(failover("db", 0, "n1", "least loaded"), failover("web", 0, "n2", "preferred")),
                raft.submitted(), "placed at once (the witness is not waited for), spread over the VIP hosts");
        table = apply(table, assign("db", 0, "n2"), assign("web", 0, "n2"));
        raft.clearSubmitted();
        raft.completeAll(FakeConsensus.unchanged());
        renewing = Set.of("n1", "n3"); // n2 dies
        for (int i = 0; i < 20; i++) {
            advance(100);
            round(true);
        }
        assertEquals(List.of("n1", "n1"), raft.submitted(Command.Assign.class).stream().map(Command.Assign::owner).toList(),
                "failed over to the other VIP host, never to the witness");
        raft.clearSubmitted();
        renewing = Set.of("n3"); // and n1 dies too: only the witness is left (no majority in reality; here, none to
        for (int i = 0; i < 20; i++) { // place on either way)
            advance(100);
            round(true);
        }
        assertTrue(raft.submitted(Command.Assign.class).stream().noneMatch(a -> "n3".equals(a.owner())),
                raft.submitted().toString());
    }

    /** Placement as the daemon runs it: a full round when its inputs changed, else once per refresh period. */
    final Placement daemonPlacement = new Placement(() -> config, liveness,
            new LaggingFollowers(() -> raft, liveness::live), new Handovers("n1", RoleFixtures.DIRECT),
            clock::nanos, clock::wallMillis, RoleFixtures.DIRECT);

    @Test
    void aRoundWhoseInputsDidNotChangeWaitsForTheRefresh() {
        config = config(PREEMPT);
        table = apply(table, assign("db", 0, "n3"), assign("web", 0, "n1"));
        warmUp();
        daemonPlacement.round(raft, table, true); // n2 eligible for web from now
        advance(1999);
        daemonPlacement.round(raft, table, true);
        advance(1);
        daemonPlacement.round(raft, table, true);
        advance(98);
        daemonPlacement.round(raft, table, true);
        assertEquals(List.of(), assignsOf("web"), "the delay is over, but the last full round was 99 ms ago and nothing changed since");
        advance(1);
        daemonPlacement.round(raft, table, true);
        assertEquals(List.of(new Command.Assign("web", 1, 0, "n2", clock.wallMillis(),
                "preferred (preempt: n2 eligible for 2099 ms >= 2000 ms delay)", true)), assignsOf("web"));
    }

    @Test
    void anOwnerThatStopsRenewingIsFailedOverOnTheFirstTickWithoutItWhateverTheRefresh() {
        table = apply(table, assign("db", 0, "n3"), assign("web", 0, "n2"));
        warmUp();
        renewing = Set.of("n1", "n2");
        long lastOfN3 = clock.nanos();
        for (int tick = 0; tick < 100 && assignsOf("db").isEmpty(); tick++) {
            daemonPlacement.round(raft, table, true);
            if (assignsOf("db").isEmpty()) {
                assertTrue(liveness.live("n3", clock.nanos()), "n3 not live any more, but db not failed over");
            }
            clock.advanceMillis(10);
            liveness.renewed("n1", clock.nanos());
            liveness.renewed("n2", clock.nanos());
        }
        assertEquals(1, assignsOf("db").size());
        assertEquals("n1", assignsOf("db").get(0).owner(), "web is on n2");
        assertTrue(clock.nanos() - lastOfN3 <= (timing.failoverTimeoutMs() + 10) * 1_000_000L);
    }

    @Test
    void anAssignmentWhoseOutcomeIsBackIsPlannedAgainAtOnce() {
        warmUp();
        daemonPlacement.round(raft, table, true);
        assertEquals(2, raft.submitted().size());
        raft.complete(c -> c instanceof Command.Assignments, FakeConsensus.unchanged());
        clock.advanceMillis(1);
        daemonPlacement.round(raft, table, true);
        assertEquals(4, raft.submitted().size(), "stale: planned again 1 ms later, the table unchanged");
    }

    static final String[] PREEMPT = {"vip.web.preempt = on", "vip.web.preempt.delay.ms = 2000",
            "vip.web.preempt.hold.ms = 0"};

    @Test
    void preemptionWaitsForTheDelayCountedFromWhenThePreferredNodeBecameEligible() {
        config = config(PREEMPT);
        table = apply(table, assign("db", 0, "n3"), assign("web", 0, "n1"));
        warmUp();
        round(true); // n2 eligible for web from now
        advance(1999);
        round(true);
        assertEquals(List.of(), assignsOf("web"));
        advance(1);
        round(true);
        assertEquals(List.of(new Command.Assign("web", 1, 0, "n2", clock.wallMillis(),
                "preferred (preempt: n2 eligible for 2000 ms >= 2000 ms delay)", true)), assignsOf("web"));
    }

    @Test
    void aBreakInEligibilityStartsThePreemptDelayOver() {
        config = config(PREEMPT);
        table = apply(table, assign("db", 0, "n3"), assign("web", 0, "n1"));
        VipTable undrained = table;
        warmUp();
        round(true);
        advance(1000);
        table = apply(undrained, new Command.Drain("n2", true, 0));
        round(true); // n2 drained: not eligible
        advance(100);
        table = undrained;
        round(true); // eligible again from now
        advance(1999);
        round(true);
        assertEquals(List.of(), assignsOf("web"), "3.099 s since first eligible, 1.999 s since the break");
        advance(1);
        round(true);
        assertEquals(1, assignsOf("web").size());
        assertTrue(assignsOf("web").get(0).handover());
    }

    static final String[] HOLD = {"vip.web.preempt = on", "vip.web.preempt.hold.ms = 2000"};

    @Test
    void preemptionWaitsTheHoldTimeSinceTheLastOwnerChangeThisNodeApplied() {
        config = config(HOLD);
        table = apply(table, assign("db", 0, "n3"), assign("web", 0, "n1"));
        warmUp();
        placement.ownerChanged("web");
        round(true);
        advance(1000);
        placement.ownerChanged("web"); // applied another owner change of web
        round(true);
        advance(1999);
        round(true);
        assertEquals(List.of(), assignsOf("web"), "2.999 s since the first change, 1.999 s since the last");
        advance(1);
        round(true);
        assertEquals("n2", assignsOf("web").get(0).owner());
    }

    @Test
    void anOwnerChangeThisNodeDidNotSeeCountsItsHoldFromTheFirstRound() {
        config = config(HOLD);
        table = apply(table, assign("db", 0, "n3"), assign("web", 0, "n1"));
        warmUp();
        round(true);
        advance(1999);
        round(true);
        assertEquals(List.of(), assignsOf("web"));
        advance(1);
        round(true);
        assertEquals("n2", assignsOf("web").get(0).owner());
    }

    @Test
    void aFollowerBehindTheLogIsNotGivenAVip() {
        table = apply(table, assign("db", 0, "n3"), assign("web", 0, "n3"));
        raft.replication = java.util.Optional.of(new Consensus.Replication(100, Map.of("n2", 10L, "n3", 100L),
                Map.of("n2", 0L, "n3", 0L)));
        warmUp();
        for (int i = 0; i <= 20; i++) { // two seconds of commit history: n2 lacks what was committed 2 s ago
            round(true);
            advance(100);
        }
        table = apply(table, new Command.Leave("n3", 0)); // both VIPs lose their owner
        round(true);
        assertEquals(List.of(failover("db", 2, "n1", "least loaded"), failover("web", 2, "n1", "preferred")),
                raft.submitted(), "web's first choice n2 lags; n3 left");
    }
}
