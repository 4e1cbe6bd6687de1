package io.vipd.config.keys;

import static io.vipd.config.keys.ConfigKey.plain;
import static io.vipd.config.keys.ValueTypes.integer;

import io.vipd.config.Announce;
import java.util.List;

/** Gratuitous ARP sent by the owner of a VIP ({@link Announce}). A reload applies them. */
public final class AnnounceKeys {
    public static final ConfigKey<Integer> BURST_COUNT = plain("announce.burst.count", integer(1, 100))
            .byDefault(Announce.DEFAULT.burstCount()).reloadable().build();
    public static final ConfigKey<Integer> BURST_INTERVAL_MS = plain("announce.burst.interval.ms",
            integer(1, 10_000)).byDefault(Announce.DEFAULT.burstIntervalMs()).reloadable().build();
    /** 0 turns the refresh off. */
    public static final ConfigKey<Integer> REFRESH_MS = plain("announce.refresh.ms", integer(0, 3_600_000))
            .byDefault(Announce.DEFAULT.refreshMs()).reloadable().build();

    public static final List<ConfigKey<?>> ALL = List.of(BURST_COUNT, BURST_INTERVAL_MS, REFRESH_MS);

    private AnnounceKeys() {
    }
}
