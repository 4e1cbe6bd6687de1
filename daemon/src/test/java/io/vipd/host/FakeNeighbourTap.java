package io.vipd.host;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A {@link NeighbourTap} that records what it was told to listen on and the probes it sent. */
public final class FakeNeighbourTap implements NeighbourTap {
    public final Map<String, Set<InetAddress>> listening = new TreeMap<>();
    public final List<String> probes = new ArrayList<>();
    public boolean failProbes;

    @Override
    public void listen(Map<NetInterface, Set<InetAddress>> watched) {
        listening.clear();
        watched.forEach((i, vips) -> listening.put(i.name(), Set.copyOf(vips)));
    }

    @Override
    public void probe(String iface, InetAddress address) throws IOException {
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
