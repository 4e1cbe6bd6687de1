package io.vipd.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about peers that were refused on the Raft port: once per peer and reason, then at most once a minute with a
 * count, so a hostile or misconfigured host is visible in the journal without flooding it. Remembers a bounded
 * number of (peer, reason) pairs, so a flood of distinct senders cannot grow it either.
 */
public final class RefusalLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.vipd.security.Refused");
    private static final long REPEAT_NANOS = 60_000_000_000L;
    private static final int MAX_REMEMBERED = 256;

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
        String key = peer + "\n" + reason;
        long[] entry = seen.get(key);
        if (entry == null) {
            seen.put(key, new long[] {now, 0});
            LOG.warn("refused Raft peer {}: {}", peer, reason);
            return true;
        }
        entry[1]++;
        if (now - entry[0] >= REPEAT_NANOS) {
            LOG.warn("refused Raft peer {} {} more times in the last {} s: {}", peer, entry[1],
                    (now - entry[0]) / 1_000_000_000L, reason);
            entry[0] = now;
            entry[1] = 0;
            return true;
        }
        return false;
    }

    /** Refusals since start, for status. */
    public synchronized long total() {
        return total;
    }
}
