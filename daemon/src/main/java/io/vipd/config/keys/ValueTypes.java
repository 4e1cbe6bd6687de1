package io.vipd.config.keys;

import io.vipd.config.AsciiNumbers;
import io.vipd.config.Timing;
import io.vipd.config.VipSpec;
import io.vipd.config.keys.ValueType.InvalidValue;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The types of vipd.conf's values (addresses are in {@link AddressTypes}). Numbers are ASCII digits only
 * ({@link AsciiNumbers}). Each type trims the value itself, except where white space of any kind is part of the rule
 * (the prefer list).
 */
public final class ValueTypes {
    /** Node ids and the names of the cluster, VIPs and checks. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    /** A group name as groupadd accepts it, at most 32 characters. */
    private static final Pattern GROUP = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    private static final Pattern STATUS = Pattern.compile("([0-9]{3})(?:-([0-9]{3}))?");
    private static final String LIST_SEPARATORS = "[,\\s]+";

    private ValueTypes() {
    }

    /** HTTP status codes that count as healthy, both ends included. */
    public record StatusRange(int min, int max) {
    }

    /**
     * What an empty value is: parsed like any other (and refused by the type's own rule, or by the reader as missing
     * when the key is required), or refused with one of three sentences: numbers and switches do not name their
     * default, names and paths do, commands have none.
     */
    enum Empty { PARSED, REFUSED, REFUSED_NAMING_DEFAULT, NO_COMMAND }

    @FunctionalInterface
    interface Parser<T> {
        T parse(String text) throws InvalidValue;
    }

    private record Type<T>(String description, Empty empty, Parser<T> parser) implements ValueType<T> {
        @Override
        public T parse(String text) throws InvalidValue {
            return parser.parse(text);
        }

        @Override
        public Optional<String> emptyProblem(String defaultText) {
            String useDefault = "empty value; remove the line to use the default";
            return switch (empty) {
                case PARSED -> Optional.empty();
                case REFUSED -> Optional.of(useDefault);
                case REFUSED_NAMING_DEFAULT -> Optional.of(useDefault + (defaultText == null ? ""
                        : " (" + defaultText + ")"));
                case NO_COMMAND -> Optional.of("empty value; remove the line for no command");
            };
        }
    }

    static <T> ValueType<T> trimmed(String description, Empty empty, Parser<T> parser) {
        return new Type<>(description, empty, text -> parser.parse(text.trim()));
    }

    static InvalidValue invalid(String problem) {
        return new InvalidValue(problem);
    }

    /**
     * A whole number in ASCII digits within {@code min..max}. An empty value is refused without naming the default:
     * several numbers' defaults depend on other keys (the profile, the interval).
     */
    public static ValueType<Integer> integer(int min, int max) {
        return trimmed("a whole number " + min + ".." + max, Empty.REFUSED, v -> {
            OptionalLong n = AsciiNumbers.parse(v);
            if (n.isEmpty()) {
                throw invalid("'" + v + "' is not a whole number (ASCII digits 0-9)");
            }
            if (n.getAsLong() < min || n.getAsLong() > max) {
                throw invalid(v + " is outside " + min + ".." + max);
            }
            return (int) n.getAsLong();
        });
    }

    /** on/off, true/false or yes/no, in any case. */
    public static ValueType<Boolean> onOff() {
        return trimmed("on or off (or true/false, yes/no)", Empty.REFUSED, v -> {
            switch (v.toLowerCase(Locale.ROOT)) {
                case "on", "true", "yes" -> {
                    return true;
                }
                case "off", "false", "no" -> {
                    return false;
                }
                default -> throw invalid("'" + v + "' is not on/off (or true/false, yes/no)");
            }
        });
    }

    /** A node id or a name: letters, digits, '-' or '_', at most 63 characters; {@code notValid} after the value. */
    public static ValueType<String> identifier(String notValid) {
        return name("letters, digits, '-' or '_', at most 63 characters", ID, notValid);
    }

    /** A Unix group name as groupadd accepts it. */
    public static ValueType<String> groupName() {
        return name("a group name", GROUP, "is not a valid group name (letters, digits, '_', '-' or '.', not starting with a digit, "
                + "'-' or '.'; at most 32 characters)");
    }

    private static ValueType<String> name(String description, Pattern pattern, String notValid) {
        return trimmed(description, Empty.REFUSED_NAMING_DEFAULT, v -> {
            if (!pattern.matcher(v).matches()) {
                throw invalid("'" + v + "' " + notValid);
            }
            return v;
        });
    }

