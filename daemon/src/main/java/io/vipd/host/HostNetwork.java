package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;

/**
 * Everything vipd does to the host's network, and nothing more. The Linux implementation talks rtnetlink and
 * AF_PACKET through JNR-FFI; tests use a fake. Implementations need not be thread-safe: the daemon calls them from
 * one thread.
 */
public interface HostNetwork extends AutoCloseable {
    List<NetInterface> interfaces() throws IOException;

    /** Every IPv4 and IPv6 address on every interface. */
    List<HostAddress> addresses() throws IOException;

    /**
     * Adds {@code address/prefix} on {@code iface}, or refreshes it. The kernel deletes it by itself after
     * {@code lifetimeSec} seconds without a refresh, so an address outlives a dead daemon only briefly.
     */
    void addAddress(String iface, java.net.InetAddress address, int prefix, int lifetimeSec) throws IOException;

    /** Removes {@code address/prefix} from {@code iface}; removing an absent address is not an error. */
    void removeAddress(String iface, java.net.InetAddress address, int prefix) throws IOException;

    /**
     * Announces {@code address} from {@code iface}'s MAC address: one gratuitous ARP for an IPv4 address, one
     * unsolicited neighbour advertisement (override flag set) for an IPv6 one.
     */
    void announce(String iface, java.net.InetAddress address) throws IOException;

    @Override
    void close();
}
