package io.vipd.config;

import java.nio.file.Path;

/**
 * A problem with the operator's configuration. Always names the file and the key, and the line where it is known,
 * so the message alone tells the operator what to fix. Never carries a stack trace to the operator.
 */
public final class ConfigException extends Exception {
    /** sysexits.h EX_CONFIG: the conventional exit status for a configuration error. */
    public static final int EXIT_CODE = 78;

    /** PATH_MAX: a file name is shown whole. */
    private static final int MAX_FILE_NAME = 4096;
    /** Longest key shown whole (keys are short; a long one is a pasted value). */
    private static final int MAX_KEY = 300;
    /** Longest problem shown whole: long enough for every message vipd writes, short of a pasted megabyte. */
    private static final int MAX_PROBLEM = 2000;

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

    /**
     * {@code file:line: key: problem}, the form of every configuration error and warning. The line is left out when it
     * is not known, the key when there is none.
     */
    static String format(Path file, int line, String key, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<config>" : printable(file.toString(), MAX_FILE_NAME));
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (key != null) {
            sb.append(printable(key, MAX_KEY)).append(": ");
        }
        return sb.append(printable(problem, MAX_PROBLEM)).toString();
    }

    /**
     * Messages quote what the file says. Control and format characters from a damaged or hostile file (a NUL, a
     * carriage return, a terminal escape sequence, a right-to-left override) would garble or drive the operator's
     * terminal and split journal lines, so they are shown as Java-style backslash-u escapes; and a huge value is cut
     * in the middle so one line cannot flood the log.
     */
    static String printable(String text, int max) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max) + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (unprintable(text, i)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() <= max) {
            return sb.toString();
        }
        int head = max * 2 / 3;
        int tail = max / 4;
        return sb.substring(0, head) + " [… " + (sb.length() - head - tail) + " characters left out …] "
                + sb.substring(sb.length() - tail);
    }

    private static boolean unprintable(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
        }
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    public Path file() { return file; }
    public int line() { return line; }
    public String key() { return key; }
    public String problem() { return problem; }
}
