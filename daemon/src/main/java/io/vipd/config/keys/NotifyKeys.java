package io.vipd.config.keys;

import static io.vipd.config.keys.ConfigKey.plain;
import static io.vipd.config.keys.ValueTypes.absoluteCommand;
import static io.vipd.config.keys.ValueTypes.integer;

import io.vipd.config.NotifyHooks;
import java.util.List;

/** Notify hooks ({@link NotifyHooks}): no hook by default. A reload applies them. */
public final class NotifyKeys {
    public static final ConfigKey<List<String>> ACQUIRE = hook("notify.acquire");
    public static final ConfigKey<List<String>> RELEASE = hook("notify.release");
    public static final ConfigKey<List<String>> FAULT = hook("notify.fault");
    public static final ConfigKey<List<String>> ANY = hook("notify.any");
    public static final ConfigKey<List<String>> CONFLICT = hook("notify.conflict");
    public static final ConfigKey<Integer> TIMEOUT_MS = plain("notify.timeout.ms", integer(100, 600_000))
            .byDefault((int) NotifyHooks.NONE.timeoutMs()).reloadable().build();

    /** The hooks, in the order they are read. */
    public static final List<ConfigKey<List<String>>> HOOKS = List.of(ACQUIRE, RELEASE, FAULT, ANY, CONFLICT);
    public static final List<ConfigKey<?>> ALL = List.of(ACQUIRE, RELEASE, FAULT, ANY, CONFLICT, TIMEOUT_MS);

    private NotifyKeys() {
    }

    private static ConfigKey<List<String>> hook(String name) {
        return plain(name, absoluteCommand()).reloadable().build();
    }
}
