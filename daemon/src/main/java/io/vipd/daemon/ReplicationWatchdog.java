package io.vipd.daemon;

import io.vipd.cluster.Consensus;
import io.vipd.config.Peer;
import io.vipd.config.VipdConfig;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower whose applied index stands still, behind what the leader has applied (as the leader's replies to this
 * node's renewals say), while it hears from a leader is not being replicated to. An idle log is no sign: renewals
 * are not log entries, so a quiet cluster appends nothing for hours. Ratis 3.3
 * can get stuck that way: after a follower kept a divergent uncommitted tail from an old leader, a heartbeat
 * reply can advance the leader's match index for it past the common prefix, and the leader then never backs off
 * (RATIS-2605, fixed upstream after 3.3.0). A new leader starts with fresh follower state, so the stuck follower
 * asks the group to hand leadership to another member (bounded at 300 ms, during which writes wait: well inside
 * a lease). Rate-limited; skipped when this check itself was delayed (a paused process has applied nothing
 * either).
 */
final class ReplicationWatchdog {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationWatchdog.class);
    static final long CHECK_PERIOD_MS = 250;
    private static final long STUCK_AFTER_NANOS = 3_000_000_000L;
    private static final long UNSTICK_AT_MOST_EVERY_NANOS = 20_000_000_000L;
    /** Long.MIN_VALUE: not watching (not a follower with a known leader). */
    private long appliedSeen = Long.MIN_VALUE;
    private long appliedSinceNanos;
    private long lastReplicationCheckNanos;
    private long lastUnstickNanos;
    private int unstickTarget;

    private final Supplier<VipdConfig> config;
    private final LongSupplier nanos;
    private final LongSupplier leaderIndex;

    /**
     * @param leaderIndex the index the leader had applied when it answered this node's latest renewal; -1 if none
     */
    ReplicationWatchdog(Supplier<VipdConfig> config, LongSupplier nanos, LongSupplier leaderIndex) {
        this.config = config;
        this.nanos = nanos;
        this.leaderIndex = leaderIndex;
        this.lastUnstickNanos = nanos.getAsLong() - UNSTICK_AT_MOST_EVERY_NANOS;
    }

    /** One look, every {@link #CHECK_PERIOD_MS} on the agent thread. */
    void check(Consensus cluster, boolean stopping) {
        long now = nanos.getAsLong();
        boolean delayed = now - lastReplicationCheckNanos > 4 * CHECK_PERIOD_MS * 1_000_000L;
        lastReplicationCheckNanos = now;
        java.util.Optional<String> leaderId = cluster.leader();
        if (stopping || !cluster.isFollower() || leaderId.isEmpty()) {
            appliedSeen = Long.MIN_VALUE;
            return;
        }
        long applied = cluster.appliedIndex();
        if (applied != appliedSeen || delayed || leaderIndex.getAsLong() <= applied) {
            appliedSeen = applied;
            appliedSinceNanos = now;
            return;
        }
        if (now - appliedSinceNanos < STUCK_AFTER_NANOS || now - lastUnstickNanos < UNSTICK_AT_MOST_EVERY_NANOS) {
            return;
        }
        String leader = leaderId.get();
        List<String> others = config.get().peers().stream().map(Peer::id)
                .filter(id -> !id.equals(config.get().nodeId()) && !id.equals(leader)).toList();
        if (others.isEmpty()) {
            return;
        }
        lastUnstickNanos = now;
        String target = others.get(unstickTarget++ % others.size());
        LOG.warn("replication to this node is stuck: nothing applied for {} ms (index {}) while leader {} is known; "
                + "asking the group to hand leadership to {}", (now - appliedSinceNanos) / 1_000_000L, applied,
                leader, target);
        LaggingFollowers.handLeadershipTo(cluster, target);
    }
}
