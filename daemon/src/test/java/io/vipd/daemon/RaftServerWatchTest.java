package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.ClusterNode.Sample;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RaftServerWatchTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aStoppedServerIsJudgedAtOnce() {
        RaftServerWatch.Judge judge = new RaftServerWatch.Judge();
        assertEquals(Optional.empty(), judge.judge(new Sample(true, 10, 10, null), 0));
        assertEquals(Optional.of("the Raft server stopped"), judge.judge(new Sample(false, 10, 10, null), 1));
    }

    @Test
    void aLogThatIsNotWrittenForFiveSecondsIsJudgedButOneThatKeepsUpIsNot() {
        RaftServerWatch.Judge judge = new RaftServerWatch.Judge();
        // Healthy: the flush index trails by a few entries but moves.
        for (long t = 0, flushed = 0; t < 20 * SECOND; t += SECOND / 5, flushed += 3) {
            assertEquals(Optional.empty(), judge.judge(new Sample(true, flushed + 2, flushed, null), t));
        }
        // Broken: appended up to 500, written up to 100, and nothing more is written.
        long start = 30 * SECOND;
        assertEquals(Optional.empty(), judge.judge(new Sample(true, 200, 100, null), start));
        assertEquals(Optional.empty(), judge.judge(new Sample(true, 400, 100, null), start + 4 * SECOND));
        Optional<String> why = judge.judge(new Sample(true, 500, 100, null), start + 5 * SECOND);
        assertTrue(why.isPresent() && why.get().contains("cannot be written") && why.get().contains("500")
                && why.get().contains("100"), String.valueOf(why));
    }

    @Test
    void snapshotsThatKeepFailingAreJudged() {
        RaftServerWatch.Judge judge = new RaftServerWatch.Judge();
        Optional<String> why = judge.judge(new Sample(true, 10, 10,
                "3 snapshots in a row failed: java.io.IOException: No space left on device"), 0);
        assertTrue(why.isPresent() && why.get().contains("cannot be saved")
                && why.get().contains("No space left on device"), String.valueOf(why));
    }

    @Test
    void anIdleLogWithEverythingWrittenIsHealthyHoweverLong() {
        RaftServerWatch.Judge judge = new RaftServerWatch.Judge();
        for (long t = 0; t < 60 * SECOND; t += SECOND) {
            assertEquals(Optional.empty(), judge.judge(new Sample(true, 42, 42, null), t));
        }
    }

    @Test
    void theWatchCallsBackOnceAndNotWhileTheDaemonStops() throws Exception {
        AtomicBoolean stopping = new AtomicBoolean(true);
        CompletableFuture<String> fired = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (RaftServerWatch ignored = new RaftServerWatch(() -> new Sample(false, 0, 0, null), stopping::get,
                System::nanoTime, why -> {
                    calls.incrementAndGet();
                    fired.complete(why);
                })) {
            Thread.sleep(3 * RaftServerWatch.PERIOD_MS);
            assertEquals(0, calls.get(), "a daemon that stops itself expects its server to stop");
            stopping.set(false);
            assertEquals("the Raft server stopped", fired.get(5, TimeUnit.SECONDS));
            Thread.sleep(3 * RaftServerWatch.PERIOD_MS);
            assertEquals(1, calls.get());
        }
    }
}
