package io.vipd.daemon;

import io.vipd.cluster.Consensus;
import io.vipd.cluster.OwnerLease;
import io.vipd.config.VipdConfig;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the service manager hears (sd_notify lines): READY=1 once this node's first renewal is confirmed (a majority
 * accepted it as a member: it has joined), then a STATUS= line whenever it changes (joining, lease lapsed, or the
 * leader and what this node holds), WATCHDOG=1 and STOPPING=1. Agent thread.
 */
final class ServiceStatus {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceStatus.class);

    private final Supplier<VipdConfig> config;
    private final OwnerLease lease;
    private final Supplier<Map<String, Long>> heldHere;
    /** Service-manager notifications; a no-op outside systemd. */
    private volatile Consumer<String> notifier = state -> { };
    private boolean joined;
    /** Last STATUS= line sent, so only changes are sent. */
    private String lastSent = "";

    ServiceStatus(Supplier<VipdConfig> config, OwnerLease lease, Supplier<Map<String, Long>> heldHere) {
        this.config = config;
        this.lease = lease;
        this.heldHere = heldHere;
    }

    void notifyTo(Consumer<String> notifier) {
        this.notifier = notifier;
    }

    void send(String line) {
        notifier.accept(line);
    }

    /** A renewal committed; the first one means this node joined the cluster. */
    void renewed(Consensus cluster, long now) {
        if (!joined) {
            joined = true;
            lastSent = line(cluster, now);
            LOG.info("joined cluster {}: first renewal confirmed", config.get().clusterName());
            notifier.accept("READY=1\nSTATUS=" + lastSent);
        }
    }

    /** Sends the STATUS= line if it changed. */
    void update(Consensus cluster, long now) {
        String line = line(cluster, now);
        if (!line.equals(lastSent)) {
            lastSent = line;
            notifier.accept("STATUS=" + line);
        }
    }

    /** One line for `systemctl status`: whether this node has joined, who leads, what it holds. */
    String line(Consensus cluster, long now) {
        String clusterName = config.get().clusterName();
        String leader = cluster == null ? null : cluster.leader().orElse(null);
        if (!joined) {
            return "joining cluster " + clusterName + ": "
                    + (leader == null ? "no leader yet (a majority of peers must be up)"
                            : "leader " + leader + ", first renewal not confirmed yet");
        }
        if (!lease.valid(now)) {
            // no running figures here: the line is re-sent whenever it changes
            long voters = config.get().peers().stream().filter(io.vipd.config.Peer::voter).count();
            return "lease lapsed (no renewal confirmed in time): holding no VIPs until a majority (" + (voters / 2 + 1)
                    + " of " + voters + " voting members) confirms a renewal again";
        }
        Set<String> held = heldHere.get().keySet();
        return "member of " + clusterName + ", leader " + (leader == null ? "unknown" : leader)
                + ", holding " + (held.isEmpty() ? "no VIPs" : String.join(" ", held));
    }
}
