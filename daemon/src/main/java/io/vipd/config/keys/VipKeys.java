package io.vipd.config.keys;

import static io.vipd.config.keys.AddressTypes.vipAddress;
import static io.vipd.config.keys.ValueTypes.conflictPolicy;
import static io.vipd.config.keys.ValueTypes.integer;
import static io.vipd.config.keys.ValueTypes.interfaceName;
import static io.vipd.config.keys.ValueTypes.onOff;
import static io.vipd.config.keys.ValueTypes.silentPolicy;
import static io.vipd.config.keys.ValueTypes.unhealthyPolicy;
import static io.vipd.config.keys.ValueTypes.wordList;

import io.vipd.config.VipSpec;
import java.util.List;

/**
 * {@code vip.NAME.*}: one VIP each. Address and interface are required. A reload applies all of them: VIPs are
 * added, removed, moved to a new address or get new placement settings without a restart.
 */
public final class VipKeys {
    public static final ConfigKey<AddressTypes.Cidr> ADDRESS = vip("address", vipAddress()).reloadable().build();
    public static final ConfigKey<String> INTERFACE = vip("interface", interfaceName()).reloadable().build();
    /** Node ids; the reader skips empty words (white space of any kind counts, so the value is split untrimmed). */
    public static final ConfigKey<List<String>> PREFER = vip("prefer",
            wordList("node ids in order of preference", false)).reloadable().build();
    public static final ConfigKey<List<String>> CHECKS = vip("checks", wordList("names of checks", true))
            .reloadable().build();
    public static final ConfigKey<Boolean> PREEMPT = vip("preempt", onOff()).byDefault("off").reloadable().build();
    public static final ConfigKey<Integer> PREEMPT_DELAY_MS = vip("preempt.delay.ms", integer(0, 86_400_000))
            .byDefault(0).reloadable().build();
    public static final ConfigKey<Integer> PREEMPT_HOLD_MS = vip("preempt.hold.ms", integer(0, 86_400_000))
            .byDefault((int) VipSpec.DEFAULT_PREEMPT_HOLD_MS).reloadable().build();
    public static final ConfigKey<VipSpec.UnhealthyPolicy> UNHEALTHY = vip("unhealthy", unhealthyPolicy())
            .byDefault("keep").reloadable().build();

    public static final ConfigKey<VipSpec.ConflictPolicy> CONFLICT = vip("conflict", conflictPolicy())
            .byDefault("refuse").reloadable().build();

    public static final ConfigKey<VipSpec.SilentPolicy> ON_SILENT = vip("on_silent", silentPolicy())
            .byDefault("move").reloadable().build();

    /** Interface names; the reader skips empty words and checks each name. */
    public static final ConfigKey<List<String>> TRACK = vip("track", wordList("interface names", true))
            .reloadable().build();

    public static final List<ConfigKey<?>> ALL = List.of(ADDRESS, INTERFACE, PREFER, CHECKS, PREEMPT,
            PREEMPT_DELAY_MS, PREEMPT_HOLD_MS, UNHEALTHY, CONFLICT, ON_SILENT, TRACK);

    private VipKeys() {
    }

    private static <T> ConfigKey.Builder<T> vip(String suffix, ValueType<T> type) {
        return ConfigKey.named("vip.", "NAME", "." + suffix, type);
    }
}
