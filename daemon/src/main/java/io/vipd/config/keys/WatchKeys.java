package io.vipd.config.keys;

import static io.vipd.config.keys.ConfigKey.plain;
import static io.vipd.config.keys.ValueTypes.integer;

import io.vipd.config.Watch;
import java.util.List;

/** The conflict watch ({@link Watch}). A reload applies them. */
public final class WatchKeys {
    /** 0 turns probing off; otherwise at least 100 ms, so a few nodes and VIPs cannot flood the segment. */
    public static final ConfigKey<Integer> PROBE_INTERVAL_MS = plain("watch.probe.interval.ms", integer(0, 600_000))
            .byDefault(Watch.DEFAULT.probeIntervalMs()).reloadable().build();

    /** At least two probe intervals, checked by the reader: one lost probe must not make an owner silent. */
    public static final ConfigKey<Integer> SILENT_AFTER_MS = plain("watch.silent.after.ms", integer(200, 600_000))
            .byDefault(Watch.DEFAULT.silentAfterMs()).reloadable().build();

    public static final List<ConfigKey<?>> ALL = List.of(PROBE_INTERVAL_MS, SILENT_AFTER_MS);

    private WatchKeys() {
    }
}
