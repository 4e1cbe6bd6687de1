package io.vipd.config;

import io.vipd.config.keys.AddressTypes;
import io.vipd.config.keys.CheckKeys;
import io.vipd.config.keys.ConfigKey;
import io.vipd.config.keys.ValueTypes;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the health checks ({@link CheckKeys}): a type, the keys of that type only, and the timing every check has.
 */
final class CheckReader {
    private CheckReader() {
    }

    /** @return by name */
    static Map<String, CheckSpec> read(KeyReader keys, Map<String, KeyReader.Member> members)
            throws ConfigException {
        Map<String, CheckSpec> out = new TreeMap<>();
        for (KeyReader.Member check : members.values()) {
            out.put(check.name(), read(keys, check));
        }
        return out;
    }

    private static CheckSpec read(KeyReader keys, KeyReader.Member check) throws ConfigException {
        String name = check.name();
        if (!ValueTypes.ID.matcher(name).matches()) {
            throw keys.error(check.someKey(), "'" + name + "' is not a valid check name (letters, digits, '-' or '_')");
        }
        if (!keys.isSet(CheckKeys.TYPE, name)) {
            throw keys.missing(check.someKey(), CheckKeys.TYPE.in(name),
                    "missing: check '" + name + "' needs a type (tcp, http or exec)");
        }
        CheckKeys.Kind kind = keys.find(CheckKeys.TYPE, name).orElseThrow();
        for (ConfigKey<?> key : check.keys().values()) {
            if (CheckKeys.kindSpecific(key) && !CheckKeys.ONLY_FOR.get(kind).contains(key)) {
                throw keys.error(key.in(name), "does not apply to a " + kind.name().toLowerCase(Locale.ROOT)
                        + " check");
            }
        }
        return switch (kind) {
            case TCP -> {
                AddressTypes.HostPort target = keys.required(CheckKeys.TARGET, check);
                Schedule s = schedule(keys, name);
                yield new TcpCheck(name, target.host(), target.port(), s.interval, s.timeout, s.rise, s.fall);
            }
            case HTTP -> {
                java.net.URI url = keys.required(CheckKeys.URL, check);
                ValueTypes.StatusRange status = keys.get(CheckKeys.STATUS, name);
                Schedule s = schedule(keys, name);
                yield new HttpCheck(name, url, status.min(), status.max(), s.interval, s.timeout, s.rise, s.fall);
            }
            case EXEC -> {
                boolean shell = keys.get(CheckKeys.SHELL, name);
                String line = keys.required(CheckKeys.COMMAND, check);
                List<String> command = shell ? List.of("/bin/sh", "-c", line) : List.of(line.split("\\s+"));
                String commandKey = CheckKeys.COMMAND.in(name);
                if (!shell && !command.get(0).startsWith("/")) {
                    throw keys.error(commandKey, "'" + command.get(0) + "' must be an absolute path (run without a "
                            + "shell and without PATH lookup; or set " + CheckKeys.SHELL.in(name) + " = true)");
                }
                if (!shell) {
                    ProgramRules.warning(command, "the check (and so the VIPs that need it)")
                            .ifPresent(w -> keys.warn(commandKey, w));
                }
                Schedule s = schedule(keys, name);
                yield new ExecCheck(name, command, shell, s.interval, s.timeout, s.rise, s.fall);
            }
        };
    }

    /** What every kind of check has. */
    private record Schedule(int interval, int timeout, int rise, int fall) {
    }

    private static Schedule schedule(KeyReader keys, String name) throws ConfigException {
        int interval = keys.get(CheckKeys.INTERVAL_MS, name);
        int timeout = keys.find(CheckKeys.TIMEOUT_MS, name).orElse(Math.min(1000, interval));
        if (timeout > interval) {
            throw keys.error(CheckKeys.TIMEOUT_MS.in(name), timeout + " ms is longer than "
                    + CheckKeys.INTERVAL_MS.in(name) + " (" + interval + " ms)");
        }
        return new Schedule(interval, timeout, keys.get(CheckKeys.RISE, name), keys.get(CheckKeys.FALL, name));
    }
}
