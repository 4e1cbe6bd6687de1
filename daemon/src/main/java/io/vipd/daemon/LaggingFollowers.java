package io.vipd.daemon;

import io.vipd.cluster.Consensus;
import io.vipd.cluster.ReplicationLag;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader only, on the agent thread: which followers lag behind the log (they get no VIPs, and status says why),
 * and the leadership hand-off that gets a follower with a lost log its snapshot quickly.
 */
final class LaggingFollowers {
    private static final Logger LOG = LoggerFactory.getLogger(LaggingFollowers.class);
    /** A follower in step holds what was committed this long ago (healthy: milliseconds behind). */
    private static final long ALLOWANCE_MS = 2000;
    private static final long HAND_OFF_AFTER_MS = 3000;
    /** A follower that answered the leader this recently is up (heartbeats go out every ~100 ms). */
    static final long ANSWERED_WITHIN_MS = 1000;
    private static final long HAND_OFF_AT_MOST_EVERY_NANOS = 15_000_000_000L;

    private final Supplier<Consensus> cluster;
    private final BiPredicate<String, Long> live;
    private final ReplicationLag lag = new ReplicationLag(ALLOWANCE_MS);
    private volatile Map<String, String> lagging = Map.of();
    /** When this leader last handed leadership off, on the caller's clock; null before the first hand-off. */
    private Long lastHandOffNanos;

    /**
     * @param cluster this node's Raft member (set once the agent starts)
     * @param live    whether a node's renewals are arriving, at a given time, and it may lead (a witness may not
     *                while a VIP host can: Ratis refuses to hand leadership to a member of lower priority)
     */
    LaggingFollowers(Supplier<Consensus> cluster, BiPredicate<String, Long> live) {
        this.cluster = cluster;
        this.live = live;
    }

    /** The lagging followers (node → why); empty unless this node is the leader. Any thread. */
    Map<String, String> lagging() {
        return lagging;
    }

    /** This node is not (or no longer) leader. */
    void reset() {
        lag.reset();
        lagging = Map.of();
    }

    /** Re-judges the followers from the leader's replication state; returns the lagging ones. */
    Map<String, String> update(long now) {
        Map<String, String> before = lagging;
        // Only followers that answer the leader are judged: one that does not is down or cut off, not catching up
        // (liveness keeps VIPs from it already, and a hand-off could not help it); its lag clock starts when it is
        // back. One that lost its log answers every request with a refusal, and may not renew meanwhile.
        java.util.Set<String> answering = new java.util.TreeSet<>();
        Map<String, String> after = cluster.get().replication().map(r -> {
            Map<String, Long> judged = new java.util.TreeMap<>(r.matchIndexes());
            judged.keySet().removeIf(n -> r.answeredMsAgo().getOrDefault(n, Long.MAX_VALUE) > ANSWERED_WITHIN_MS);
            answering.addAll(judged.keySet());
            return lag.behind(now, r.commitIndex(), judged);
        }).orElse(Map.of());
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                LOG.warn("{} is not given VIPs while it is {}", e.getKey(), e.getValue());
            }
        }
        for (String node : before.keySet()) {
            if (!after.containsKey(node) && answering.contains(node)) {
                LOG.info("{} has caught up with the leader's log and may be given VIPs again", node);
            }
        }
        lagging = Map.copyOf(after);
        handOffIfStuck(now);
        return lagging;
    }

    /**
     * A follower that has lagged for seconds usually lost its log (a wiped disk, a log purged while it was away):
     * Ratis 3.3's leader keeps its old record of that follower (a match index the follower no longer has), sends
     * it heartbeats that fail, and starts sending the snapshot only by chance after 20-30 s. A new leader starts
     * with fresh follower records and sends the snapshot at once, so this leader hands leadership to a follower
     * that is in step (bounded at 300 ms, during which renewals wait: well inside a lease). Rate-limited.
     */
    private void handOffIfStuck(long now) {
        if (lastHandOffNanos != null && now - lastHandOffNanos < HAND_OFF_AT_MOST_EVERY_NANOS) {
            return;
        }
        String stuck = lagging.keySet().stream().filter(n -> lag.laggingForMs(n, now) >= HAND_OFF_AFTER_MS)
                .findFirst().orElse(null);
        if (stuck == null) {
            return;
        }
        String target = cluster.get().replication().flatMap(r -> r.matchIndexes().keySet().stream()
                .filter(n -> !lagging.containsKey(n) && live.test(n, now)).findFirst()).orElse(null);
        if (target == null) {
            return;
        }
        lastHandOffNanos = now;
        LOG.warn("{} has lagged behind the log for {} ms; handing Raft leadership to {} so that a fresh leader "
                + "sends it the snapshot", stuck, lag.laggingForMs(stuck, now), target);
        handLeadershipTo(cluster.get(), target);
    }

    /** Asks the group to make {@code target} leader, off the caller's thread (bounded at 300 ms). */
    static void handLeadershipTo(Consensus cluster, String target) {
        CompletableFuture.runAsync(() -> {
            Consensus.Outcome reply = cluster.transferLeadershipTo(target, 300);
            LOG.info("leadership hand-off to {}: {}", target, reply.committed() ? "ok" : reply.error());
        });
    }
}
