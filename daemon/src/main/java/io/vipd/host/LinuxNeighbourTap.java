package io.vipd.host;

import io.vipd.config.AddressText;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NeighbourTap} on Linux: per interface and address family an AF_PACKET socket (bound to ARP, or to IPv6
 * with a filter that passes only neighbour discovery) and a thread that reads it. A socket bound to one protocol
 * sees frames the host receives, not the ones it sends, so a node never hears itself.
 */
public final class LinuxNeighbourTap implements NeighbourTap {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxNeighbourTap.class);
    /** How long a read waits, so a closing tap's threads end promptly. */
    private static final long READ_TIMEOUT_MS = 250;
    /** Frames handed on per socket per second at most: a broadcast storm must not flood the agent. */
    static final int MAX_FRAMES_PER_SECOND = 500;
    private static final Inet4Address UNSPECIFIED;

    static {
        try {
            UNSPECIFIED = (Inet4Address) InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The two kinds of socket: what each opens and reads. */
    private enum Family {
        ARP("ARP"), NDP("neighbour discovery");

        final String label;

        Family(String label) {
            this.label = label;
        }

        static Family of(InetAddress address) {
            return address instanceof Inet6Address ? NDP : ARP;
        }

        PacketSocket open(int ifindex) throws IOException {
            return this == ARP ? PacketSocket.open(ifindex, true, READ_TIMEOUT_MS)
                    : PacketSocket.openNeighbourDiscovery(ifindex, READ_TIMEOUT_MS);
        }

        NeighbourFrame receive(PacketSocket socket, byte[] buffer) throws IOException {
            return this == ARP ? socket.receive(buffer) : socket.receiveNdp(buffer);
        }
    }

    private final Consumer<Heard> sink;
    private final LongSupplier nanos;
    /** "iface/ARP" or "iface/NDP" → its listener. */
    private final Map<String, Listener> listeners = new HashMap<>();

    /** @param sink gets frames on the tap's threads; must not block */
    public LinuxNeighbourTap(Consumer<Heard> sink, LongSupplier nanos) {
        this.sink = sink;
        this.nanos = nanos;
    }

    private final class Listener implements Runnable {
        final NetInterface iface;
        final Family family;
        final PacketSocket socket;
        final Thread thread;
        volatile Set<InetAddress> vips;
        volatile boolean closed;
        long windowStart;
        int inWindow;
        long lastErrorLogged;

        Listener(NetInterface iface, Family family, PacketSocket socket, Set<InetAddress> vips) {
            this.iface = iface;
            this.family = family;
            this.socket = socket;
            this.vips = vips;
            this.thread = new Thread(this, "vipd-" + family.name().toLowerCase() + "-" + iface.name());
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                read();
            } finally {
                socket.close(); // here, not in close(): this thread may be inside recv on it until its timeout
            }
        }

        private void read() {
            byte[] buffer = new byte[2048];
            while (!closed) {
                NeighbourFrame frame;
                try {
                    frame = family.receive(socket, buffer);
                } catch (RuntimeException e) {
                    long now = nanos.getAsLong();
                    if (now - lastErrorLogged > 60_000_000_000L || lastErrorLogged == 0) {
                        lastErrorLogged = now;
                        LOG.error("cannot read a frame on {}; dropped (logged at most once a minute): {}",
                                iface.name(), e.toString());
                    }
                    continue; // a frame the decoder did not expect must not end the watch
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warn("stopped listening for {} on {}: {}", family.label, iface.name(), e.getMessage());
                    }
                    return;
                }
                InetAddress claimed = frame == null ? null : frame.claimedAddress();
                if (claimed == null || !vips.contains(claimed)) { // immutable sets refuse to look up null
                    continue;
                }
                long now = nanos.getAsLong();
                if (now - windowStart > 1_000_000_000L) {
                    windowStart = now;
                    inWindow = 0;
                }
                if (++inWindow <= MAX_FRAMES_PER_SECOND) {
                    try {
                        sink.accept(new Heard(iface.name(), frame, now));
                    } catch (RuntimeException e) {
                        LOG.debug("a frame heard on {} was not taken: {}", iface.name(), e.toString()); // stopping
                    }
                }
            }
        }

        /** Ends the reading thread within one read timeout; a stop does not wait for it. */
        void close() {
            closed = true;
        }
    }

    @Override
    public synchronized void listen(Map<NetInterface, Set<InetAddress>> watched) throws IOException {
        Map<String, NetInterface> wanted = new HashMap<>();
        Map<String, Set<InetAddress>> vipsByKey = new HashMap<>();
        watched.forEach((i, vips) -> vips.forEach(vip -> {
            String key = i.name() + "/" + Family.of(vip);
            wanted.put(key, i);
            vipsByKey.computeIfAbsent(key, k -> new HashSet<>()).add(vip);
        }));
        listeners.entrySet().removeIf(e -> {
            NetInterface now = wanted.get(e.getKey());
            boolean stale = now == null || now.index() != e.getValue().iface.index();
            if (stale) {
                e.getValue().close();
            }
            return stale;
        });
        IOException failed = null;
        for (Map.Entry<String, NetInterface> e : wanted.entrySet()) {
            Set<InetAddress> vips = Set.copyOf(vipsByKey.get(e.getKey()));
            Listener existing = listeners.get(e.getKey());
            if (existing != null) {
                existing.vips = vips;
                continue;
            }
            Family family = Family.of(vips.iterator().next());
            NetInterface iface = e.getValue();
            try {
                Listener l = new Listener(iface, family, family.open(iface.index()), vips);
                listeners.put(e.getKey(), l);
                l.thread.start();
                LOG.info("listening for {} that claims a VIP on {}", family.label, iface.name());
            } catch (IOException ex) {
                failed = new IOException("cannot listen for " + family.label + " on " + iface.name() + ": "
                        + ex.getMessage(), ex);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public synchronized void probe(String iface, InetAddress address) throws IOException {
        Family family = Family.of(address);
        Listener l = listeners.get(iface + "/" + family);
        if (l == null || l.iface.mac() == null) {
            throw new IOException("not listening for " + family.label + " on " + iface + ": cannot probe "
                    + AddressText.of(address));
        }
        if (address instanceof Inet6Address v6) {
            byte[] frame = NdpFrame.duplicateAddressProbe(l.iface.mac(), v6);
            l.socket.send(frame, new MacAddress(java.util.Arrays.copyOf(frame, 6)));
        } else {
            l.socket.send(ArpFrame.request(l.iface.mac(), UNSPECIFIED, (Inet4Address) address));
        }
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(Listener::close);
        listeners.clear();
    }
}
