package io.vipd.config;

import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Whole numbers as vipd.conf writes them: ASCII digits 0-9, with an optional leading minus.
 *
 * <p>{@link Integer#parseInt} also accepts a leading {@code +} and the digits of every other script (Arabic-Indic
 * {@code ٣}, fullwidth {@code ３}, ...), so a value that reads as one number to an operator could be another to a
 * reviewer, a diff or a grep. Every number in the file is parsed here instead.
 */
final class AsciiNumbers {
    /** {@code [0-9]} in a Java pattern is ASCII only (unlike {@link Character#isDigit}). */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]+");
    /** More significant digits than a long holds: such a value is only ever "too large". */
    private static final int MAX_DIGITS = 18;

    private AsciiNumbers() {
    }

    /**
     * @return the number; one with more than 18 significant digits as {@link Long#MAX_VALUE} (or
     *         {@link Long#MIN_VALUE} when negative), so that a range check rejects it as out of range rather than as
     *         not a number; empty when {@code text} is not a whole number in ASCII digits
     */
    static OptionalLong parse(String text) {
        if (!WHOLE_NUMBER.matcher(text).matches()) {
            return OptionalLong.empty();
        }
        boolean negative = text.charAt(0) == '-';
        String digits = text.substring(negative ? 1 : 0).replaceFirst("^0+(?=.)", "");
        if (digits.length() > MAX_DIGITS) {
            return OptionalLong.of(negative ? Long.MIN_VALUE : Long.MAX_VALUE);
        }
        long n = Long.parseLong(digits);
        return OptionalLong.of(negative ? -n : n);
    }

    /** A TCP port, 1..65535, in ASCII digits; -1 when {@code text} is anything else. */
    static int port(String text) {
        OptionalLong n = parse(text);
        return n.isPresent() && n.getAsLong() >= 1 && n.getAsLong() <= 65535 ? (int) n.getAsLong() : -1;
    }
}
