package io.vipd.host;

import java.net.InetAddress;

/**
 * A frame of address resolution heard on a VIP interface, ARP (IPv4) or neighbour discovery (IPv6), seen the way
 * the conflict watch reads it: which address the sender says it has, with which MAC.
 */
public sealed interface NeighbourFrame permits ArpFrame, NdpFrame {

    /**
     * The address the sender claims to have, or null when the frame claims none: ARP's sender address (null for
     * an RFC 5227 probe, whose sender address is 0.0.0.0), an advertisement's target, a solicitation's source
     * address (null for a duplicate address detection probe, whose source is ::).
     */
    InetAddress claimedAddress();

    /** The MAC that neighbour caches learn for {@link #claimedAddress()} from this frame. */
    MacAddress claimedBy();

    /** What kind of frame this is, for operators ("reply", "neighbour advertisement"...), or null if none we read. */
    String kind();
}
