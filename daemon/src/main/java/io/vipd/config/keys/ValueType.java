package io.vipd.config.keys;

import java.util.Optional;

/**
 * What a configuration key's value may be, and how its text becomes that value: a whole number within bounds, a
 * switch, a path that passes vipd's path rules, an address... Messages say what is wrong with the value only; the
 * loader puts the file, line and key in front.
 *
 * @param <T> the value's Java type
 */
public interface ValueType<T> {
    /**
     * @param text the value as written, without leading and trailing white space
     * @throws InvalidValue saying what is wrong with it
     */
    T parse(String text) throws InvalidValue;

    /** What a value must be, in words, e.g. "a whole number 1..100" (also "missing: needs ..." of required keys). */
    String description();

    /**
     * How an empty value ({@code key =}) is refused, or empty when the empty text is parsed like any other (and
     * refused by {@link #parse} with its usual message).
     *
     * @param defaultText the key's default as the operator would write it, or null when it has none to show
     */
    default Optional<String> emptyProblem(String defaultText) {
        return Optional.empty();
    }

    /** A value that is not what its key takes; the message is the problem only. */
    final class InvalidValue extends Exception {
        public InvalidValue(String problem) {
            super(problem, null, false, false);
        }
    }
}
