package io.vipd.config.keys;

import static io.vipd.config.keys.ValueTypes.integer;
import static io.vipd.config.keys.ValueTypes.onOff;
import static io.vipd.config.keys.ValueTypes.wordList;

import io.vipd.config.VipSpec;
import java.util.List;

/**
 * {@code group.NAME.*}: VIPs that are always on one host and move as one (keepalived's vrrp_sync_group, a Pacemaker
 * resource group). The group's placement settings apply to every member; a reload applies all of them.
 */
public final class GroupKeys {
    /** VIP names; the reader skips empty words. */
    public static final ConfigKey<List<String>> VIPS = group("vips", wordList("names of VIPs", true)).reloadable()
            .build();
    public static final ConfigKey<List<String>> PREFER = group("prefer",
            wordList("node ids in order of preference", false)).reloadable().build();
    public static final ConfigKey<List<String>> CHECKS = group("checks", wordList("names of checks", true))
            .reloadable().build();
    public static final ConfigKey<Boolean> PREEMPT = group("preempt", onOff()).byDefault("off").reloadable().build();
    public static final ConfigKey<Integer> PREEMPT_DELAY_MS = group("preempt.delay.ms", integer(0, 86_400_000))
            .byDefault(0).reloadable().build();
    public static final ConfigKey<Integer> PREEMPT_HOLD_MS = group("preempt.hold.ms", integer(0, 86_400_000))
            .byDefault((int) VipSpec.DEFAULT_PREEMPT_HOLD_MS).reloadable().build();

    public static final List<ConfigKey<?>> ALL = List.of(VIPS, PREFER, CHECKS, PREEMPT, PREEMPT_DELAY_MS,
            PREEMPT_HOLD_MS);

    private GroupKeys() {
    }

    private static <T> ConfigKey.Builder<T> group(String suffix, ValueType<T> type) {
        return ConfigKey.named("group.", "NAME", "." + suffix, type);
    }
}
