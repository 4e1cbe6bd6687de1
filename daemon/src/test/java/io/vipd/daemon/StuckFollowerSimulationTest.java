package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.Command;
import io.vipd.config.Timing;
import io.vipd.config.VipSpec;
import io.vipd.daemon.SimulatedCluster.Node;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RATIS-2605 on purpose, in the simulation ({@link Ratis2605}): the cluster's leader is cut off while an operator on
 * it retries a move, so it appends entries that never replicate; the other two elect a leader of a later term;
 * on the heal the new leader's replication state for the old one goes wrong as in RATIS-2605, and from then on it
 * heartbeats it without ever sending it an entry. Then the daemon's real {@link ReplicationWatchdog}, on the stuck
 * node, must notice and have leadership handed to the third node, whose fresh replication state repairs the log.
 */
class StuckFollowerSimulationTest {
    static final long MS = SimulatedCluster.MS;
    /** Entries the cut-off leader appends: enough that the new leader's log stays below the follower's log end. */
    static final int DIVERGENT = 12;
    /**
     * From the fault (or from letting the watchdog act) to the follower in step: the watchdog's 3 s without progress
     * on a clock up to 5 % slow, its 250 ms period, the hand-off and election, the catch-up. Measured: 2.9-3.5 s.
     */
    static final long RECOVERY_BOUND_MS = 5_000;

