package io.vipd.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about peers that were refused on the Raft port: each new reason of a peer once, up to
 * {@value #REASONS_PER_MINUTE} reasons a minute, then at most once a minute with a count and the latest reason, so a
 * hostile or misconfigured host is visible in the journal without flooding it. Bounded per peer, not per reason: a
 * reason may quote what the peer sent (the node id a request claims), and a peer varying it must not get a line per
 * request. What is logged is cut to one short line, for the same reason. Remembers a bounded number of peers, so a
 * flood of distinct senders cannot grow it either.
 */
public final class PeerRefusalLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.vipd.security.Refused");
    private static final long REPEAT_NANOS = 60_000_000_000L;
    private static final int MAX_REMEMBERED = 256;
    /** Longest peer or reason logged (and remembered), in characters. */
    private static final int MAX_CHARS = 200;
    /** Distinct reasons of one peer logged in one minute (a stolen certificate tried for several things, say). */
    static final int REASONS_PER_MINUTE = 3;

    /** One peer's minute: when it began, what was logged in it, and how many refusals were not. */
    private static final class Window {
        long start;
        long unlogged;
        final java.util.Set<String> reasons = new java.util.HashSet<>();

        Window(long start) {
            this.start = start;
        }
    }

    private final LongSupplier nanoClock;
    private final Map<String, Window> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private long total;

    public PeerRefusalLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Records a refusal of {@code peer} for {@code reason}; returns whether it was logged now. */
    public synchronized boolean refused(String peer, String reason) {
        total++;
        long now = nanoClock.getAsLong();
        String who = oneLine(peer);
        String why = oneLine(reason);
        Window window = seen.get(who);
        if (window == null) {
            window = new Window(now);
            seen.put(who, window);
        } else if (now - window.start >= REPEAT_NANOS) {
            boolean summary = window.unlogged > 0;
            if (summary) {
                LOG.warn("refused Raft peer {} {} more times in the last {} s: {}", who, window.unlogged + 1,
                        (now - window.start) / 1_000_000_000L, why);
            }
            window.start = now;
            window.unlogged = 0;
            window.reasons.clear();
            if (summary) {
                window.reasons.add(why);
                return true;
            }
        }
        if (window.reasons.size() < REASONS_PER_MINUTE && window.reasons.add(why)) {
            LOG.warn("refused Raft peer {}: {}", who, why);
            return true;
        }
        window.unlogged++;
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
