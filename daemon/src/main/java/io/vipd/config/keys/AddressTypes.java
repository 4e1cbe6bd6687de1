package io.vipd.config.keys;

import static io.vipd.config.keys.ValueTypes.invalid;
import static io.vipd.config.keys.ValueTypes.trimmed;

import io.vipd.config.AsciiNumbers;
import io.vipd.config.PeerHostRules;
import io.vipd.config.VipAddressRules;
import io.vipd.config.keys.ValueTypes.Empty;
import java.net.Inet4Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.OptionalLong;

/** The types of vipd.conf's values that are addresses: of peers, of VIPs, of what health checks reach. */
public final class AddressTypes {
    private AddressTypes() {
    }

    /** host:port as written (the host is not resolved). */
    public record HostPort(String host, int port) {
    }

    /** An IPv4 or IPv6 address with the prefix length it is added with. */
    public record Cidr(java.net.InetAddress address, int prefix) {
    }

    /** {@code peer.ID}'s value: an IPv4 address, a DNS name or a bracketed IPv6 address, and a port. */
    public static ValueType<HostPort> peerAddress() {
        return trimmed("host:port (example: 198.18.0.1:7400)", Empty.PARSED, v -> {
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || colon == v.length() - 1) {
                throw invalid("'" + v + "' is not host:port (example: 198.18.0.1:7400)");
            }
            String host = v.substring(0, colon);
            String portText = v.substring(colon + 1);
            if (AsciiNumbers.parse(portText).isEmpty()) {
                throw invalid("port in '" + v + "' is not a number (ASCII digits 0-9)");
            }
            int port = AsciiNumbers.port(portText);
            if (port < 0) {
                throw invalid("port " + portText + " is outside 1..65535");
            }
            if (AsciiNumbers.looksLikeIpv4(host) && AsciiNumbers.ipv4(host) == null) {
                throw invalid("'" + host + "' is not a valid IPv4 address");
            }
            Optional<String> hostProblem = PeerHostRules.problem(host);
            if (hostProblem.isPresent()) {
                throw invalid(hostProblem.get());
            }
            return new HostPort(host, port);
        });
    }

    /**
     * A tcp check's target: anything before the last ':', and a port. An IPv6 address is written in brackets
     * ({@code [2001:db8::1]:80}), as in a URL: without them, where the address ends and the port begins is a guess.
     */
    public static ValueType<HostPort> checkTarget() {
        String description = "host:port (example: 127.0.0.1:80, [2001:db8::1]:80)";
        return trimmed(description, Empty.PARSED, v -> {
            HostPort split = split(v, description);
            String host = split.host();
            int port = split.port();
            if (host.startsWith("[") != host.endsWith("]") || !host.startsWith("[") && host.contains(":")) {
                throw invalid("'" + v + "' is not " + description + ": an IPv6 address needs brackets");
            }
            if (host.startsWith("[") && !isIpv6Literal(host.substring(1, host.length() - 1))) {
                throw invalid("'" + host + "' in '" + v + "' is not a valid IPv6 address");
            }
            return new HostPort(host, port);
        });
    }

    /**
     * An address to listen on: an IPv4 address or a bracketed IPv6 address (no name: a listener binds to an address
     * of this host), and a port.
     */
    public static ValueType<HostPort> listenAddress() {
        String description = "address:port (example: 0.0.0.0:9460, 127.0.0.1:9460, [::]:9460)";
        return trimmed(description, Empty.PARSED, v -> {
            HostPort split = split(v, description);
            String host = split.host();
            int port = split.port();
            boolean v6 = host.startsWith("[") && host.endsWith("]") && isIpv6Literal(host.substring(1,
                    host.length() - 1));
            if (!v6 && AsciiNumbers.ipv4(host) == null) {
                throw invalid("'" + host + "' in '" + v + "' is not an IPv4 address or a bracketed IPv6 address");
            }
            return new HostPort(host, port);
        });
    }

    /** Everything before the last ':' and the port after it; refused unless both are there. */
    private static HostPort split(String v, String description) throws ValueType.InvalidValue {
        int colon = v.lastIndexOf(':');
        int port = colon > 0 ? AsciiNumbers.port(v.substring(colon + 1)) : -1;
        if (colon <= 0 || port < 0) {
            throw invalid("'" + v + "' is not " + description);
        }
        return new HostPort(v.substring(0, colon), port);
    }

    /** Whether {@code text} is an IPv6 address literal (no zone, nothing looked up). */
    private static boolean isIpv6Literal(String text) {
        if (text.isEmpty() || !text.chars().allMatch(ch -> ch == ':' || ch == '.' || Character.digit(ch, 16) >= 0)) {
            return false; // InetAddress would otherwise look a name up
        }
        try {
            return java.net.InetAddress.getByName(text) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** An http:// URL with a host. */
    public static ValueType<URI> httpUrl() {
        return trimmed("an http:// URL (example: http://127.0.0.1/health)", Empty.PARSED, v -> {
            URI url;
            try {
                url = new URI(v);
            } catch (URISyntaxException ex) {
                throw invalid("'" + v + "' is not a URL: " + ex.getReason());
            }
            if (!"http".equals(url.getScheme()) || url.getHost() == null) {
                throw invalid("'" + v + "' must be an http:// URL with a host (https is not supported yet)");
            }
            return url;
        });
    }

    /**
     * A VIP: an IPv4 or IPv6 host address of its subnet, with a prefix length; not loopback, multicast, link-local
     * or reserved.
     */
    public static ValueType<Cidr> vipAddress() {
        return trimmed("an IPv4 or IPv6 address/prefix (example: 198.18.0.100/24, 2001:db8::100/64)", Empty.PARSED,
                cidr -> {
            if (cidr.indexOf(':') >= 0) {
                return ipv6Vip(cidr);
            }
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw invalid("'" + cidr + "' has no prefix length (example: 198.18.0.100/24)");
            }
            Inet4Address address = AsciiNumbers.ipv4(cidr.substring(0, slash));
            if (address == null) {
                throw invalid("'" + cidr.substring(0, slash) + "' is not a valid IPv4 address");
            }
            String prefixText = cidr.substring(slash + 1);
            OptionalLong prefix = AsciiNumbers.parse(prefixText);
            if (prefix.isEmpty()) {
                throw invalid("prefix length in '" + cidr + "' is not a number (ASCII digits 0-9)");
            }
            if (prefix.getAsLong() < 1 || prefix.getAsLong() > 32) {
                throw invalid("prefix length " + prefixText + " is outside 1..32");
            }
            byte first = address.getAddress()[0];
            if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isMulticastAddress()
                    || first == 0 || (first & 0xff) >= 240) {
                throw invalid(address.getHostAddress() + " cannot be a VIP (loopback, multicast, unspecified or "
                        + "reserved)");
            }
            Optional<String> subnetProblem = VipAddressRules.problem(address, (int) prefix.getAsLong());
            if (subnetProblem.isPresent()) {
                throw invalid(subnetProblem.get());
            }
            return new Cidr(address, (int) prefix.getAsLong());
        });
    }

    private static final java.util.regex.Pattern IPV6_TEXT = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /** An IPv6 VIP: a global or unique-local host address of its prefix, written as a literal (no zone, no name). */
    private static Cidr ipv6Vip(String cidr) throws ValueType.InvalidValue {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw invalid("'" + cidr + "' has no prefix length (example: 2001:db8::100/64)");
        }
        String text = cidr.substring(0, slash);
        java.net.InetAddress parsed = null;
        if (IPV6_TEXT.matcher(text).matches()) {
            try {
                parsed = java.net.InetAddress.getByName(text); // a literal: no name is looked up
            } catch (java.net.UnknownHostException e) {
                parsed = null;
            }
        }
        if (!(parsed instanceof java.net.Inet6Address address)) {
            throw invalid("'" + text + "' is not a valid IPv6 address");
        }
        String prefixText = cidr.substring(slash + 1);
        OptionalLong prefix = AsciiNumbers.parse(prefixText);
        if (prefix.isEmpty()) {
            throw invalid("prefix length in '" + cidr + "' is not a number (ASCII digits 0-9)");
        }
        if (prefix.getAsLong() < 1 || prefix.getAsLong() > 128) {
            throw invalid("prefix length " + prefixText + " is outside 1..128");
        }
        String shown = io.vipd.config.AddressText.of(address);
        if (address.isLinkLocalAddress()) {
            throw invalid(shown + " is link-local (fe80::/10): every interface has its own such addresses, and "
                    + "clients reach a VIP through the routers of its prefix; use a global or unique-local address");
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isMulticastAddress()
                || address.isIPv4CompatibleAddress()) {
            throw invalid(shown + " cannot be a VIP (loopback, multicast, unspecified or IPv4-compatible)");
        }
        int bits = (int) prefix.getAsLong();
        if (bits < 127 && hostBitsZero(address.getAddress(), bits)) {
            throw invalid(shown + "/" + bits + " is the subnet-router anycast address of its prefix (all host bits 0, "
                    + "RFC 4291); a VIP must be a host address");
        }
        return new Cidr(address, bits);
    }

    private static boolean hostBitsZero(byte[] a, int prefix) {
        for (int bit = prefix; bit < 128; bit++) {
            if ((a[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }
}
