package io.vipd.daemon;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A monotonic clock that moves only when a test says so, with a wall clock that moves along with it. Starts far
 * from zero (as {@code System.nanoTime()} does), so code that assumes a clock origin shows up. Thread-safe.
 */
final class ManualClock {
    static final long START_NANOS = 1_000_000_000_000L;
    static final long START_WALL_MILLIS = 1_700_000_000_000L;
    static final long MS = 1_000_000L;

    private final AtomicLong nanos = new AtomicLong(START_NANOS);

    long nanos() {
        return nanos.get();
    }

    /** The wall clock: {@link #START_WALL_MILLIS} plus the monotonic time that passed. */
    long wallMillis() {
        return START_WALL_MILLIS + (nanos.get() - START_NANOS) / MS;
    }

    void advanceMillis(long ms) {
        nanos.addAndGet(ms * MS);
    }

    /** Milliseconds since the clock was made. */
    long elapsedMillis() {
        return (nanos.get() - START_NANOS) / MS;
    }
}
