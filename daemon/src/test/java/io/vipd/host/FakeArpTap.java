package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** An {@link ArpTap} that records what it was told to listen on and the probes it sent. */
public final class FakeArpTap implements ArpTap {
    public final Map<String, Set<Inet4Address>> listening = new TreeMap<>();
    public final List<String> probes = new ArrayList<>();
    public boolean failProbes;

    @Override
    public void listen(Map<NetInterface, Set<Inet4Address>> watched) {
        listening.clear();
        watched.forEach((i, vips) -> listening.put(i.name(), Set.copyOf(vips)));
    }

    @Override
    public void probe(String iface, Inet4Address address) throws IOException {
        if (failProbes) {
            throw new IOException("simulated failure");
        }
        probes.add(address.getHostAddress() + " " + iface);
    }

    @Override
    public void close() {
        listening.clear();
    }
}
