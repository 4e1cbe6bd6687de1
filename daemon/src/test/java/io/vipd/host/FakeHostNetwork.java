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
    public void addAddress(String iface, Inet4Address address, int prefix) throws IOException {
        if (failAdds) {
            throw new IOException("simulated failure");
        }
        actions.add("add " + address.getHostAddress() + "/" + prefix + " " + iface);
        addresses.removeIf(a -> a.address().equals(address));
        addresses.add(new HostAddress(2, iface, address, prefix));
    }

    @Override
    public void removeAddress(String iface, Inet4Address address, int prefix) {
        actions.add("remove " + address.getHostAddress() + "/" + prefix + " " + iface);
        addresses.removeIf(a -> a.address().equals(address) && a.iface().equals(iface));
    }

    @Override
    public void announce(String iface, Inet4Address address) {
        actions.add("arp " + address.getHostAddress() + " " + iface);
    }

    @Override
    public void close() {}
}
