package io.vipd.config;

import io.vipd.config.keys.ConfigKey;
import io.vipd.config.keys.ConfigKeys;
import io.vipd.config.keys.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads keys of the catalogue ({@link ConfigKeys}) from one parsed file: each value through its key's type, with
 * the key's default when it is not set; every problem a {@link ConfigException} naming the file, the line and the
 * key. Also collects the warnings. The section readers ({@link NodeReader}, {@link PeerReader}, ...) use it.
 */
final class KeyReader {
    private static final Pattern END_OF_LINE_COMMENT = Pattern.compile("\\s#");

    private final Path file;
    private final PropertiesFile props;
    private final List<String> warnings = new ArrayList<>();

    KeyReader(Path file, PropertiesFile props) {
        this.file = file;
        this.props = props;
    }

    /**
     * One member of a family of named keys as the file sets it ({@code vip.web.*}): its keys by suffix, in the order
     * of a HashMap of the suffixes (the "some key" a message about a missing key points at is the first of them).
     */
    record Member(String name, Map<String, ConfigKey<?>> keys) {
        /** A key of this member that the file sets, to point at when a required one is missing. */
        String someKey() {
            return keys.values().iterator().next().in(name);
        }
    }

    /**
     * Goes through every key of the file, in file order: refuses one set twice or not in the catalogue, and sorts
     * the named ones by family and member.
     *
     * @return for each family ({@link ConfigKey#family()}), its members in the order the file first names them
     */
    Map<String, Map<String, Member>> scan() throws ConfigException {
        Map<String, Map<String, Member>> families = new HashMap<>();
        for (String fileKey : props.keys()) {
            single(fileKey);
            Optional<ConfigKeys.Match> match = ConfigKeys.lookup(fileKey);
            if (match.isEmpty()) {
                throw error(fileKey, "unknown key (known: " + ConfigKeys.summary() + ")");
            }
            ConfigKey<?> key = match.get().key();
            if (key.isNamed()) {
                families.computeIfAbsent(key.family(), f -> new LinkedHashMap<>())
                        .computeIfAbsent(match.get().member(), m -> new Member(m, new HashMap<>()))
                        .keys().put(key.suffix(), key);
            }
        }
        return families;
    }

    Path file() {
        return file;
    }

    List<String> warnings() {
        return warnings;
    }

    /** A problem with the value of {@code key}, at its line. */
    ConfigException error(String key, String problem) {
        return new ConfigException(file, lineOf(key), key, problem + commentHint(key));
    }

    /** A problem with {@code key} (typically: it is missing), shown at the line of {@code lineKey}. */
    ConfigException missing(String lineKey, String key, String problem) {
        return new ConfigException(file, lineOf(lineKey), key, problem);
    }

    void warn(String key, String message) {
        warnings.add(ConfigException.format(file, lineOf(key), key, message));
    }

    /** The line where {@code key} is set, or 0 when the key is not in the file (a missing key). */
    int lineOf(String key) {
        return props.lineOf(key);
    }

    boolean isSet(ConfigKey<?> key) {
        return props.contains(key.name());
    }

    boolean isSet(ConfigKey<?> key, String member) {
        return props.contains(key.in(member));
    }

    /** The value of a plain key, or empty when the file does not set it. */
    <T> Optional<T> find(ConfigKey<T> key) throws ConfigException {
        return read(key, key.name());
    }

    /** The value of a named key of {@code member}, or empty when the file does not set it. */
    <T> Optional<T> find(ConfigKey<T> key, String member) throws ConfigException {
        return read(key, key.in(member));
    }

    /** The value of a plain key, or its default. */
    <T> T get(ConfigKey<T> key) throws ConfigException {
        return orDefault(key, key.name());
    }

    /** The value of a named key of {@code member}, or its default. */
    <T> T get(ConfigKey<T> key, String member) throws ConfigException {
        return orDefault(key, key.in(member));
    }

    /** The value of a named key that {@code member} must set (not blank): else "missing: needs ..." */
    <T> T required(ConfigKey<T> key, Member member) throws ConfigException {
        String fileKey = key.in(member.name());
        String written = props.contains(fileKey) ? single(fileKey) : null;
        if (written == null || written.isBlank()) {
            throw missing(written == null ? member.someKey() : fileKey, fileKey,
                    "missing: needs " + key.type().description());
        }
        return parse(key, fileKey, written);
    }

    /** The value as written, trimmed (for messages that quote it). */
    String written(String fileKey) throws ConfigException {
        return single(fileKey).trim();
    }

    private <T> T orDefault(ConfigKey<T> key, String fileKey) throws ConfigException {
        Optional<T> value = read(key, fileKey);
        if (value.isPresent()) {
            return value.get();
        }
        if (key.defaultText() == null) {
            throw new IllegalStateException(key + " has no default");
        }
        return parse(key, fileKey, key.defaultText());
    }

    private <T> Optional<T> read(ConfigKey<T> key, String fileKey) throws ConfigException {
        if (!props.contains(fileKey)) {
            return Optional.empty();
        }
        String written = single(fileKey);
        if (written.trim().isEmpty()) {
            Optional<String> problem = key.type().emptyProblem(key.defaultText());
            if (problem.isPresent()) {
                throw error(fileKey, problem.get());
            }
        }
        return Optional.of(parse(key, fileKey, written));
    }

    private <T> T parse(ConfigKey<T> key, String fileKey, String text) throws ConfigException {
        try {
            return key.type().parse(text);
        } catch (ValueType.InvalidValue e) {
            throw error(fileKey, e.getMessage());
        }
    }

    private String single(String key) throws ConfigException {
        List<PropertiesFile.Entry> entries = props.entries(key);
        if (entries.size() > 1) {
            throw new ConfigException(file, entries.get(1).line(), key, "set more than once (first on line "
                    + entries.get(0).line() + "); keep one line");
        }
        return entries.isEmpty() ? "" : entries.get(0).value();
    }

    /** Properties syntax has no end-of-line comments; a value that seems to have one is the likely problem. */
    private String commentHint(String key) {
        List<PropertiesFile.Entry> entries = props.entries(key);
        return entries.size() == 1 && END_OF_LINE_COMMENT.matcher(entries.get(0).value()).find()
                ? " ('#' starts a comment only at the start of a line: everything after '=' is the value)" : "";
    }
}
