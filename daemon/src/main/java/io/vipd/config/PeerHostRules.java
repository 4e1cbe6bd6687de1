package io.vipd.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The host part of {@code peer.ID = host:port}: an IPv4 address, a DNS name, or an IPv6 address in brackets, all in
 * ASCII. Anything else (a name in another script, digits of another script that look like an address, spaces) is a
 * mistake that would only show up as a peer nobody can reach.
 */
public final class PeerHostRules {
    private static final String LABEL = "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";
    private static final Pattern DNS_NAME = Pattern.compile("(?=.{1,253}$)" + LABEL + "(\\." + LABEL + ")*\\.?");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]{2,45}\\]");

    private PeerHostRules() {
    }

    /** @param host what stands before the last ':' of the value */
    public static Optional<String> problem(String host) {
        if (AsciiNumbers.ipv4(host) != null) {
            return Optional.empty();
        }
        if (host.startsWith("[")) {
            return BRACKETED_IPV6.matcher(host).matches() ? Optional.empty()
                    : Optional.of("'" + host + "' is not an IPv6 address in brackets");
        }
        if (host.indexOf(':') >= 0) {
            return Optional.of("'" + host + "' is not an IPv4 address or a host name (an IPv6 address needs "
                    + "brackets: [" + host + "]:port)");
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            return Optional.of("'" + host + "' is not an IPv4 address (four numbers 0-255, e.g. 198.18.0.1)");
        }
        if (!DNS_NAME.matcher(host).matches()) {
            return Optional.of("'" + host + "' is not an IPv4 address or a host name (ASCII letters, digits, '-' "
                    + "and '.')");
        }
        return Optional.empty();
    }
}
