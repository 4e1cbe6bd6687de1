package io.vipd.config;

import java.util.List;
import java.util.Objects;

/**
 * {@code check.NAME.type = exec}: healthy when the command exits with status 0.
 *
 * @param command what is run: the program and its arguments, or {@code /bin/sh -c LINE} when {@code shell}
 * @param shell   whether the configured command line goes through {@code /bin/sh -c}
 */
public record ExecCheck(String name, List<String> command, boolean shell, long intervalMs, long timeoutMs, int rise,
                        int fall) implements CheckSpec {
    public ExecCheck {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("an exec check needs a command");
        }
    }

    @Override
    public String describe() {
        return "exec " + String.join(" ", command);
    }
}
