package io.vipd.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ArpTap} on Linux: per interface an AF_PACKET socket bound to ARP and a thread that reads it. A socket bound
 * to one protocol sees frames the host receives, not the ones it sends, so a node never hears itself.
 */
public final class LinuxArpTap implements ArpTap {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxArpTap.class);
    /** How long a read waits, so a closing tap's threads end promptly. */
    private static final long READ_TIMEOUT_MS = 250;
    /** Frames handed on per interface per second at most: a broadcast storm must not flood the agent. */
    static final int MAX_FRAMES_PER_SECOND = 500;
    private static final Inet4Address UNSPECIFIED;

    static {
        try {
            UNSPECIFIED = (Inet4Address) InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Consumer<Heard> sink;
    private final LongSupplier nanos;
    private final Map<String, Listener> listeners = new HashMap<>();

    /** @param sink gets frames on the tap's threads; must not block */
    public LinuxArpTap(Consumer<Heard> sink, LongSupplier nanos) {
        this.sink = sink;
        this.nanos = nanos;
    }

    private final class Listener implements Runnable {
        final NetInterface iface;
        final PacketSocket socket;
        final Thread thread;
        volatile Set<Inet4Address> vips;
        volatile boolean closed;
        long windowStart;
        int inWindow;

        Listener(NetInterface iface, PacketSocket socket, Set<Inet4Address> vips) {
            this.iface = iface;
            this.socket = socket;
            this.vips = vips;
            this.thread = new Thread(this, "vipd-arp-" + iface.name());
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
                ArpFrame frame;
                try {
                    frame = socket.receive(buffer);
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warn("stopped listening for ARP on {}: {}", iface.name(), e.getMessage());
                    }
                    return;
                }
                if (frame == null || !vips.contains(frame.senderIp())) {
                    continue;
                }
                long now = nanos.getAsLong();
                if (now - windowStart > 1_000_000_000L) {
                    windowStart = now;
                    inWindow = 0;
                }
                if (++inWindow <= MAX_FRAMES_PER_SECOND) {
                    sink.accept(new Heard(iface.name(), frame, now));
                }
            }
        }

        /** Ends the reading thread within one read timeout; a stop does not wait for it. */
        void close() {
            closed = true;
        }
    }

    @Override
    public synchronized void listen(Map<NetInterface, Set<Inet4Address>> watched) throws IOException {
        Map<String, NetInterface> wanted = new HashMap<>();
        watched.keySet().forEach(i -> wanted.put(i.name(), i));
        listeners.entrySet().removeIf(e -> {
            NetInterface now = wanted.get(e.getKey());
            boolean stale = now == null || now.index() != e.getValue().iface.index();
            if (stale) {
                e.getValue().close();
            }
            return stale;
        });
        IOException failed = null;
        for (Map.Entry<NetInterface, Set<Inet4Address>> e : watched.entrySet()) {
            Set<Inet4Address> vips = Set.copyOf(e.getValue());
            Listener existing = listeners.get(e.getKey().name());
            if (existing != null) {
                existing.vips = vips;
                continue;
            }
            try {
                PacketSocket socket = PacketSocket.open(e.getKey().index(), true, READ_TIMEOUT_MS);
                Listener l = new Listener(e.getKey(), socket, vips);
                listeners.put(e.getKey().name(), l);
                l.thread.start();
                LOG.info("listening for ARP that claims a VIP on {}", e.getKey().name());
            } catch (IOException ex) {
                failed = new IOException("cannot listen for ARP on " + e.getKey().name() + ": " + ex.getMessage(), ex);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public synchronized void probe(String iface, Inet4Address address) throws IOException {
        Listener l = listeners.get(iface);
        if (l == null || l.iface.mac() == null) {
            throw new IOException("not listening on " + iface + ": cannot probe " + address.getHostAddress());
        }
        l.socket.send(ArpFrame.request(l.iface.mac(), UNSPECIFIED, address));
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(Listener::close);
        listeners.clear();
    }
}