    @org.junit.jupiter.api.BeforeAll
    static void quietDaemonLog() {
        OwnershipSimulationTest.quietDaemonLog();
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreDaemonLog() {
        OwnershipSimulationTest.restoreDaemonLog();
    }

    static List<Long> seeds() {
        List<Long> out = new ArrayList<>();
        for (long seed = 1; seed <= Long.getLong("vipd.sim.stuckseeds", 20); seed++) {
            out.add(seed);
        }
        return out;
    }

    /** The failure, built: who is stuck, at which applied index, behind which leader, since when. */
    record Stuck(SimulatedCluster sim, Ratis2605 fault, Node follower, Node leader, long leaderTerm, long appliedAt,
                 long healedAt) {}

    static Stuck stick(long seed, boolean watchdogs) throws Exception {
        SimulatedCluster sim = new SimulatedCluster(seed, 3, OwnershipSimulationTest.vips(3), Timing.DEFAULT);
        Ratis2605 fault = sim.modelRatis33();
        sim.watchdogs = watchdogs;
        sim.runFor(5_000 * MS);
        Node old = sim.nodes[sim.readyLeader()];
        sim.partitionGroup[old.id] = 1;
        sim.trace("ISOLATE the leader " + old.name);
        for (int i = 0; i < DIVERGENT; i++) { // an operator on it retrying `vipctl move v0 <it>`: never committed
            old.submit(new Command.Move("v0", old.table.vip("v0").epoch(), old.name, sim.now / MS, old.name, "sim"));
            sim.runFor(50 * MS);
        }
        sim.runFor(3_000 * MS);
        Node first = leaderOtherThan(sim, old);
        assertTrue(first != null && first.term > old.term, "the others elected a leader of a later term");
        long firstTerm = first.term;
        // A burst of loss on their side makes them elect again. Now the leader's log holds entries of an earlier
        // term past the point where it parts from the cut-off node's, so on the heal it starts by backing off for
        // it, which is where RATIS-2605 strikes. (A leader elected just once starts right at that point: its
        // first append repairs the follower's log, and there is no back-off to go wrong.)
        sim.dropRate = 1;
        sim.trace("LOSS on every link");
        sim.runFor(500 * MS);
        sim.dropRate = 0;
        sim.trace("LOSS over");
        Node leader = null;
        for (long t = 0; t < 5_000 && (leader == null || leader.term <= firstTerm); t += 10) {
            sim.runFor(10 * MS);
            leader = leaderOtherThan(sim, old);
        }
        assertTrue(leader != null && leader.term > firstTerm, () -> "the others elected once more" + recent(sim));
        sim.runFor(1_000 * MS);
        assertTrue(old.lastIndex() > leader.lastIndex(), "the cut-off leader's log runs past the new leader's");
        fault.arm(old.id);
        sim.heal();
        sim.trace("HEAL");
        long healedAt = sim.now;
        sim.runFor(1_000 * MS); // the new leader reaches it, backs off once, and the race goes wrong
        assertTrue(fault.tookHoldAt >= 0, () -> "the follower answered the heartbeat with its divergent log end"
                + recent(sim));
        assertTrue(leader.leader && leader.match[old.id] == fault.pollutedMatch
                        && fault.pollutedMatch > fault.commonPrefix,
                "the leader's match index for " + old.name + " is past the common prefix #" + fault.commonPrefix);
        return new Stuck(sim, fault, old, leader, leader.term, old.lastApplied, healedAt);
    }

    /** The simulation's latest events, for a failure message. */
    static String recent(SimulatedCluster sim) {
        List<String> t = new ArrayList<>(sim.trace);
        return "\n" + String.join("\n", t.subList(Math.max(0, t.size() - 120), t.size()));
    }

    static Node leaderOtherThan(SimulatedCluster sim, Node node) {
        for (Node x : sim.nodes) {
            if (x != node && x.up && x.consensus.isLeaderReady()) {
                return x;
            }
        }
        return null;
    }

    /**
     * Without the watchdog (the flag keeps the nodes' ReplicationWatchdogs from acting; everything else runs, the
     * leader's own lag check and hand-off included) the follower stays stuck for 30 s: it applies nothing while it
     * follows a leader that is ahead, which counts it as in step. Its stale table still makes it the owner of the
     * VIP that moved while it was cut off; it must not answer for it. Then the watchdog is let act, and recovers it.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void withoutTheWatchdogTheFollowerStaysStuckAndTheWatchdogThenRecoversIt(long seed) throws Exception {
        Stuck s = stick(seed, false);
        SimulatedCluster sim = s.sim();
        Node f = s.follower();
        Node leader = s.leader();
        List<String> stale = sim.vips.stream().map(VipSpec::name).filter(v -> f.name.equals(f.table.vip(v).owner())
                && !f.name.equals(leader.table.vip(v).owner())).toList();
        assertTrue(!stale.isEmpty(), "the stuck follower's table still gives it a VIP that moved");
        long until = sim.now + 30_000 * MS;
        while (sim.now < until) {
            sim.runFor(100 * MS);
            assertEquals(s.appliedAt(), f.lastApplied, "the follower applied something (seed " + seed + ")");
            assertTrue(f.consensus.isFollower() && f.consensus.leader().equals(java.util.Optional.of(leader.name))
                            && leader.leader && leader.lastApplied > s.appliedAt(),
                    "the follower keeps following a leader that is ahead (seed " + seed + ")");
            assertTrue(leader.match[f.id] >= leader.commit, "the leader counts the follower as in step");
            stale.forEach(v -> assertTrue(!sim.holdersOf(v).contains(f.name), f.name + " answers for " + v));
        }
        assertEquals(List.of(), sim.transfers.events.stream().filter(e -> e.what().contains(" asks ")).toList(),
                "nothing else (the leader's lag check included) asked for a hand-off");
        assertEquals(List.of(), sim.violations, "safety violations while stuck");
        sim.watchdogs = true;
        Recovery r = recover(s, sim.now);
        report(seed, "watchdog let act after 30 s stuck", s, r);
    }

    /** With the watchdog on from the start: detection a few seconds after the fault, recovery within a bound. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theWatchdogHandsLeadershipOnAndTheStuckFollowerCatchesUp(long seed) throws Exception {
        Stuck s = stick(seed, true);
        Recovery r = recover(s, s.healedAt());
        report(seed, "watchdog on throughout", s, r);
    }

    /** When (simulated ms from {@code from}) the watchdog asked, a new leader was ready, and the follower caught up. */
    record Recovery(long askedMs, long electedMs, long caughtUpMs, Node newLeader) {}

    static Recovery recover(Stuck s, long from) {
        SimulatedCluster sim = s.sim();
        Node f = s.follower();
        long asked = -1;
        long elected = -1;
        long caughtUp = -1;
        Node newLeader = null;
        while (sim.now - from < 20_000 * MS && caughtUp < 0) {
            if (asked < 0) {
                assertEquals(s.appliedAt(), f.lastApplied, "the follower applied before the watchdog acted");
            }
            sim.runFor(10 * MS);
            if (asked < 0 && sim.transfers.events.stream().anyMatch(e -> e.what().startsWith(f.name + " asks"))) {
                asked = sim.now;
            }
            Node l = leaderOtherThan(sim, f);
            if (asked >= 0 && elected < 0 && l != null && l.term > s.leaderTerm()) {
                elected = sim.now;
                newLeader = l;
            }
            if (elected >= 0 && f.lastApplied == newLeader.lastApplied && f.table.equals(newLeader.table)) {
                caughtUp = sim.now;
            }
        }
        List<SimTransfers.Event> asks = sim.transfers.events.stream().filter(e -> e.what().contains(" asks ")).toList();
        assertTrue(!asks.isEmpty() && asks.get(0).what().startsWith(f.name + " asks")
                && asks.get(0).what().endsWith("(ReplicationWatchdog)"),
                "the stuck follower's watchdog asked first: " + asks);
        assertTrue(caughtUp > 0, () -> "the follower caught up" + recent(sim));
        assertTrue(newLeader != s.leader() && newLeader != f, "the third node leads");
        assertTrue((caughtUp - asked) / MS < 1_000, "caught up within 1 s of asking: " + (caughtUp - asked) / MS);
        assertTrue(f.lastApplied > s.appliedAt(), "the follower applied again");
        // Settled afterwards: every node applied the same table, each VIP held by its owner alone, no violation.
        sim.runFor(3_000 * MS);
        for (Node x : sim.nodes) {
            assertEquals(newLeader.table, x.table, x.name + "'s table");
        }
        for (VipSpec v : sim.vips) {
            assertEquals(List.of(sim.ownerOf(v.name())), sim.holdersOf(v.name()),
                    "exactly the owner holds " + v.name());
        }
        assertEquals(List.of(), sim.violations, "safety violations");
        assertEquals(1, sim.transfers.events.stream().filter(e -> e.what().contains(" asks ")).count(),
                "one hand-off was enough");
        return new Recovery((asked - from) / MS, (elected - from) / MS, (caughtUp - from) / MS, newLeader);
    }

    static void report(long seed, String how, Stuck s, Recovery r) {
        System.out.printf("[sim RATIS-2605 seed %d] %s: %s stuck at #%d (logs agree to #%d, leader %s took #%d); "
                        + "asked +%d ms, %s leads +%d ms, caught up +%d ms%n", seed, how, s.follower().name,
                s.appliedAt(), s.fault().commonPrefix, s.leader().name, s.fault().pollutedMatch, r.askedMs(),
                r.newLeader().name, r.electedMs(), r.caughtUpMs());
        assertTrue(r.caughtUpMs() < RECOVERY_BOUND_MS, "recovered within " + RECOVERY_BOUND_MS + " ms: " + r);
    }
}
