package io.vipd.daemon;

import io.vipd.config.VipSpec;
import io.vipd.host.MacAddress;
import io.vipd.host.NeighbourFrame;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * Which VIP an ARP or neighbour discovery frame claims, if any: the pure classification the conflict watch starts
 * from.
 */
final class NeighbourClaims {
    private NeighbourClaims() {}

    /**
     * The VIP {@code frame} claims, or null: a frame that claims no address (a probe) or an address that is no VIP
     * ({@code vips} finds the VIP with an address, or null), whose MAC could not be anyone's (zero, broadcast,
     * multicast), or of a kind this watch does not read.
     */
    static ConflictWatch.Claim classify(NeighbourFrame frame, Function<InetAddress, VipSpec> vips) {
        if (frame == null || frame.claimedAddress() == null || frame.claimedBy() == null || frame.kind() == null) {
            return null;
        }
        MacAddress by = frame.claimedBy();
        if ((by.bytes()[0] & 1) != 0 || by.equals(MacAddress.ZERO)) {
            return null; // multicast or broadcast (low bit of the first octet), or unset: no host has it
        }
        VipSpec spec = vips.apply(frame.claimedAddress());
        return spec == null ? null : new ConflictWatch.Claim(spec, by, frame.kind());
    }
}
