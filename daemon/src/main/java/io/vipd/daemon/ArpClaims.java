package io.vipd.daemon;

import io.vipd.config.VipSpec;
import io.vipd.host.ArpFrame;
import io.vipd.host.MacAddress;
import java.net.Inet4Address;
import java.util.List;
import java.util.function.Function;

/** Which VIP an ARP frame claims, if any: the pure classification the conflict watch starts from. */
final class ArpClaims {
    private ArpClaims() {}

    /**
     * The VIP {@code frame} claims, or null: a frame whose sender address is no VIP ({@code vips} finds the VIP
     * with an address, or null), or whose
     * sender MAC could not be anyone's (zero, broadcast, multicast), or that is neither request nor reply.
     */
    static ConflictWatch.Claim classify(ArpFrame frame, Function<Inet4Address, VipSpec> vips) {
        if (frame == null || frame.senderIp() == null || frame.senderMac() == null) {
            return null;
        }
        byte[] mac = frame.senderMac().bytes();
        if ((mac[0] & 1) != 0 || frame.senderMac().equals(MacAddress.ZERO)) {
            return null; // multicast or broadcast (low bit of the first octet), or unset: no host has it
        }
        String kind = frame.operation() == ArpFrame.REPLY ? "reply"
                : frame.operation() != ArpFrame.REQUEST ? null
                : frame.isGratuitous() ? "gratuitous ARP" : "request";
        if (kind == null) {
            return null;
        }
        VipSpec spec = vips.apply(frame.senderIp());
        return spec == null ? null : new ConflictWatch.Claim(spec, frame.senderMac(), kind);
    }

}
