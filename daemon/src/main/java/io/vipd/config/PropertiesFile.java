package io.vipd.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.configuration2.PropertiesConfiguration;

/**
 * The {@code key = value} lines of a vipd.conf with the line each one starts on.
 *
 * <p>Lines are split into keys and values by Commons Configuration's own properties parser
 * ({@link PropertiesConfiguration.PropertiesReader}: comments, continuation lines, {@code \} escapes), but none of
 * what a {@link PropertiesConfiguration} does on top of it happens here, on purpose:
 * <ul>
 *   <li>no {@code ${...}} interpolation: its lookups ({@code ${file:...}}, {@code ${env:...}}, {@code ${sys:...}})
 *       would copy other files, the environment or JVM properties into the configuration and from there into error
 *       messages and the log; a {@code $} is just a character;</li>
 *   <li>no {@code include} / {@code includeoptional}: the library would load other files (or, with includes
 *       disallowed, drop the line without a word); vipd reads exactly one file and refuses those keys;</li>
 *   <li>no list splitting: a value is the text after the separator, commas included (the keys that take lists split
 *       them themselves).</li>
 * </ul>
 */
final class PropertiesFile {
    /** One {@code key = value} as written; {@code line} is the line it starts on (1-based). */
    record Entry(String key, String value, int line) {
    }

    private final Map<String, List<Entry>> entriesByKey;

    private PropertiesFile(Map<String, List<Entry>> entriesByKey) {
        this.entriesByKey = entriesByKey;
    }

    /** A file without entries, for messages about a configuration whose file can no longer be read. */
    static PropertiesFile empty() {
        return new PropertiesFile(Map.of());
    }

    /**
     * @param file where {@code text} came from, for messages only
     * @throws ConfigException naming the line of a malformed escape, a line without a key, or an include
     */
    static PropertiesFile parse(Path file, String text) throws ConfigException {
        Map<String, List<Entry>> entries = new LinkedHashMap<>();
        try (LineCountingReader reader = new LineCountingReader(new StringReader(text))) {
            while (true) {
                boolean more;
                try {
                    more = reader.nextProperty();
                } catch (RuntimeException e) {
                    // The library's unescaping rejects most bad \\uXXXX escapes (its message is replaced by one
                    // that says what to do).
                    throw malformedEscape(file, reader.firstLineOfProperty());
                }
                if (!more) {
                    break;
                }
                if (hasIncompleteUnicodeEscape(reader.rawProperty())) {
                    // ... but drops one at the very end of a value without a word ("a\\u12" reads as "a").
                    throw malformedEscape(file, reader.firstLineOfProperty());
                }
                String key = reader.getPropertyName();
                int line = reader.firstLineOfProperty();
                if (key.isEmpty()) {
                    throw new ConfigException(file, line, null, "a value without a key (lines are key = value)");
                }
                // The names (any case) that a PropertiesConfiguration would treat as includes.
                if (key.equalsIgnoreCase("include") || key.equalsIgnoreCase("includeoptional")) {
                    throw new ConfigException(file, line, key, "vipd has no includes: it reads this one file only; "
                            + "put the settings here");
                }
                entries.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new Entry(key, reader.getPropertyValue(), line));
            }
        } catch (IOException e) {
            // A StringReader does not fail; kept as a configuration error rather than an unchecked exception.
            throw new ConfigException(file, 0, null, "cannot read: " + e.getMessage());
        }
        return new PropertiesFile(entries);
    }

    private static ConfigException malformedEscape(Path file, int line) {
        return new ConfigException(file, line, null, "malformed escape: a backslash starts an escape, and \\u must "
                + "be followed by four hex digits (write \\\\ for a backslash)");
    }

    /** A backslash-u not followed by four hex digits, where the backslash is not itself escaped. */
    static boolean hasIncompleteUnicodeEscape(String raw) {
        int backslashes = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (c == 'u' && backslashes % 2 == 1
                    && !(i + 4 < raw.length() && raw.substring(i + 1, i + 5).matches("[0-9A-Fa-f]{4}"))) {
                return true;
            }
            backslashes = 0;
        }
        return false;
    }

    /** The keys in the order they first appear. */
    Set<String> keys() {
        return entriesByKey.keySet();
    }

    boolean contains(String key) {
        return entriesByKey.containsKey(key);
    }

    /** Every line that sets {@code key}, in file order; empty when none does. */
    List<Entry> entries(String key) {
        return entriesByKey.getOrDefault(key, List.of());
    }

    /** The line where {@code key} is first set, or 0 when the file does not set it. */
    int lineOf(String key) {
        List<Entry> e = entries(key);
        return e.isEmpty() ? 0 : e.get(0).line();
    }

    /**
     * The library's reader, told to remember where each property starts: it skips comment and blank lines and joins
     * continuation lines before it parses, and reports only how many lines it has read in all.
     */
    private static final class LineCountingReader extends PropertiesConfiguration.PropertiesReader {
        private int linesRead;
        private int firstLineOfProperty;
        private String rawProperty = "";

        LineCountingReader(Reader in) {
            super(in);
        }

        int firstLineOfProperty() {
            return firstLineOfProperty;
        }

        /** The property's lines as the library joined them, before it split and unescaped them. */
        String rawProperty() {
            return rawProperty;
        }

        @Override
        public String readProperty() throws IOException {
            firstLineOfProperty = 0;
            String raw = super.readProperty();
            rawProperty = raw == null ? "" : raw;
            return raw;
        }

        @Override
        public String readLine() throws IOException {
            String line = super.readLine();
            if (line != null) {
                linesRead++;
                if (firstLineOfProperty == 0 && !isCommentOrBlank(line)) {
                    firstLineOfProperty = linesRead;
                }
            }
            return line;
        }

        /** The library's own definition (PropertiesConfiguration.isCommentLine is not public). */
        private static boolean isCommentOrBlank(String line) {
            String s = line.trim();
            return s.isEmpty() || s.charAt(0) == '#' || s.charAt(0) == '!';
        }
    }
}
