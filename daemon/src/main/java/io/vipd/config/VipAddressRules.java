package io.vipd.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * A VIP must be a host address of the subnet it is added with. Its network address (all host bits 0) and broadcast
 * address (all 1) are not: neighbours treat them as the subnet itself or as "everyone", so the VIP would answer for
 * nothing, or for broadcasts. A /31 (RFC 3021) and a /32 have no network or broadcast address; both their addresses
 * are usable.
 */
public final class VipAddressRules {
    private VipAddressRules() {
    }

    public static Optional<String> problem(Inet4Address address, int prefixLength) {
        if (prefixLength >= 31) {
            return Optional.empty();
        }
        int value = toInt(address);
        int hostMask = (int) ((1L << (32 - prefixLength)) - 1);
        int network = value & ~hostMask;
        int broadcast = network | hostMask;
        String cidr = address.getHostAddress() + "/" + prefixLength;
        String usable = "; a VIP must be a host address (" + fromInt(network + 1) + " to " + fromInt(broadcast - 1)
                + ")";
        if (value == network) {
            return Optional.of(address.getHostAddress() + " is the network address of " + cidr + usable);
        }
        if (value == broadcast) {
            return Optional.of(address.getHostAddress() + " is the broadcast address of " + cidr + usable);
        }
        return Optional.empty();
    }

    private static int toInt(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static String fromInt(int value) {
        byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }
}
