package io.vipd.daemon;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.config.VipdConfig;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned stop's part in the group: a leader first hands Raft leadership to the follower most recently in touch,
 * and after the host let go of its addresses the node tells the group it leaves, so its VIPs move at once instead of
 * after the failover timeout. Both bounded by the stop's deadline.
 */
final class Departure {
    private static final Logger LOG = LoggerFactory.getLogger(Departure.class);

    private final Supplier<VipdConfig> config;
    private final Supplier<Consensus> cluster;
    private final LongSupplier nanos;
    private final LongSupplier wallMillis;
    private final Pause pause;

    Departure(Supplier<VipdConfig> config, Supplier<Consensus> cluster, LongSupplier nanos, LongSupplier wallMillis,
            Pause pause) {
        this.config = config;
        this.cluster = cluster;
        this.nanos = nanos;
        this.wallMillis = wallMillis;
        this.pause = pause;
    }

    private long remainingMs(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - nanos.getAsLong()) / 1_000_000L);
    }

    /**
     * A leader that stops would leave the group without one for an election timeout or more, and its VIPs (and
     * everyone's renewals) waiting meanwhile; so it first hands leadership to the follower that is most recently
     * in touch, while its own VIPs are still answered. Best effort, bounded.
     */
    void handOffLeadership(long timeoutMs) {
        if (cluster.get() == null || !cluster.get().isLeaderReady()) {
            return;
        }
        java.util.Set<String> notLeaders = Placement.notLeaders(config.get()); // Ratis hands them no leadership
        String target = cluster.get().followersLastAnsweredMs().entrySet().stream()
                .filter(f -> f.getValue() < config.get().timing().leaseMs() && !notLeaders.contains(f.getKey()))
                .min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (target == null) {
            return;
        }
        long start = nanos.getAsLong();
        try {
            // bounded here as well: a stop must not wait on the admin client's own retries
            Consensus.Outcome reply = CompletableFuture.supplyAsync(() -> cluster.get().transferLeadershipTo(target,
                    timeoutMs)).get(timeoutMs + 500, TimeUnit.MILLISECONDS);
            LOG.info("handed Raft leadership to {} in {} ms: {}", target, (nanos.getAsLong() - start) / 1_000_000L,
                    reply.committed() ? "ok" : reply.error());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("could not hand Raft leadership to {}: {}", target, e.toString());
        }
    }

    /**
     * Commits this node's Leave, so its VIPs move at once. Retried until the deadline: right after a leadership
     * hand-off the client first asks this node (no longer leader), then the new one, which accepts writes only once
     * it has committed its first entry; the client's own few retries do not always span that.
     */
    void tellGroupLeaving(long deadline) {
        String lastError = "no attempt";
        int attempts = 0;
        while (nanos.getAsLong() < deadline) {
            attempts++;
            try {
                Consensus.Outcome reply = cluster.get()
                        .submit(new Command.Leave(config.get().nodeId(), wallMillis.getAsLong()))
                        .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                if (reply.committed()) {
                    LOG.info("handed VIPs back to the cluster{}", attempts > 1 ? " (attempt " + attempts + ")" : "");
                    return;
                }
                lastError = reply.error();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                lastError = e.toString();
            }
            try {
                pause.sleep(Math.min(20, remainingMs(deadline)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("could not tell the cluster this node is leaving ({} attempts, last: {}); its VIPs move after the "
                + "failover timeout", attempts, lastError);
    }
}
