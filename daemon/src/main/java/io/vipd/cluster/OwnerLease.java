package io.vipd.cluster;

import java.util.Map;

/**
 * Decides, on one node, which VIPs it may answer for right now. Pure logic on the node's monotonic clock.
 *
 * <p>A renewal sent at local time {@code s} and confirmed by the leader proves that a majority still followed that
 * leader after {@code s}; the leader gives this node's VIPs away only after confirming no renewal from it for the
 * failover timeout (a new leader waits that long from its start), which is longer than the lease by a safety margin
 * (see {@link io.vipd.config.Timing}). So the node may answer until {@code s + lease}, for the VIPs that the newest
 * replicated state it knows of (its own applied table or a renewal's reply, whichever is at the higher log index)
 * says it owns.
 */
public final class OwnerLease {
    private final long leaseNanos;
    private long confirmedStartNanos;
    private boolean confirmed;
    private long viewIndex = -1;
    private Map<String, Long> viewOwned = Map.of();

    public OwnerLease(long leaseMillis) {
        this.leaseNanos = leaseMillis * 1_000_000L;
    }

    /** A renewal started at {@code startNanos} committed at log index {@code index}, when this node owned {@code owned}. */
    public void renewed(long startNanos, long index, Map<String, Long> owned) {
        if (!confirmed || startNanos - confirmedStartNanos > 0) {
            confirmedStartNanos = startNanos;
            confirmed = true;
        }
        observe(index, owned);
    }

    /** This node's own state machine applied up to {@code index}, where this node owns {@code owned}. */
    public void observe(long index, Map<String, Long> owned) {
        if (index > viewIndex) {
            viewIndex = index;
            viewOwned = Map.copyOf(owned);
        }
    }

    /** Drop the lease at once (shutdown): nothing is holdable until a renewal started after now commits. */
    public void revoke(long nowNanos) {
        confirmed = true;
        confirmedStartNanos = nowNanos - leaseNanos;
    }

    /** nanoTime at which the lease ends (meaningless unless {@link #valid}). */
    public long deadlineNanos() {
        return confirmedStartNanos + leaseNanos;
    }

    public boolean valid(long nowNanos) {
        return confirmed && nowNanos - confirmedStartNanos < leaseNanos;
    }

    /** Milliseconds left on the lease (negative once expired; {@code Long.MIN_VALUE} if never confirmed). */
    public long remainingMillis(long nowNanos) {
        return confirmed ? (confirmedStartNanos + leaseNanos - nowNanos) / 1_000_000L : Long.MIN_VALUE;
    }

    /** Milliseconds since the start of the newest confirmed renewal, or -1 if none. */
    public long sinceRenewalMillis(long nowNanos) {
        return confirmed ? Math.max(0, (nowNanos - confirmedStartNanos) / 1_000_000L) : -1;
    }

    /** VIP name → epoch of what this node may answer for at {@code nowNanos}. */
    public Map<String, Long> holdable(long nowNanos) {
        return valid(nowNanos) ? viewOwned : Map.of();
    }
}
