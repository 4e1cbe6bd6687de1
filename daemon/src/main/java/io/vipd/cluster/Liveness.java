package io.vipd.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The leader's record of renewals: when it confirmed each node's latest renewal, on its own monotonic clock. The
 * leader confirms a renewal only after a majority confirmed its leadership in a round that began after the renewal
 * was sent, so this clock never runs ahead of the renewing node's lease: the basis of safe reassignment.
 *
 * <p>A leader knows only the renewals it confirmed itself. When this node starts leading a new term
 * ({@link #leading}), everything recorded is forgotten and every member counts as live for one failover timeout:
 * the previous leader may have confirmed a renewal just before the election.
 *
 * <p>A node whose VIP the leader is failing over is <em>condemned</em> ({@link #condemn}): its renewals are refused
 * until it owns nothing ({@link #pardon}). Otherwise a renewal confirmed between the decision and the commit of the
 * new owner would extend a lease the new owner knows nothing of.
 *
 * <p>It also tells whether a node has <em>earned</em> a VIP: its renewals have been applied without a gap longer
 * than {@code maxGapMs} for at least {@code earnMs}. A node that is merely reachable, or whose renewals have just
 * resumed (after a pause, a restart, a partition), would receive a VIP it cannot hold yet: it loses it again after
 * the failover timeout, and the VIP flaps.
 */
public final class Liveness {
    private final long timeoutNanos;
    private final long earnNanos;
    private final long maxGapNanos;
    /** Last renewal applied, or a grace given to a new owner: what keeps a node live. */
    private final Map<String, Long> liveUntilBase = new HashMap<>();
    /** Last renewal actually applied from each node (not a grace). */
    private final Map<String, Long> lastRenewalNanos = new HashMap<>();
    /** Since when each node's renewals have been applied without a gap longer than maxGap. */
    private final Map<String, Long> steadySinceNanos = new HashMap<>();
    /** When any node's renewal was last applied; null before the first. */
    private Long lastAnyRenewalNanos;
    /**
     * The latest stretch longer than maxGap, and no longer than the failover timeout, in which nobody's renewal was
     * applied (no leader: an election), as [start, end); end -1 if none, or if a longer silence came after it. A
     * node's gap that falls inside it is the group's, not the node's.
     */
    private long groupStallStartNanos;
    private long groupStallEndNanos = -1;
    /** The Raft term whose renewals this records; -1 before this node led. */
    private long term = -1;
    private final Set<String> condemned = new TreeSet<>();

    /** Liveness only: every live node counts as having earned VIPs. */
    public Liveness(long failoverTimeoutMillis) {
        this(failoverTimeoutMillis, 0, failoverTimeoutMillis);
    }

    /**
     * @param earnMs   how long renewals must have been applied steadily before the node may receive a VIP
     * @param maxGapMs a longer gap between two applied renewals starts the earning over
     */
    public Liveness(long failoverTimeoutMillis, long earnMs, long maxGapMs) {
        this.timeoutNanos = failoverTimeoutMillis * 1_000_000L;
        this.earnNanos = earnMs * 1_000_000L;
        this.maxGapNanos = maxGapMs * 1_000_000L;
    }

    /**
     * A renewal from {@code node} was applied now. A gap since its previous one longer than maxGap starts its
     * earning over, except for the part of the gap when no node's renewals were applied at all, if that lasted no
     * longer than a failover timeout: while the group elects a leader nobody can renew, and every node earning
     * afresh after each election would only delay failovers (and let whichever node happens to earn first take a
     * VIP, to lose it to preemption moments later). A longer silence is no election: the group lost its majority,
     * or this node was cut off or paused; it excuses nobody.
     */
    public synchronized void renewed(String node, long nowNanos) {
        long silence = lastAnyRenewalNanos == null ? 0 : nowNanos - lastAnyRenewalNanos;
        if (silence > timeoutNanos) {
            groupStallEndNanos = -1;
        } else if (silence > maxGapNanos) {
            groupStallStartNanos = lastAnyRenewalNanos;
            groupStallEndNanos = nowNanos;
        }
        lastAnyRenewalNanos = nowNanos;
        Long previous = lastRenewalNanos.get(node);
        if (previous == null || ownGapNanos(previous, nowNanos) > maxGapNanos) {
            steadySinceNanos.put(node, nowNanos);
        }
        lastRenewalNanos.put(node, nowNanos);
        liveUntilBase.put(node, nowNanos);
    }

    /** The gap from {@code previous} to {@code now}, less its overlap with the latest group-wide stall. */
    private long ownGapNanos(long previous, long now) {
        long gap = now - previous;
        if (groupStallEndNanos < 0) {
            return gap;
        }
        long overlap = Math.min(now, groupStallEndNanos) - Math.max(previous, groupStallStartNanos);
        return overlap > 0 ? gap - overlap : gap;
    }

    /**
     * {@code node} counts as live for one more failover timeout from now, without having renewed: a new owner (it
     * may not have been seen renewing here lately), a renewal replayed from the log at start-up. Only ever delays a
     * failover; it earns nothing.
     */
    public synchronized void grace(String node, long nowNanos) {
        liveUntilBase.merge(node, nowNanos, Math::max);
    }

    /**
     * This node leads {@code term} now. A new term forgets every renewal and condemnation recorded before, and
     * gives each of {@code members} one failover timeout from now before it can be judged dead.
     */
    public synchronized void leading(long term, Set<String> members, long nowNanos) {
        if (term <= this.term) {
            return; // a renewal confirmed in an earlier term of this node's: recording it only delays a failover
        }
        this.term = term;
        liveUntilBase.clear();
        lastRenewalNanos.clear();
        steadySinceNanos.clear();
        condemned.clear();
        lastAnyRenewalNanos = null;
        groupStallEndNanos = -1;
        members.forEach(m -> liveUntilBase.put(m, nowNanos));
    }

    /**
     * A renewal from {@code node} reached the leader now, its leadership confirmed after it was sent: recorded,
     * unless the node is condemned. Returns whether it was; a refused renewal confirms no lease.
     */
    public synchronized boolean confirm(String node, long nowNanos) {
        if (condemned.contains(node)) {
            return false;
        }
        renewed(node, nowNanos);
        return true;
    }

    /**
     * Before the leader submits a failover of one of {@code node}'s VIPs: if the node is not live, it is condemned
     * (its renewals refused from now on) and true is returned; if it is live after all (a renewal was confirmed since
     * the decision), nothing changes and false is returned: the failover must not go ahead.
     */
    public synchronized boolean condemn(String node, long nowNanos) {
        if (live(node, nowNanos)) {
            return false;
        }
        condemned.add(node);
        return true;
    }

    /** {@code node} owns nothing any more in the applied table: its renewals are accepted again. */
    public synchronized void pardon(String node) {
        condemned.remove(node);
    }

    public synchronized Set<String> condemned() {
        return new TreeSet<>(condemned);
    }

    /** The node left on purpose: it is not live until it renews again, and must earn VIPs afresh. */
    public synchronized void left(String node) {
        liveUntilBase.remove(node);
        lastRenewalNanos.remove(node);
        steadySinceNanos.remove(node);
    }

    public synchronized boolean live(String node, long nowNanos) {
        Long t = liveUntilBase.get(node);
        return t != null && nowNanos - t < timeoutNanos;
    }

    public synchronized Set<String> liveNodes(long nowNanos) {
        Set<String> out = new TreeSet<>();
        liveUntilBase.forEach((n, t) -> {
            if (nowNanos - t < timeoutNanos) {
                out.add(n);
            }
        });
        return out;
    }

    /** Whether {@code node} has earned VIPs: renewals applied steadily, without a long gap, for the earning time. */
    public synchronized boolean earned(String node, long nowNanos) {
        return whyNotEarned(node, nowNanos) == null;
    }

    /** The nodes that have earned VIPs now. */
    public synchronized Set<String> earnedNodes(long nowNanos) {
        Set<String> out = new TreeSet<>();
        for (String n : lastRenewalNanos.keySet()) {
            if (earned(n, nowNanos)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The nodes earning VIPs now: their renewals are being applied without a long gap, but not yet for the earning
     * time. Each leaves this set within the earning time: earned, or stalled again.
     */
    public synchronized Set<String> earningNodes(long nowNanos) {
        Set<String> out = new TreeSet<>();
        for (String n : lastRenewalNanos.keySet()) {
            long steady = steadyMillis(n, nowNanos);
            if (steady >= 0 && steady * 1_000_000L < earnNanos) {
                out.add(n);
            }
        }
        return out;
    }

    /** Why {@code node} has not earned VIPs (for status and refusals), or null if it has. */
    public synchronized String whyNotEarned(String node, long nowNanos) {
        Long last = lastRenewalNanos.get(node);
        if (last == null) {
            return "no renewal from it seen yet";
        }
        if (nowNanos - last > maxGapNanos) {
            return "no renewal from it for " + (nowNanos - last) / 1_000_000L + " ms";
        }
        long steady = nowNanos - steadySinceNanos.get(node);
        if (steady < earnNanos) {
            return "renewals resumed " + steady / 1_000_000L + " ms ago, needs " + earnNanos / 1_000_000L + " ms";
        }
        return null;
    }

    /**
     * Milliseconds for which {@code node}'s renewals have been applied without a long gap (up to now), or -1 if they
     * are not being applied now.
     */
    public synchronized long steadyMillis(String node, long nowNanos) {
        Long last = lastRenewalNanos.get(node);
        if (last == null || nowNanos - last > maxGapNanos) {
            return -1;
        }
        return (nowNanos - steadySinceNanos.get(node)) / 1_000_000L;
    }

    /** Milliseconds since the last renewal applied from {@code node}, or -1 if none. */
    public synchronized long sinceMillis(String node, long nowNanos) {
        Long t = lastRenewalNanos.get(node);
        return t == null ? -1 : Math.max(0, (nowNanos - t) / 1_000_000L);
    }
}
