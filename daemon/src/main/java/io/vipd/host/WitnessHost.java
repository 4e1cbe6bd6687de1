package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host of a witness: it holds no VIP, so vipd touches nothing on it (no netlink, no nftables, no raw sockets;
 * it needs no CAP_NET_* and no VIP interface). It sees no interfaces and no addresses, and refuses to add or
 * announce one: a witness that was asked to would be a bug, and refusing keeps the host out of it.
 */
public final class WitnessHost implements HostNetwork, Fence {
    private static final String REFUSAL = "this node is a witness (witnesses): it never holds a VIP";

    @Override
    public List<NetInterface> interfaces() {
        return List.of();
    }

    @Override
    public List<HostAddress> addresses() {
        return List.of();
    }

    @Override
    public void addAddress(String iface, java.net.InetAddress address, int prefix, int lifetimeSec) throws IOException {
        throw new IOException(REFUSAL);
    }

    @Override
    public void removeAddress(String iface, java.net.InetAddress address, int prefix) {
        // it never added one
    }

    @Override
    public void announce(String iface, java.net.InetAddress address) throws IOException {
        throw new IOException(REFUSAL);
    }

    @Override
    public void install(List<? extends java.net.InetAddress> vips) {
        // nothing to fence: nothing is ever added
    }

    @Override
    public void lease(Map<? extends java.net.InetAddress, Long> timeoutsMs) throws IOException {
        if (!timeoutsMs.isEmpty()) {
            throw new IOException(REFUSAL);
        }
    }

    @Override
    public void guard(List<? extends java.net.InetAddress> vips) {
        // as install
    }

    @Override
    public List<String> tables() {
        return List.of();
    }

    @Override
    public Set<String> ownTables() {
        return Set.of();
    }

    @Override
    public void remove() {
        // there is none
    }

    @Override
    public void close() {
        // nothing open
    }
}
