package io.vipd.config;

import io.vipd.config.keys.ConfigKey;
import io.vipd.config.keys.NotifyKeys;
import java.util.ArrayList;
import java.util.List;

/** Reads the notify hooks ({@link NotifyKeys}); a hook program that is not there (yet) is a warning. */
final class NotifyReader {
    private NotifyReader() {
    }

    static NotifyHooks read(KeyReader keys) throws ConfigException {
        List<List<String>> hooks = new ArrayList<>();
        for (ConfigKey<List<String>> hook : NotifyKeys.HOOKS) {
            List<String> command = keys.find(hook).orElse(List.of());
            ProgramRules.warning(command, "the hook").ifPresent(w -> keys.warn(hook.name(), w));
            hooks.add(command);
        }
        return new NotifyHooks(hooks.get(0), hooks.get(1), hooks.get(2), hooks.get(3), hooks.get(4),
                keys.get(NotifyKeys.TIMEOUT_MS));
    }
}
