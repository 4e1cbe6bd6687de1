package io.vipd.config;

import java.util.Optional;

/**
 * Timing that is safe (validation refuses what is not, see {@link Timing}) but that an operator would not want.
 */
final class TimingRules {
    private TimingRules() {
    }

    /**
     * Owners renew their leases through the Raft leader. When the leader crashes, no renewal commits until the others
     * have waited out an election timeout and elected a new leader; if that can take longer than a lease, every
     * owner's lease may run out first, and every VIP of the cluster goes unanswered until the election ends. This
     * stays a warning: ownership is still single, only availability suffers (the "fast" profile accepts a short gap
     * on purpose, with an election timeout no longer than its lease).
     */
    static Optional<String> warning(Timing t) {
        if (t.electionMaxMs() > t.leaseMs()) {
            return Optional.of("election timeout up to " + t.electionMaxMs() + " ms is longer than lease.ms = "
                    + t.leaseMs() + ": when the Raft leader crashes, every owner's lease can run out before a new "
                    + "leader is elected, and then all VIPs go unanswered until the election ends; keep "
                    + "raft.election.timeout.max.ms at or below lease.ms (default: " + Timing.DEFAULT.electionMaxMs()
                    + " and " + Timing.DEFAULT.leaseMs() + ")");
        }
        return Optional.empty();
    }
}
