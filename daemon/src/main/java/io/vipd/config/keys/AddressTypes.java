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

    /** An IPv4 address with the prefix length it is added with. */
    public record Cidr(Inet4Address address, int prefix) {
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

    /** A tcp check's target: anything before the last ':', and a port. */
    public static ValueType<HostPort> checkTarget() {
        String description = "host:port (example: 127.0.0.1:80)";
        return trimmed(description, Empty.PARSED, v -> {
            int colon = v.lastIndexOf(':');
            int port = colon > 0 ? AsciiNumbers.port(v.substring(colon + 1)) : -1;
            if (colon <= 0 || port < 0) {
                throw invalid("'" + v + "' is not " + description);
            }
            return new HostPort(v.substring(0, colon), port);
        });
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

    /** A VIP: an IPv4 host address of its subnet, with a prefix length; not loopback, multicast or reserved. */
    public static ValueType<Cidr> vipAddress() {
        return trimmed("an IPv4 address/prefix (example: 198.18.0.100/24)", Empty.PARSED, cidr -> {
            if (cidr.contains("::") || cidr.indexOf(':') >= 0) {
                throw invalid("'" + cidr + "': IPv6 VIPs are not supported yet");
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
}
