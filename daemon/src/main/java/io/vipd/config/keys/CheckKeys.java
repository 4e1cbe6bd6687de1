package io.vipd.config.keys;

import static io.vipd.config.keys.AddressTypes.checkTarget;
import static io.vipd.config.keys.AddressTypes.httpUrl;
import static io.vipd.config.keys.ValueTypes.checkKind;
import static io.vipd.config.keys.ValueTypes.integer;
import static io.vipd.config.keys.ValueTypes.onOff;
import static io.vipd.config.keys.ValueTypes.statusRange;
import static io.vipd.config.keys.ValueTypes.text;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * {@code check.NAME.*}: one health check each. The type is required and decides which of the kind-specific keys
 * ({@link #ONLY_FOR}) the check may have. A reload applies all of them (the checks restart).
 */
public final class CheckKeys {
    /** The kinds of check ({@code check.NAME.type}). */
    public enum Kind { TCP, HTTP, EXEC }

    public static final ConfigKey<Kind> TYPE = check("type", checkKind()).reloadable().build();
    /** tcp: required. */
    public static final ConfigKey<AddressTypes.HostPort> TARGET = check("target", checkTarget()).reloadable().build();
    /** http: required. */
    public static final ConfigKey<URI> URL = check("url", httpUrl()).reloadable().build();
    public static final ConfigKey<ValueTypes.StatusRange> STATUS = check("status", statusRange())
            .byDefault("200-399").reloadable().build();
    /** exec: required; split on white space, or run through /bin/sh -c when {@link #SHELL}. */
    public static final ConfigKey<String> COMMAND = check("command", text("a program and its arguments"))
            .reloadable().build();
    public static final ConfigKey<Boolean> SHELL = check("shell", onOff()).byDefault("false").reloadable().build();
    public static final ConfigKey<Integer> INTERVAL_MS = check("interval.ms", integer(100, 3_600_000))
            .byDefault(1000).reloadable().build();
    /** No fixed default: the smaller of 1000 and the interval; at most the interval. */
    public static final ConfigKey<Integer> TIMEOUT_MS = check("timeout.ms", integer(10, 3_600_000))
            .reloadable().build();
    public static final ConfigKey<Integer> RISE = check("rise", integer(1, 100)).byDefault(2).reloadable().build();
    public static final ConfigKey<Integer> FALL = check("fall", integer(1, 100)).byDefault(2).reloadable().build();

    /** The keys that only one kind of check may have. */
    public static final Map<Kind, List<ConfigKey<?>>> ONLY_FOR = Map.of(
            Kind.TCP, List.of(TARGET),
            Kind.HTTP, List.of(URL, STATUS),
            Kind.EXEC, List.of(COMMAND, SHELL));

    public static final List<ConfigKey<?>> ALL = List.of(TYPE, TARGET, URL, STATUS, COMMAND, SHELL, INTERVAL_MS,
            TIMEOUT_MS, RISE, FALL);

    private CheckKeys() {
    }

    /** Whether {@code key} is one that only some kinds of check may have. */
    public static boolean kindSpecific(ConfigKey<?> key) {
        return ONLY_FOR.values().stream().anyMatch(keys -> keys.contains(key));
    }

    private static <T> ConfigKey.Builder<T> check(String suffix, ValueType<T> type) {
        return ConfigKey.named("check.", "NAME", "." + suffix, type);
    }
}
