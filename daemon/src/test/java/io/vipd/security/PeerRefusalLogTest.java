package io.vipd.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Refusals reach the journal at once, then at most once a minute per peer, in bounded memory. */
class PeerRefusalLogTest {
    final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    final PeerRefusalLog log = new PeerRefusalLog(nanos::get);

    void advanceSeconds(long s) {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(s));
    }

    @Test
    void theFirstRefusalIsLoggedThenRepeatsOnlyOnceAMinuteWithACount() {
        try (LogCapture lines = new LogCapture()) {
            assertTrue(log.refused("198.18.0.66", "no certificate"));
            advanceSeconds(30);
            assertFalse(log.refused("198.18.0.66", "no certificate"));
            advanceSeconds(29);
            assertFalse(log.refused("198.18.0.66", "no certificate"));
            advanceSeconds(1); // 60 s after the line
            assertTrue(log.refused("198.18.0.66", "no certificate"));
            advanceSeconds(59);
            assertFalse(log.refused("198.18.0.66", "no certificate"));
            advanceSeconds(1);
            assertTrue(log.refused("198.18.0.66", "no certificate"));
            assertEquals(List.of(
                    "refused Raft peer 198.18.0.66: no certificate",
                    "refused Raft peer 198.18.0.66 3 more times in the last 60 s: no certificate",
                    "refused Raft peer 198.18.0.66 2 more times in the last 60 s: no certificate"), lines.lines());
        }
        assertEquals(6, log.total());
    }

    @Test
    void aPeerRefusedForSeveralThingsShowsEachOnce() {
        try (LogCapture lines = new LogCapture()) {
            assertTrue(log.refused("n3 at 198.18.0.250", "n3 may renew only for itself, not for n1"));
            assertFalse(log.refused("n3 at 198.18.0.250", "n3 may renew only for itself, not for n1"));
            assertTrue(log.refused("n3 at 198.18.0.250", "certificate names n3 but the request claims to come from n2"));
            assertEquals(2, lines.lines().size());
        }
    }

    @Test
    void eachPeerIsLoggedOnItsOwn() {
        assertTrue(log.refused("198.18.0.66", "no certificate"));
        assertTrue(log.refused("198.18.0.67", "no certificate"));
        assertTrue(log.refused("n2 at 198.18.0.2", "no certificate"));
        assertFalse(log.refused("198.18.0.67", "no certificate"));
        assertEquals(4, log.total());
    }

    @Test
    void aPeerVaryingWhatItSendsIsStillRateLimited() {
        // the claimed id is the peer's to choose: a member's stolen certificate must not flood the journal
        try (LogCapture lines = new LogCapture()) {
            for (int i = 0; i < 1000; i++) {
                log.refused("n3 at 198.18.0.3", "certificate names n3 but the request claims to come from x" + i);
            }
            assertEquals(PeerRefusalLog.REASONS_PER_MINUTE, lines.lines().size(), "lines logged");
            assertEquals("refused Raft peer n3 at 198.18.0.3: certificate names n3 but the request claims to come "
                    + "from x0", lines.lines().get(0));
            advanceSeconds(60);
            assertTrue(log.refused("n3 at 198.18.0.3", "certificate names n3 but the request claims to come from y"));
            assertEquals("refused Raft peer n3 at 198.18.0.3 998 more times in the last 60 s: certificate names n3 "
                    + "but the request claims to come from y", lines.lines().get(PeerRefusalLog.REASONS_PER_MINUTE));
        }
        assertEquals(1001, log.total());
    }

    @Test
    void whatAPeerSentCannotStartANewLineOrMakeALongOne() {
        try (LogCapture lines = new LogCapture()) {
            log.refused("n3 at 198.18.0.3", "request claims n1\n12:00:00.000 INFO  Agent: forged\r\u0085\u2028");
            log.refused("n2\nat 198.18.0.2", "x".repeat(1_000_000));
            assertEquals("refused Raft peer n3 at 198.18.0.3: request claims n1?12:00:00.000 INFO  Agent: "
                    + "forged???", lines.lines().get(0));
            String line = lines.lines().get(1);
            assertTrue(line.startsWith("refused Raft peer n2?at 198.18.0.2: xxx"), line);
            assertTrue(line.length() < 600, "a line of " + line.length() + " characters");
        }
    }

    @Test
    void onlyTheMostRecent256PeersAreRemembered() {
        for (int i = 0; i < 256; i++) {
            assertTrue(log.refused("peer" + i, "no certificate"));
        }
        // all 256 remembered: a repeat of the eldest is not logged, and makes it the most recently seen
        assertFalse(log.refused("peer0", "no certificate"));
        // a 257th peer pushes out the one seen longest ago, peer1, which is then news again
        assertTrue(log.refused("peer256", "no certificate"));
        assertTrue(log.refused("peer1", "no certificate"));
        assertFalse(log.refused("peer0", "no certificate"));
        // a flood of new peers leaves none of the old ones remembered
        for (int i = 1000; i < 2000; i++) {
            assertTrue(log.refused("peer" + i, "no certificate"));
        }
        for (int i = 0; i < 10; i++) {
            assertTrue(log.refused("peer" + i, "no certificate"), "peer" + i);
        }
        assertEquals(256 + 1 + 1 + 1 + 1 + 1000 + 10, log.total());
    }
}
