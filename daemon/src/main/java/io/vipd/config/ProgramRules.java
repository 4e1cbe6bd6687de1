package io.vipd.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Programs that vipd runs (notify hooks, exec checks) should exist and be executable on this host. Only a warning:
 * configuration management often deploys the program after vipd.conf (or in the same run), and vipd looks the
 * program up each time it runs it.
 */
final class ProgramRules {
    private ProgramRules() {
    }

    /**
     * @param command the program's absolute path and its arguments
     * @param what    what fails meanwhile, e.g. "the hook"
     */
    static Optional<String> warning(List<String> command, String what) {
        if (command.isEmpty()) {
            return Optional.empty();
        }
        String program = command.get(0);
        String problem;
        try {
            Path path = Path.of(program);
            if (!Files.exists(path)) {
                problem = program + " does not exist on this host";
            } else if (Files.isDirectory(path)) {
                problem = program + " is a directory, not a program";
            } else if (!Files.isExecutable(path)) {
                problem = program + " is not executable (chmod +x)";
            } else {
                return Optional.empty();
            }
        } catch (InvalidPathException | SecurityException e) {
            problem = "'" + program + "' cannot be looked up on this host";
        }
        return Optional.of(problem + ": " + what + " will fail each time it runs until that is fixed (only a "
                + "warning: the program may be deployed after this file)");
    }
}
