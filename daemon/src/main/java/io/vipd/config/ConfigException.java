package io.vipd.config;

import java.nio.file.Path;

/**
 * A problem with the operator's configuration. Always names the file and the key, and the line where it is known,
 * so the message alone tells the operator what to fix. Never carries a stack trace to the operator.
 */
public final class ConfigException extends Exception {
    /** sysexits.h EX_CONFIG: the conventional exit status for a configuration error. */
    public static final int EXIT_CODE = 78;

    private final Path file;
    private final int line;
    private final String key;
    private final String problem;

    public ConfigException(Path file, int line, String key, String problem) {
        super(format(file, line, key, problem));
        this.file = file;
        this.line = line;
        this.key = key;
        this.problem = problem;
    }

    private static String format(Path file, int line, String key, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<config>" : file.toString());
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (key != null) {
            sb.append(key).append(": ");
        }
        return sb.append(problem).toString();
    }

    public Path file() { return file; }
    public int line() { return line; }
    public String key() { return key; }
    public String problem() { return problem; }
}
