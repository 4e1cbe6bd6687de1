package io.vipd.config;

import io.vipd.config.keys.TimingKeys;

/**
 * Reads the timing ({@link TimingKeys}): the profile's, with the keys the file sets on top; refuses what is unsafe
 * (see {@link Timing}) and warns about what is safe but unwanted ({@link TimingRules}).
 */
final class TimingReader {
    private TimingReader() {
    }

    static Timing read(KeyReader keys) throws ConfigException {
        Timing d = keys.get(TimingKeys.PROFILE);
        int electionMin = keys.find(TimingKeys.ELECTION_MIN_MS).orElse(d.electionMinMs());
        int electionMax = keys.find(TimingKeys.ELECTION_MAX_MS).orElse(d.electionMaxMs());
        int lease = keys.find(TimingKeys.LEASE_MS).orElse(d.leaseMs());
        int renew = keys.find(TimingKeys.RENEW_INTERVAL_MS).orElse(d.renewIntervalMs());
        int failover = keys.find(TimingKeys.FAILOVER_TIMEOUT_MS).orElse(d.failoverTimeoutMs());
        Timing t = new Timing(electionMin, electionMax, lease, renew, failover);
        if (electionMax <= electionMin) {
            throw keys.error(TimingKeys.ELECTION_MAX_MS.name(), "must be greater than "
                    + TimingKeys.ELECTION_MIN_MS.name() + " (" + electionMin + ")");
        }
        if (renew * 3 > lease) {
            throw keys.error(TimingKeys.RENEW_INTERVAL_MS.name(), renew + " ms is too long for lease.ms = " + lease
                    + ": at least three renewals must fit in one lease (at most " + (lease / 3) + " ms)");
        }
        if (failover < t.minimumSafeFailoverTimeoutMs()) {
            throw keys.error(TimingKeys.FAILOVER_TIMEOUT_MS.name(), failover + " ms is unsafe with lease.ms = " + lease
                    + ": an old owner could still answer when the VIP moves; it must be at least "
                    + t.minimumSafeFailoverTimeoutMs() + " ms (lease × " + (1 + Timing.CLOCK_RATE_MARGIN)
                    + " clock-rate margin + " + Timing.RELEASE_MARGIN_MS + " ms to release)");
        }
        String warningKey = keys.isSet(TimingKeys.ELECTION_MAX_MS) ? TimingKeys.ELECTION_MAX_MS.name()
                : keys.isSet(TimingKeys.LEASE_MS) ? TimingKeys.LEASE_MS.name() : TimingKeys.PROFILE.name();
        TimingRules.warning(t).ifPresent(w -> keys.warn(warningKey, w));
        return t;
    }
}