    /** A network interface name (at most 15 characters, as the kernel allows). */
    public static ValueType<String> interfaceName() {
        return trimmed("an interface name", Empty.PARSED, v -> {
            if (!IFACE.matcher(v).matches()) {
                throw invalid("'" + v + "' is not a valid interface name");
            }
            return v;
        });
    }

    /** A path that this JVM can represent and that passes {@code rules} (which return the problem, if any). */
    public static ValueType<Path> path(String description, Function<Path, Optional<String>> rules) {
        return trimmed(description, Empty.REFUSED_NAMING_DEFAULT, v -> {
            Path p;
            try {
                p = Path.of(v);
            } catch (InvalidPathException e) {
                // A NUL byte, or a character this JVM's file name encoding cannot hold (e.g. under LANG=C).
                throw invalid("'" + v + "' is not a usable path (" + e.getReason() + ")");
            }
            Optional<String> problem = rules.apply(p);
            if (problem.isPresent()) {
                throw invalid(problem.get());
            }
            return p;
        });
    }

    /** A command line split on white space (no quoting: wrap anything fancier in a script), program first. */
    public static ValueType<List<String>> absoluteCommand() {
        return trimmed("an absolute path and arguments", Empty.NO_COMMAND, v -> {
            List<String> words = List.of(v.split("\\s+"));
            if (!words.get(0).startsWith("/")) {
                throw invalid("'" + words.get(0) + "' must be an absolute path (commands run without a shell and "
                        + "without PATH lookup)");
            }
            return words;
        });
    }

    /** Any text (what it means is the reader's business, e.g. an exec check's command line). */
    public static ValueType<String> text(String description) {
        return trimmed(description, Empty.PARSED, v -> v);
    }

    /**
     * Words separated by commas or white space; a blank value is none. The words are as split: an empty first word
     * (a value that starts with a comma) is kept for the reader to refuse or skip.
     *
     * @param trim whether the value is trimmed before it is split
     */
    public static ValueType<List<String>> wordList(String description, boolean trim) {
        return new Type<>(description, Empty.PARSED, v -> v.isBlank() ? List.of()
                : List.of((trim ? v.trim() : v).split(LIST_SEPARATORS)));
    }

    /** One HTTP status or a range of them ({@code 200-399}). */
    public static ValueType<StatusRange> statusRange() {
        return trimmed("a status or range (example: 200-399)", Empty.PARSED, v -> {
            Matcher m = STATUS.matcher(v);
            if (!m.matches()) {
                throw invalid("'" + v + "' is not a status or range (example: 200-399)");
            }
            int min = Integer.parseInt(m.group(1));
            int max = m.group(2) == null ? min : Integer.parseInt(m.group(2));
            if (max < min) {
                throw invalid("range '" + v + "' is empty");
            }
            return new StatusRange(min, max);
        });
    }

    /** A timing profile's name: its timing is the default of the timing keys. */
    public static ValueType<Timing> profile() {
        return trimmed("default or fast", Empty.REFUSED_NAMING_DEFAULT, v -> {
            Timing t = Timing.profile(v);
            if (t == null) {
                throw invalid("'" + v + "' is not a profile (default, fast)");
            }
            return t;
        });
    }

    /** keep or release, in any case. */
    public static ValueType<VipSpec.UnhealthyPolicy> unhealthyPolicy() {
        return oneOf(VipSpec.UnhealthyPolicy.class);
    }

    /** refuse or warn, in any case. */
    public static ValueType<VipSpec.ConflictPolicy> conflictPolicy() {
        return oneOf(VipSpec.ConflictPolicy.class);
    }

    /** move or report, in any case. */
    public static ValueType<VipSpec.SilentPolicy> silentPolicy() {
        return oneOf(VipSpec.SilentPolicy.class);
    }

    /** One of an enum's constants, written in any case: "keep or release", "refuse or warn". */
    private static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type) {
        String words = String.join(" or ", java.util.Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
        return trimmed(words, Empty.REFUSED_NAMING_DEFAULT, v -> {
            String lower = v.toLowerCase(Locale.ROOT);
            for (E c : type.getEnumConstants()) {
                if (c.name().toLowerCase(Locale.ROOT).equals(lower)) {
                    return c;
                }
            }
            throw invalid("'" + v + "' is not " + words);
        });
    }

    /** tcp, http or exec, in any case. */
    public static ValueType<CheckKeys.Kind> checkKind() {
        return trimmed("tcp, http or exec", Empty.PARSED, v -> {
            try {
                return CheckKeys.Kind.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid("'" + v + "' is not a check type (tcp, http, exec)");
            }
        });
    }
}
