package io.vipd.testbed;

import io.vipd.host.MacAddress;
import io.vipd.host.NdpFrame;
import io.vipd.host.PacketSocket;
import java.io.IOException;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The IPv6 counterpart of the {@link ArpReferee}: from the client namespace, asks who has each IPv6 VIP every
 * {@code intervalMs} (a neighbour solicitation to the VIP's solicited-node address) and records every neighbour
 * advertisement for a VIP, answers and unsolicited ones alike, with the request round it arrived in. The MAC is the
 * advertisement's target link-layer address (the frame's source when the option is absent). Its observations are
 * {@link ArpReferee.Observation}s, so the same checks apply.
 */
public final class NdpReferee implements AutoCloseable {
    private final List<Inet6Address> vips;
    private final List<ArpReferee.Observation> observations = new ArrayList<>();
    private final AtomicLong round = new AtomicLong();
    private volatile boolean running = true;
    private final Thread sender;
    private final Thread receiver;
    private volatile Throwable failure;

    public NdpReferee(String namespace, int ifindex, MacAddress mac, Inet6Address clientIp, List<Inet6Address> vips,
                      long intervalMs) throws IOException {
        this.vips = List.copyOf(vips);
        PacketSocket socket = Netns.call(namespace, () -> PacketSocket.openNeighbourDiscovery(ifindex, 100));
        PacketSocket tx = Netns.call(namespace, () -> PacketSocket.open(ifindex, false, 0));
        receiver = new Thread(() -> {
            byte[] buf = new byte[2048];
            try (socket) {
                while (running) {
                    int n = socket.receiveFrame(buf);
                    NdpFrame f = n < 0 ? null : NdpFrame.decode(buf, n);
                    if (f == null || f.type() != NdpFrame.ADVERTISEMENT || !this.vips.contains(f.target())
                            || f.source().equals(mac)) {
                        continue;
                    }
                    MacAddress who = f.linkLayer() != null ? f.linkLayer() : f.source();
                    boolean unsolicited = (f.flags() & NdpFrame.FLAG_SOLICITED) == 0;
                    synchronized (observations) {
                        observations.add(new ArpReferee.Observation(System.nanoTime(), round.get(), f.target(), who,
                                unsolicited));
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }, "ndp-referee-rx");
        sender = new Thread(() -> {
            try (tx) {
                while (running) {
                    round.incrementAndGet();
                    for (Inet6Address vip : this.vips) {
                        byte[] frame = NdpFrame.solicitation(mac, clientIp, vip);
                        byte[] dst = new byte[6];
                        System.arraycopy(frame, 0, dst, 0, 6);
                        tx.send(frame, new MacAddress(dst));
                    }
                    Thread.sleep(intervalMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure = e;
            }
        }, "ndp-referee-tx");
        receiver.setDaemon(true);
        sender.setDaemon(true);
        receiver.start();
        sender.start();
    }

    public List<ArpReferee.Observation> observations() {
        if (failure != null) {
            throw new IllegalStateException("NDP referee failed", failure);
        }
        synchronized (observations) {
            return List.copyOf(observations);
        }
    }

    /** The observations from {@code nanos} on. */
    public List<ArpReferee.Observation> since(long nanos) {
        return observations().stream().filter(o -> o.nanos() - nanos >= 0).toList();
    }

    /** The host answering {@code vip} alone in the last 300 ms, as one MAC, or null. */
    public MacAddress answering(Inet6Address vip) {
        List<MacAddress> macs = ArpReferee.answerers(since(System.nanoTime() - 300_000_000L), vip);
        return macs.size() == 1 ? macs.get(0) : null;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.interrupt();
        sender.join(2000);
        receiver.join(2000);
    }
}
