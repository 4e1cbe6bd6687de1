package io.vipd.config;

/**
 * The clocks of ownership. All durations in milliseconds, all measured on each host's monotonic clock.
 *
 * <ul>
 *   <li>A node sends a renewal to the Raft leader every {@code renewIntervalMs} (a read-only request, no log entry).
 *       When the answer to a renewal that it sent at local time {@code s} arrives, it may answer for its VIPs until
 *       {@code s + leaseMs}; after that it releases them unless a newer renewal was confirmed.</li>
 *   <li>The leader confirms a renewal only after a majority confirmed its leadership in a round that began after
 *       the renewal arrived, and gives a node's VIPs to another node only after it has confirmed no renewal from
 *       that node for {@code failoverTimeoutMs} (a new leader: for that long from when it starts leading). So the
 *       old owner's lease ends before the leader's timer does whenever
 *       {@code failoverTimeoutMs > leaseMs * (1 + CLOCK_RATE_MARGIN) + RELEASE_MARGIN_MS}; validation enforces it.</li>
 *   <li>Raft elections use a randomized timeout in [{@code electionMinMs}, {@code electionMaxMs}].</li>
 * </ul>
 */
public record Timing(int electionMinMs, int electionMaxMs, int leaseMs, int renewIntervalMs, int failoverTimeoutMs) {
    /** Allowed relative difference between two hosts' monotonic clock rates (generous: real drift is ~1e-4). */
    public static final double CLOCK_RATE_MARGIN = 0.10;
    /**
     * Slack between the end of the old owner's lease and the earliest takeover: the kernel fence expires leased
     * elements on a jiffy boundary (up to 10 ms late at HZ=100) and frames already queued still leave the host.
     */
    public static final int RELEASE_MARGIN_MS = 50;

    /**
     * Tolerates a noisy LAN: an owner keeps its VIPs through ~6 lost renewals in a row, and through a change of
     * Raft leader (election timeout up to 300 ms, vote, new leader ready, clients rediscover it: ~500 ms).
     */
    public static final Timing DEFAULT = new Timing(150, 300, 700, 100, 850);
    /**
     * For a quiet LAN and hosts with CPU to spare: failover in under half a second. Its lease is shorter than a
     * change of Raft leader, so when the leader fails, the other owners' VIPs are unanswered for a moment too; and
     * renewals must commit within 300 ms even when the host is busy.
     */
    public static final Timing FAST = new Timing(150, 300, 300, 50, 400);

    public static Timing profile(String name) {
        return switch (name) {
            case "default" -> DEFAULT;
            case "fast" -> FAST;
            default -> null;
        };
    }

    /**
     * How many renewals may be in flight at once. Renewals stuck on a leader that died without closing its
     * connections take a while to fail; there must still be room for new ones to reach the next leader within the
     * lease. Bounded so a cluster that is down is not flooded.
     */
    public int maxRenewalsInFlight() {
        return leaseMs / renewIntervalMs + 2;
    }

    /**
     * How long a node's renewals must have been applied steadily before it may receive a VIP: three renewals in a
     * row show that its renewal loop runs and its renewals reach a majority, so it will hold what it is given. A
     * node that is merely reachable (just resumed from a pause, just restarted) would lose a VIP again after the
     * failover timeout: the VIP would flap.
     */
    public int earnMs() {
        return 3 * renewIntervalMs;
    }

    /** A longer gap between two applied renewals of a node means its renewals stalled: it must earn VIPs afresh. */
    public int renewalGapMs() {
        return leaseMs / 2;
    }

    /**
     * The least lease a node must have left to bind a VIP it does not carry yet. A renewal that took most of the
     * lease to commit (a lossy network) confirms a lease that ends moments later: binding then would answer ARP for
     * that moment, announce, and go silent again, a blink of the address that helps no client.
     */
    public int minimumBindLeaseMs() {
        return leaseMs / 4;
    }

    /** The smallest failover timeout that keeps the old owner's lease inside it. */
    public int minimumSafeFailoverTimeoutMs() {
        return (int) Math.ceil(leaseMs * (1 + CLOCK_RATE_MARGIN)) + RELEASE_MARGIN_MS;
    }
}
