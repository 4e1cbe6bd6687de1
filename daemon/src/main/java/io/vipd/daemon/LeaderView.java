package io.vipd.daemon;

import io.vipd.cluster.PeerView;
import java.util.Map;

/**
 * What the leader said of each member in this node's latest confirmed renewal. Only the leader sees renewals, so a
 * follower's status and eligibility checks ({@code vipctl move} on a follower) use this, aged by the time since
 * the reply; a view older than a failover timeout says nothing.
 */
final class LeaderView {
    private final long staleAfterNanos;
    private volatile Map<String, PeerView> members = Map.of();
    private volatile long receivedNanos;
    private volatile long leaderIndex = -1;

    LeaderView(long failoverTimeoutMs) {
        this.staleAfterNanos = failoverTimeoutMs * 1_000_000L;
    }

    /** A renewal reply arrived now: the leader had applied up to {@code index}, and sees the members so. */
    void saw(long index, Map<String, PeerView> view, long nowNanos) {
        leaderIndex = Math.max(leaderIndex, index);
        if (!view.isEmpty()) {
            receivedNanos = nowNanos;
            members = Map.copyOf(view);
        }
    }

    /** The highest index the leader had applied when it answered one of this node's renewals; -1 if none. */
    long leaderIndex() {
        return leaderIndex;
    }

    /** The leader's view of {@code node}, with its age added to the time since its renewal; null if none or stale. */
    PeerView of(String node, long nowNanos) {
        PeerView v = members.get(node);
        long age = nowNanos - receivedNanos;
        if (v == null || age > staleAfterNanos) {
            return null;
        }
        long since = v.sinceRenewalMs() < 0 ? -1 : v.sinceRenewalMs() + age / 1_000_000L;
        return new PeerView(v.live(), since, v.ineligible());
    }

    /** Why the leader says {@code node} may not receive VIPs (null if it may), or why this node cannot tell. */
    String whyNotEligible(String node, long nowNanos) {
        PeerView v = of(node, nowNanos);
        if (v == null) {
            return "no recent word from the leader about it (this node's renewals are not being confirmed)";
        }
        return v.ineligible().isEmpty() ? null : v.ineligible();
    }
}
