package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/** An in-memory host for tests: records every action, can be told to fail. */
public final class FakeHostNetwork implements HostNetwork {
    public final List<String> actions = new ArrayList<>();
    public final List<HostAddress> addresses = new ArrayList<>();
    public final List<NetInterface> interfaces = new ArrayList<>();
    public boolean failAdds;

    public FakeHostNetwork(String... ifaces) {
        for (int i = 0; i < ifaces.length; i++) {
            interfaces.add(new NetInterface(i + 2, ifaces[i], new MacAddress(new byte[] {2, 0, 0, 0, 0, (byte) i}),
                    true));
        }
    }

    @Override
    public List<NetInterface> interfaces() {
        return List.copyOf(interfaces);
    }

    @Override
    public List<HostAddress> addresses() {
        return List.copyOf(addresses);
    }

    @Override
    public void addAddress(String iface, java.net.InetAddress address, int prefix, int lifetimeSec) throws IOException {
        if (failAdds) {
            throw new IOException("simulated failure");
        }
        boolean present = addresses.stream().anyMatch(a -> a.address().equals(address));
        actions.add((present ? "refresh " : "add ") + address.getHostAddress() + "/" + prefix + " " + iface
                + " lifetime " + lifetimeSec);
        addresses.removeIf(a -> a.address().equals(address));
        addresses.add(new HostAddress(2, iface, address, prefix));
    }

    @Override
    public void removeAddress(String iface, java.net.InetAddress address, int prefix) {
        actions.add("remove " + address.getHostAddress() + "/" + prefix + " " + iface);
        addresses.removeIf(a -> a.address().equals(address) && a.iface().equals(iface));
    }

    @Override
    public void announce(String iface, java.net.InetAddress address) {
        actions.add("arp " + address.getHostAddress() + " " + iface);
    }

    @Override
    public void close() {}

    /** The nftables tables the fake fence lists; "install" puts vipd's own back. */
    public final List<String> tables = new ArrayList<>(List.of("arp vipd", "ip vipd"));

    /** A fence that records into the same action list, so tests see the order of address and fence changes. */
    public Fence fence() {
        return new Fence() {
            @Override
            public List<String> tables() {
                return List.copyOf(tables);
            }

            @Override
            public java.util.Set<String> ownTables() {
                return java.util.Set.of("arp vipd", "ip vipd");
            }

            @Override
            public void install(List<? extends java.net.InetAddress> vips) {
                actions.add("fence install " + vips.size());
                for (String own : ownTables()) {
                    if (!tables.contains(own)) {
                        tables.add(own);
                    }
                }
            }

            @Override
            public void lease(java.util.Map<? extends java.net.InetAddress, Long> timeoutsMs) {
                StringBuilder sb = new StringBuilder("fence");
                new java.util.TreeMap<String, Long>(timeoutsMs.entrySet().stream().collect(
                        java.util.stream.Collectors.toMap(e -> e.getKey().getHostAddress(), java.util.Map.Entry::getValue)))
                        .forEach((a, ms) -> sb.append(' ').append(a).append(' ').append(ms).append("ms"));
                actions.add(timeoutsMs.isEmpty() ? "fence closed" : sb.toString());
            }

            @Override
            public void guard(List<? extends java.net.InetAddress> vips) {
                actions.add("fence guard " + vips.stream().map(java.net.InetAddress::getHostAddress).sorted()
                        .toList());
            }

            @Override
            public void remove() {
                actions.add("fence removed");
            }

            @Override
            public void close() {}
        };
    }
}
