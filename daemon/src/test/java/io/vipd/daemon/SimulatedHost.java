package io.vipd.daemon;

import io.vipd.host.Fence;
import io.vipd.host.HostAddress;
import io.vipd.host.HostNetwork;
import io.vipd.host.MacAddress;
import io.vipd.host.NetInterface;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A host as the simulation sees it, under the real {@link HostActuator}: addresses that the kernel deletes when
 * their lifetime ends unless refreshed, and the fence that lets a VIP be answered only until the deadline the lease
 * gave it, on the node's own (drifting) clock. A VIP is answered while both say so.
 */
final class SimulatedHost implements HostNetwork, Fence {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MS = 1_000_000L;

    private final LongSupplier clock;
    private final Map<java.net.InetAddress, Long> addressExpires = new HashMap<>();
    private final Map<java.net.InetAddress, Long> fenceOpenUntil = new HashMap<>();

    SimulatedHost(LongSupplier clock) {
        this.clock = clock;
    }

    /** Whether this host answers ARP for {@code address} now: it carries it and the fence lets it through. */
    boolean answers(java.net.InetAddress address) {
        long now = clock.getAsLong();
        Long expires = addressExpires.get(address);
        Long open = fenceOpenUntil.get(address);
        return expires != null && now - expires < 0 && open != null && now - open < 0;
    }

    @Override
    public List<NetInterface> interfaces() {
        return List.of(new NetInterface(2, "eth0", new MacAddress(new byte[] {2, 0, 0, 0, 0, 1}), true));
    }

    @Override
    public List<HostAddress> addresses() {
        long now = clock.getAsLong();
        List<HostAddress> out = new ArrayList<>();
        addressExpires.forEach((a, expires) -> {
            if (now - expires < 0) {
                out.add(new HostAddress(2, "eth0", a, 24));
            }
        });
        return out;
    }

    @Override
    public void addAddress(String iface, java.net.InetAddress address, int prefix, int lifetimeSec) {
        addressExpires.put(address, clock.getAsLong() + lifetimeSec * NANOS_PER_SECOND);
    }

    @Override
    public void removeAddress(String iface, java.net.InetAddress address, int prefix) {
        addressExpires.remove(address);
    }

    @Override
    public void announce(String iface, java.net.InetAddress address) {
        // what the simulation checks is who answers, not who announced
    }

    @Override
    public void install(List<? extends java.net.InetAddress> vips) {
        fenceOpenUntil.clear();
    }

    @Override
    public void lease(Map<? extends java.net.InetAddress, Long> timeoutsMs) {
        long now = clock.getAsLong();
        fenceOpenUntil.clear();
        timeoutsMs.forEach((a, ms) -> fenceOpenUntil.put(a, now + ms * NANOS_PER_MS));
    }

    @Override
    public void guard(List<? extends java.net.InetAddress> vips) {
        fenceOpenUntil.keySet().retainAll(vips);
    }

    @Override
    public void remove() {
        fenceOpenUntil.clear();
    }

    @Override
    public List<String> tables() {
        return List.of("arp vipd", "ip vipd"); // the simulation does not model a flushed ruleset
    }

    @Override
    public java.util.Set<String> ownTables() {
        return java.util.Set.of("arp vipd", "ip vipd");
    }

    @Override
    public void close() {}
}
