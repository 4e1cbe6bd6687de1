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

    /** Every IPv4 address on every interface. */
    List<HostAddress> addresses() throws IOException;

    /**
     * Adds {@code address/prefix} on {@code iface}, or refreshes it. The kernel deletes it by itself after
     * {@code lifetimeSec} seconds without a refresh, so an address outlives a dead daemon only briefly.
     */
    void addAddress(String iface, Inet4Address address, int prefix, int lifetimeSec) throws IOException;

    /** Removes {@code address/prefix} from {@code iface}; removing an absent address is not an error. */
    void removeAddress(String iface, Inet4Address address, int prefix) throws IOException;

    /** Sends one gratuitous ARP for {@code address} from {@code iface}'s MAC address. */
    void announce(String iface, Inet4Address address) throws IOException;

    @Override
    void close();
}
