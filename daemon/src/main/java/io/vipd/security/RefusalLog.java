package io.vipd.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about peers that were refused on the Raft port: once per peer, then at most once a minute with a count and
 * the latest reason, so a hostile or misconfigured host is visible in the journal without flooding it. Rate-limited
 * by peer alone, not by reason: a reason may quote what the peer sent (the node id a request claims), and a peer
 * varying it must not get a line per request. What is logged is cut to one short line, for the same reason.
 * Remembers a bounded number of peers, so a flood of distinct senders cannot grow it either.
 */
public final class RefusalLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.vipd.security.Refused");
    private static final long REPEAT_NANOS = 60_000_000_000L;
    private static final int MAX_REMEMBERED = 256;
    /** Longest peer or reason logged (and remembered), in characters. */
    private static final int MAX_CHARS = 200;

    private final LongSupplier nanoClock;
    private final Map<String, long[]> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private long total;

    public RefusalLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Records a refusal of {@code peer} for {@code reason}; returns whether it was logged now. */
    public synchronized boolean refused(String peer, String reason) {
        total++;
        long now = nanoClock.getAsLong();
        String who = oneLine(peer);
        long[] entry = seen.get(who);
        if (entry == null) {
            seen.put(who, new long[] {now, 0});
            LOG.warn("refused Raft peer {}: {}", who, oneLine(reason));
            return true;
        }
        entry[1]++;
        if (now - entry[0] >= REPEAT_NANOS) {
            LOG.warn("refused Raft peer {} {} more times in the last {} s: {}", who, entry[1],
                    (now - entry[0]) / 1_000_000_000L, oneLine(reason));
            entry[0] = now;
            entry[1] = 0;
            return true;
        }
        return false;
    }

    /** {@code text} without line breaks or other control characters, cut to {@link #MAX_CHARS}. */
    static String oneLine(String text) {
        String s = String.valueOf(text);
        if (s.length() > MAX_CHARS) {
            s = s.substring(0, MAX_CHARS) + "... (" + s.length() + " characters)";
        }
        return s.replaceAll("[\\p{Cc}\\p{Zl}\\p{Zp}]", "?");
    }

    /** Refusals since start, for status. */
    public synchronized long total() {
        return total;
    }
}
