package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class LivenessTest {
    private static final long MS = 1_000_000L;

    /** Default profile: failover 850 ms, earn 300 ms (3 renew intervals), gap 350 ms (half the lease). */
    private final Liveness liveness = new Liveness(850, 300, 350);

    private void renewEvery100Ms(String node, long fromMs, long toMs) {
        for (long t = fromMs; t <= toMs; t += 100) {
            liveness.renewed(node, t * MS);
        }
    }

    @Test
    void aNodeEarnsVipsAfterRenewingSteadilyForTheEarningTime() {
        renewEvery100Ms("n1", 1000, 1200);
        assertTrue(liveness.live("n1", 1200 * MS));
        assertFalse(liveness.earned("n1", 1200 * MS));
        assertEquals("renewals resumed 200 ms ago, needs 300 ms", liveness.whyNotEarned("n1", 1200 * MS));
        liveness.renewed("n1", 1300 * MS);
        assertTrue(liveness.earned("n1", 1300 * MS));
        assertNull(liveness.whyNotEarned("n1", 1300 * MS));
        assertEquals(Set.of("n1"), liveness.earnedNodes(1300 * MS));
        assertEquals(300, liveness.steadyMillis("n1", 1300 * MS));
        assertEquals(-1, liveness.steadyMillis("n1", 1700 * MS), "no renewal for 400 ms: not steady now");
        assertEquals(-1, liveness.steadyMillis("n9", 1300 * MS));
    }

    @Test
    void aPauseLongerThanTheGapStartsTheEarningOverThoughTheNodeStaysLive() {
        // n2 renews throughout, so the gap below is n1's own, not the group's
        for (long t = 0; t <= 1000; t += 100) {
            liveness.renewed("n1", t * MS);
            liveness.renewed("n2", t * MS + 50 * MS);
        }
        assertTrue(liveness.earned("n1", 1000 * MS));
        // SIGSTOP for 400 ms: still live (under the failover timeout), but no longer earned...
        renewEvery100Ms("n2", 1150, 1350);
        assertFalse(liveness.earned("n1", 1400 * MS));
        assertEquals("no renewal from it for 400 ms", liveness.whyNotEarned("n1", 1400 * MS));
        // ...and after SIGCONT it must renew steadily for the earning time again.
        liveness.renewed("n1", 1450 * MS);
        assertTrue(liveness.live("n1", 1450 * MS));
        assertFalse(liveness.earned("n1", 1450 * MS));
        renewEvery100Ms("n1", 1550, 1750);
        assertTrue(liveness.earned("n1", 1750 * MS));
    }

    @Test
    void aGraceKeepsANodeLiveButEarnsNothing() {
        liveness.grace("n2", 0);
        assertTrue(liveness.live("n2", 800 * MS));
        assertFalse(liveness.live("n2", 850 * MS));
        assertFalse(liveness.earned("n2", 500 * MS));
        assertEquals("no renewal from it seen yet", liveness.whyNotEarned("n2", 500 * MS));
        assertEquals(-1, liveness.sinceMillis("n2", 500 * MS), "a grace is not a renewal");
    }

    @Test
    void aNodeThatLeftMustEarnAfresh() {
        renewEvery100Ms("n3", 0, 1000);
        liveness.left("n3");
        assertFalse(liveness.live("n3", 1000 * MS));
        liveness.renewed("n3", 1100 * MS);
        assertFalse(liveness.earned("n3", 1100 * MS));
    }

    @Test
    void aNodeIsEarningFromItsFirstSteadyRenewalUntilItHasEarnedOrStallsAgain() {
        renewEvery100Ms("n1", 0, 1000);
        liveness.renewed("n3", 1000 * MS);
        assertEquals(Set.of("n3"), liveness.earningNodes(1000 * MS), "n1 has earned; n3 just started");
        renewEvery100Ms("n3", 1100, 1200);
        assertEquals(Set.of("n3"), liveness.earningNodes(1200 * MS));
        liveness.renewed("n3", 1300 * MS);
        assertEquals(Set.of(), liveness.earningNodes(1300 * MS), "earned");
        liveness.renewed("n2", 1300 * MS);
        assertEquals(Set.of(), liveness.earningNodes(1700 * MS), "n2 stalled: not earning, not earned");
    }

    @Test
    void aGapWhenNobodysRenewalsWereAppliedIsTheGroupsNotTheNodes() {
        renewEvery100Ms("n1", 0, 1000);
        renewEvery100Ms("n2", 50, 950);
        // The leader died: no renewal of anyone applied from 1000 to 1600 ms (an election), then both resume.
        liveness.renewed("n2", 1600 * MS);
        liveness.renewed("n1", 1650 * MS);
        assertTrue(liveness.earned("n2", 1600 * MS), "n2's gap was the group's: it stays earned");
        assertTrue(liveness.earned("n1", 1650 * MS), "n1's too: 50 ms of its own");
        assertEquals(Set.of("n1", "n2"), liveness.earnedNodes(1650 * MS));
    }

    @Test
    void aNodeThatStalledLongerThanTheGroupMustEarnAfresh() {
        renewEvery100Ms("n1", 0, 1000);
        renewEvery100Ms("n2", 0, 1000);
        renewEvery100Ms("n3", 0, 1000);
        // n1 paused (it was the leader) for 3 s; the group elected n2 within 600 ms and went on without n1.
        liveness.renewed("n2", 1600 * MS);
        renewEvery100Ms("n2", 1700, 4000);
        renewEvery100Ms("n3", 1600, 4000);
        liveness.renewed("n1", 4000 * MS);
        assertFalse(liveness.earned("n1", 4000 * MS), "3 s of its own: earn again");
        assertTrue(liveness.earned("n3", 4000 * MS));
        // A node that came back more than the gap after the group did is not excused either.
        renewEvery100Ms("n1", 4100, 5000);
        renewEvery100Ms("n2", 4100, 5000);
        liveness.renewed("n2", 5600 * MS); // another election: 5000 to 5600
        liveness.renewed("n1", 6000 * MS); // n1 back 400 ms after the group (> 350 ms of its own)
        assertFalse(liveness.earned("n1", 6000 * MS));
        assertTrue(liveness.earned("n2", 5600 * MS));
    }

    @Test
    void aSilenceLongerThanAFailoverTimeoutIsNoElectionAndExcusesNobody() {
        renewEvery100Ms("n1", 0, 1000);
        renewEvery100Ms("n2", 0, 1000);
        // n3 was down already; n2 restarts: the group has no majority for 2 s, then n2 is back and both renew.
        liveness.renewed("n1", 3000 * MS);
        liveness.renewed("n2", 3010 * MS);
        assertFalse(liveness.earned("n2", 3010 * MS), "the node that just restarted earns afresh");
        assertFalse(liveness.earned("n1", 3010 * MS), "so does everyone: the silence was not an election");
        // ... and an election right after does not bring back the excuse for that older silence.
        renewEvery100Ms("n1", 3100, 3400);
        renewEvery100Ms("n2", 3110, 3410);
        assertEquals(Set.of("n1", "n2"), liveness.earnedNodes(3410 * MS));
    }
}
