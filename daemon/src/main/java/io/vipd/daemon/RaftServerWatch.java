package io.vipd.daemon;

import io.vipd.cluster.ClusterNode.Sample;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Ends a daemon whose Raft server no longer works. Ratis closes its server on some internal errors (a snapshot it
 * cannot load) and, on others, keeps it running with a log worker that fails every write from then on, or retries a
 * snapshot that cannot be written in a tight loop (a full or vanished disk); in no case does the process learn of
 * it. It would live on answering its control socket as a
 * member: a zombie. This notices either within a few seconds and calls {@code onStopped} once; the daemon then
 * releases its VIPs and exits, so the service manager restarts it.
 */
final class RaftServerWatch implements AutoCloseable {
    static final long PERIOD_MS = 200;
    /** Entries appended but not written for this long: the log cannot be written (healthy: milliseconds). */
    static final long UNFLUSHED_LIMIT_NANOS = 5_000_000_000L;

    /** The decision, apart from timers: fed one sample per period with the time it was taken. */
    static final class Judge {
        private long flushIndexSeen = Long.MIN_VALUE;
        private long flushStillSinceNanos;

        /** Why the server is not working, or empty while it is. */
        Optional<String> judge(Sample s, long nowNanos) {
            if (!s.alive()) {
                return Optional.of("the Raft server stopped");
            }
            if (s.snapshotFailure() != null) {
                return Optional.of("the Raft state cannot be saved: " + s.snapshotFailure());
            }
            if (s.lastIndex() <= s.flushIndex()) {
                flushIndexSeen = Long.MIN_VALUE;
                return Optional.empty();
            }
            if (s.flushIndex() != flushIndexSeen) {
                flushIndexSeen = s.flushIndex();
                flushStillSinceNanos = nowNanos;
                return Optional.empty();
            }
            if (nowNanos - flushStillSinceNanos >= UNFLUSHED_LIMIT_NANOS) {
                return Optional.of("the Raft log cannot be written: entries up to " + s.lastIndex()
                        + " are not on disk, only up to " + s.flushIndex() + ", for "
                        + (nowNanos - flushStillSinceNanos) / 1_000_000L + " ms");
            }
            return Optional.empty();
        }
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vipd-raft-watch");
        t.setDaemon(true);
        return t;
    });
    private final Judge judge = new Judge();
    private boolean fired;

    /**
     * @param sample    what the Raft server shows now
     * @param stopping  whether the daemon itself is stopping (then a stopped server is expected)
     * @param clock     monotonic nanoseconds
     * @param onStopped called once, on the watch's thread, with the reason
     */
    RaftServerWatch(Supplier<Sample> sample, BooleanSupplier stopping, LongSupplier clock,
                    Consumer<String> onStopped) {
        timer.scheduleWithFixedDelay(() -> {
            if (fired || stopping.getAsBoolean()) {
                return;
            }
            Optional<String> why = judge.judge(sample.get(), clock.getAsLong());
            if (why.isPresent()) {
                fired = true;
                onStopped.accept(why.get());
            }
        }, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
