package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.Map;
import java.util.Set;

/**
 * Hears ARP on the VIP interfaces and sends ARP probes there: how a node sees who answers for a VIP. Frames whose
 * sender address is not a watched VIP are dropped where they are read, so other ARP traffic costs no more than the
 * read. The Linux implementation uses one AF_PACKET socket and thread per interface; tests use a fake.
 */
public interface ArpTap extends AutoCloseable {

    /** An ARP frame heard on {@code iface}, at {@code nanos} on the tap's monotonic clock. */
    record Heard(String iface, ArpFrame frame, long nanos) {}

    /**
     * From now on, listens on exactly these interfaces (name → the interface as rtnetlink reports it) for frames
     * whose sender address is one of the given VIP addresses; stops listening on the others. Interfaces that fail
     * to open are reported in the exception after the others were set up, and retried at the next call.
     */
    void listen(Map<NetInterface, Set<Inet4Address>> watched) throws IOException;

    /**
     * Sends an RFC 5227 ARP probe for {@code address} on {@code iface}: a broadcast request with this interface's
     * MAC as sender and 0.0.0.0 as sender address, so no neighbour cache learns anything from it, while every host
     * that has the address configured answers it.
     */
    void probe(String iface, Inet4Address address) throws IOException;

    @Override
    void close();
}
