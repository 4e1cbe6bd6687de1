package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicationLagTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFollowerThatKeepsUpIsNeverBehindAndOneThatStandsStillIsOnceTheAllowancePassed() {
        ReplicationLag lag = new ReplicationLag(2000);
        long commit = 1000;
        for (long t = 0; t <= 1900; t += 100) {
            commit += 3;
            Map<String, String> behind = lag.behind(t * MS, commit, Map.of("n2", commit - 2, "n3", 1000L));
            assertTrue(behind.isEmpty(), "no judgement before the allowance has passed: " + behind);
        }
        commit += 3;
        Map<String, String> behind = lag.behind(2000 * MS, commit, Map.of("n2", commit - 2, "n3", 1000L));
        assertEquals(java.util.Set.of("n3"), behind.keySet());
        assertTrue(behind.get("n3").contains("holds up to index 1000"), behind.get("n3"));
    }

    @Test
    void aFollowerThatCatchesUpIsInStepAgain() {
        ReplicationLag lag = new ReplicationLag(1000);
        lag.behind(0, 500, Map.of("n3", 10L));
        assertEquals(1, lag.behind(1000 * MS, 600, Map.of("n3", 10L)).size());
        // It installed a snapshot at 550 and then received the rest: it holds what was committed a second ago.
        assertEquals(0, lag.laggingForMs("n3", 1200 * MS) - 200);
        assertTrue(lag.behind(1500 * MS, 650, Map.of("n3", 640L)).isEmpty());
        assertEquals(0, lag.laggingForMs("n3", 1600 * MS), "in step again: the clock starts over");
    }

    @Test
    void resetStartsAfreshForANewLeaderTerm() {
        ReplicationLag lag = new ReplicationLag(1000);
        lag.behind(0, 500, Map.of());
        lag.reset();
        assertTrue(lag.behind(1500 * MS, 900, Map.of("n3", 10L)).isEmpty(), "a new term judges nobody at once");
    }
}
