package io.vipd.host;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/**
 * Hears ARP and IPv6 neighbour discovery on the VIP interfaces and sends probes there: how a node sees who answers
 * for a VIP. Frames that claim no watched VIP are dropped where they are read, so other traffic costs no more than
 * the read. The Linux implementation uses per interface one AF_PACKET socket and thread for ARP (when it has IPv4
 * VIPs) and one for neighbour discovery (when it has IPv6 VIPs); tests use a fake.
 */
public interface NeighbourTap extends AutoCloseable {

    /** A frame heard on {@code iface}, at {@code nanos} on the tap's monotonic clock. */
    record Heard(String iface, NeighbourFrame frame, long nanos) {}

    /**
     * From now on, listens on exactly these interfaces (name → the interface as rtnetlink reports it) for frames
     * that claim one of the given VIP addresses; stops listening on the others. Interfaces that fail to open are
     * reported in the exception after the others were set up, and retried at the next call.
     */
    void listen(Map<NetInterface, Set<InetAddress>> watched) throws IOException;

    /**
     * Probes for {@code address} on {@code iface} in a way no neighbour cache learns from, while every host that
     * has the address configured answers: for IPv4 an RFC 5227 ARP probe (a broadcast request with this
     * interface's MAC and sender address 0.0.0.0), for IPv6 a duplicate address detection solicitation (from ::,
     * answered to all nodes).
     */
    void probe(String iface, InetAddress address) throws IOException;

    @Override
    void close();
}
