package io.vipd.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Whole numbers as vipd.conf writes them: ASCII digits 0-9, with an optional leading minus.
 *
 * <p>{@link Integer#parseInt} also accepts a leading {@code +} and the digits of every other script (Arabic-Indic
 * {@code ٣}, fullwidth {@code ３}, ...), so a value that reads as one number to an operator could be another to a
 * reviewer, a diff or a grep. Every number in the file is parsed here instead.
 */
public final class AsciiNumbers {
    /** {@code [0-9]} in a Java pattern is ASCII only (unlike {@link Character#isDigit}). */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]+");
    /** More significant digits than a long holds: such a value is only ever "too large". */
    private static final int MAX_DIGITS = 18;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private AsciiNumbers() {
    }

    /**
     * @return the number; one with more than 18 significant digits as {@link Long#MAX_VALUE} (or
     *         {@link Long#MIN_VALUE} when negative), so that a range check rejects it as out of range rather than as
     *         not a number; empty when {@code text} is not a whole number in ASCII digits
     */
    public static OptionalLong parse(String text) {
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
    public static int port(String text) {
        OptionalLong n = parse(text);
        return n.isPresent() && n.getAsLong() >= 1 && n.getAsLong() <= 65535 ? (int) n.getAsLong() : -1;
    }

    /** Whether {@code text} is written like an IPv4 address: four groups of 1 to 3 ASCII digits (valid or not). */
    public static boolean looksLikeIpv4(String text) {
        return IPV4.matcher(text).matches();
    }

    /** A dotted-quad IPv4 address in ASCII digits, each number 0..255; null when {@code text} is anything else. */
    public static Inet4Address ipv4(String text) {
        if (!looksLikeIpv4(text)) {
            return null;
        }
        byte[] b = new byte[4];
        String[] parts = text.split("\\.");
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
