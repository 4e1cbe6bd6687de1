package io.vipd.cluster;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Leader only: which followers have not caught up with the log. A follower is in step when it holds everything
 * that was committed {@code allowanceMs} ago; one that does not (a node installing a snapshot after a long absence
 * or a wiped disk, a node whose log cannot be written, RATIS-2605's stuck follower) is not given VIPs: its view of
 * the table is old, and the cluster is one failure away from losing its majority while it lags. Pure logic; the
 * caller feeds it the leader's commit index and its followers' match indexes with the time.
 */
public final class ReplicationLag {
    private final long allowanceNanos;
    /** (time, commit index) samples covering at least the allowance. */
    private final ArrayDeque<long[]> commits = new ArrayDeque<>();
    /** Since when each lagging follower has lagged without a break. */
    private final Map<String, Long> laggingSinceNanos = new TreeMap<>();

    public ReplicationLag(long allowanceMs) {
        this.allowanceNanos = allowanceMs * 1_000_000L;
    }

    /** Forgets everything (this node is no longer leader: the next leader term starts afresh). */
    public void reset() {
        commits.clear();
        laggingSinceNanos.clear();
    }

    /** How long {@code node} has lagged without a break, in milliseconds; 0 if it is in step. */
    public long laggingForMs(String node, long nowNanos) {
        Long since = laggingSinceNanos.get(node);
        return since == null ? 0 : (nowNanos - since) / 1_000_000L;
    }

    /**
     * @param commitIndex  the leader's commit index now
     * @param matchIndexes each follower's match index as the leader knows it
     * @return the followers that lag, each with why (for status and log)
     */
    public Map<String, String> behind(long nowNanos, long commitIndex, Map<String, Long> matchIndexes) {
        commits.addLast(new long[] {nowNanos, commitIndex});
        long[] reference = null;
        while (!commits.isEmpty() && nowNanos - commits.peekFirst()[0] >= allowanceNanos) {
            reference = commits.pollFirst();
        }
        Map<String, String> lagging = new TreeMap<>();
        if (reference == null) {
            return lagging; // not leader for long enough to judge
        }
        commits.addFirst(reference); // the newest sample old enough stays the reference for the next call
        long mustHave = reference[1];
        for (Map.Entry<String, Long> f : matchIndexes.entrySet()) {
            if (f.getValue() < mustHave) {
                lagging.put(f.getKey(), "catching up with the leader's log: holds up to index " + f.getValue()
                        + ", the leader committed " + commitIndex);
            }
        }
        laggingSinceNanos.keySet().retainAll(lagging.keySet());
        lagging.keySet().forEach(node -> laggingSinceNanos.putIfAbsent(node, nowNanos));
        return lagging;
    }
}
