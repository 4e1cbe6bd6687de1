package io.vipd.control;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the control requests refused for their caller: each names who asked for what, so an operator sees who tried.
 * A user looping on vipctl cannot flood the log: at most {@value #PER_MINUTE} refusals are logged a minute, and the
 * next one logged says how many were left out. Shared by all of a server's connections.
 */
final class RefusalLog {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
    static final int PER_MINUTE = 10;
    static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final LongSupplier nanoClock;
    private long windowStart;
    private int loggedInWindow;
    private int leftOut;

    RefusalLog() {
        this(System::nanoTime);
    }

    RefusalLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    void refused(Caller caller, String request) {
        warn("refused '" + printable(request) + "' from " + caller.describe());
    }

    void unidentified(Exception e) {
        warn("refused a request: cannot tell who is calling (" + e + ")");
    }

    private synchronized void warn(String what) {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= MINUTE_NANOS) {
            windowStart = now;
            loggedInWindow = 0;
        }
        if (loggedInWindow >= PER_MINUTE) {
            leftOut++;
            return;
        }
        loggedInWindow++;
        LOG.warn("control socket: {}{}", what, leftOut == 0 ? ""
                : " (" + leftOut + " earlier refusal(s) not logged: more than " + PER_MINUTE + " a minute)");
        leftOut = 0;
    }

    /** A request word is the client's input: at most 40 characters, control characters escaped. */
    static String printable(String word) {
        StringBuilder sb = new StringBuilder();
        word.codePoints().limit(40).forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return word.codePointCount(0, word.length()) > 40 ? sb + "..." : sb.toString();
    }
}
