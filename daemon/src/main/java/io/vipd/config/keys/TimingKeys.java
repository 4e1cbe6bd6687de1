package io.vipd.config.keys;

import static io.vipd.config.keys.ConfigKey.plain;
import static io.vipd.config.keys.ValueTypes.integer;
import static io.vipd.config.keys.ValueTypes.profile;

import io.vipd.config.Timing;
import io.vipd.config.VipdConfig;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The clocks of ownership and of Raft ({@link Timing}). The profile sets the defaults of the timing keys (the
 * defaults declared here are the "default" profile's); keys set in the file override it. All take a restart: a
 * reload that changes the resulting timing is refused, whichever key changed it.
 */
public final class TimingKeys {
    /** How a refused reload names any of the timing keys. */
    public static final String RESTART_LABEL = "timing (profile, lease, renew, failover, election keys)";

    public static final ConfigKey<Timing> PROFILE = plain("profile", profile()).byDefault("default")
            .restartOnly(RESTART_LABEL, VipdConfig::timing).build();
    public static final ConfigKey<Integer> SNAPSHOT_ENTRIES = plain("raft.snapshot.entries",
            integer(100, 10_000_000)).byDefault(VipdConfig.DEFAULT_SNAPSHOT_ENTRIES)
            .restartOnly(VipdConfig::snapshotEntries).build();
    public static final ConfigKey<Integer> ELECTION_MIN_MS = timing("raft.election.timeout.min.ms", 50, 60_000,
            Timing::electionMinMs);
    public static final ConfigKey<Integer> ELECTION_MAX_MS = timing("raft.election.timeout.max.ms", 50, 60_000,
            Timing::electionMaxMs);
    public static final ConfigKey<Integer> LEASE_MS = timing("lease.ms", 50, 60_000, Timing::leaseMs);
    public static final ConfigKey<Integer> RENEW_INTERVAL_MS = timing("lease.renew.interval.ms", 10, 60_000,
            Timing::renewIntervalMs);
    public static final ConfigKey<Integer> FAILOVER_TIMEOUT_MS = timing("failover.timeout.ms", 50, 600_000,
            Timing::failoverTimeoutMs);

    public static final List<ConfigKey<?>> ALL = List.of(PROFILE, SNAPSHOT_ENTRIES, ELECTION_MIN_MS, ELECTION_MAX_MS,
            LEASE_MS, RENEW_INTERVAL_MS, FAILOVER_TIMEOUT_MS);

    private TimingKeys() {
    }

    private static ConfigKey<Integer> timing(String name, int min, int max, ToIntFunction<Timing> field) {
        return plain(name, integer(min, max)).byDefault(field.applyAsInt(Timing.DEFAULT))
                .restartOnly(RESTART_LABEL, c -> field.applyAsInt(c.timing())).build();
    }
}
