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
    }

    @Test
    void aPauseLongerThanTheGapStartsTheEarningOverThoughTheNodeStaysLive() {
        renewEvery100Ms("n1", 0, 1000);
        assertTrue(liveness.earned("n1", 1000 * MS));
        // SIGSTOP for 400 ms: still live (under the failover timeout), but no longer earned...
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
}
