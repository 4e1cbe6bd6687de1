package io.vipd.testbed;

import io.vipd.host.ArpFrame;
import io.vipd.host.MacAddress;
import io.vipd.host.PacketSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ground truth for "exactly one MAC answers": from the client namespace, asks who has each VIP every 50 ms and
 * records every ARP reply and every gratuitous ARP for a VIP, with the request round it answers.
 */
public final class ArpReferee implements AutoCloseable {
    /**
     * One ARP frame (or, from the {@link NdpReferee}, neighbour advertisement) seen for a VIP. {@code round} is the
     * newest request round sent before it arrived; {@code gratuitous}: not an answer to the referee's request.
     */
    public record Observation(long nanos, long round, java.net.InetAddress vip, MacAddress mac, boolean gratuitous) {}

    private final List<Inet4Address> vips;
    private final List<Observation> observations = new ArrayList<>();
    private final AtomicLong round = new AtomicLong();
    private final AtomicLong roundsSent = new AtomicLong();
    private volatile boolean running = true;
    private final Thread sender;
    private final Thread receiver;
    private volatile Throwable failure;

    public ArpReferee(String namespace, int ifindex, MacAddress mac, Inet4Address clientIp, List<Inet4Address> vips,
                      long intervalMs) throws IOException {
        this.vips = List.copyOf(vips);
        PacketSocket rx = Netns.call(namespace, () -> PacketSocket.open(ifindex, true, 100));
        PacketSocket tx = Netns.call(namespace, () -> PacketSocket.open(ifindex, false, 0));
        receiver = new Thread(() -> {
            byte[] buf = new byte[2048];
            try (rx) {
                while (running) {
                    ArpFrame f = rx.receive(buf);
                    if (f == null || !this.vips.contains(f.senderIp()) || f.senderMac().equals(mac)) {
                        continue;
                    }
                    boolean reply = f.operation() == ArpFrame.REPLY && f.targetIp().equals(clientIp);
                    if (reply || f.isGratuitous()) {
                        // The kernel's receive time, moved onto the monotonic clock: a thread that waited for a
                        // CPU before reading the frame would otherwise stamp it late.
                        long nowMono = System.nanoTime();
                        java.time.Instant real = java.time.Instant.now();
                        long nowReal = real.getEpochSecond() * 1_000_000_000L + real.getNano();
                        long kernel = rx.lastReceivedRealtimeNanos();
                        long stamp = kernel > 0 && nowReal - kernel >= 0 && nowReal - kernel < 10_000_000_000L
                                ? nowMono - (nowReal - kernel) : nowMono;
                        synchronized (observations) {
                            observations.add(new Observation(stamp, round.get(), f.senderIp(),
                                    f.senderMac(), !reply));
                        }
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }, "arp-referee-rx");
        sender = new Thread(() -> {
            try (tx) {
                while (running) {
                    round.incrementAndGet();
                    for (Inet4Address vip : this.vips) {
                        tx.send(ArpFrame.request(mac, clientIp, vip));
                    }
                    roundsSent.incrementAndGet();
                    Thread.sleep(intervalMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure = e;
            }
        }, "arp-referee-tx");
        receiver.setDaemon(true);
        sender.setDaemon(true);
        receiver.start();
        sender.start();
    }

    public List<Observation> observations() {
        checkHealthy();
        synchronized (observations) {
            return List.copyOf(observations);
        }
    }

    /**
     * The observations from {@code nanos} on. They are kept nearly in time order (kernel receive stamps, appended
     * as read): only the tail from 100 ms earlier is searched.
     */
    public List<Observation> since(long nanos) {
        checkHealthy();
        long from = nanos - 100_000_000L;
        synchronized (observations) {
            int lo = 0;
            int hi = observations.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (observations.get(mid).nanos() - from >= 0) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return observations.subList(lo, observations.size()).stream()
                    .filter(o -> o.nanos() - nanos >= 0).toList();
        }
    }

    public long rounds() {
        return roundsSent.get();
    }

    private void checkHealthy() {
        if (failure != null) {
            throw new IllegalStateException("ARP referee failed", failure);
        }
    }

    /** Request rounds in which more than one MAC answered the same VIP: each is a moment of split brain. */
    public static Map<java.net.InetAddress, List<String>> dualAnswers(List<Observation> obs) {
        Map<java.net.InetAddress, Map<Long, Set<MacAddress>>> byVipRound = new TreeMap<>(
                (a, b) -> a.getHostAddress().compareTo(b.getHostAddress()));
        for (Observation o : obs) {
            if (!o.gratuitous()) {
                byVipRound.computeIfAbsent(o.vip(), v -> new TreeMap<>())
                        .computeIfAbsent(o.round(), r -> new LinkedHashSet<>()).add(o.mac());
            }
        }
        Map<java.net.InetAddress, List<String>> out = new TreeMap<>((a, b) -> a.getHostAddress().compareTo(
                b.getHostAddress()));
        byVipRound.forEach((vip, rounds) -> rounds.forEach((r, macs) -> {
            if (macs.size() > 1) {
                out.computeIfAbsent(vip, v -> new ArrayList<>()).add("round " + r + ": " + macs);
            }
        }));
        return out;
    }

    /**
     * Request rounds in which the VIPs of one group were answered by more than one MAC (replies only, as
     * {@link #dualAnswers}): each is a moment in which a client found the group split over two hosts.
     */
    public static List<String> splitRounds(List<Observation> obs, Set<? extends java.net.InetAddress> group) {
        Map<Long, Set<MacAddress>> byRound = new TreeMap<>();
        for (Observation o : obs) {
            if (!o.gratuitous() && group.contains(o.vip())) {
                byRound.computeIfAbsent(o.round(), r -> new LinkedHashSet<>()).add(o.mac());
            }
        }
        List<String> out = new ArrayList<>();
        byRound.forEach((r, macs) -> {
            if (macs.size() > 1) {
                out.add("round " + r + ": " + macs);
            }
        });
        return out;
    }

    /** The MACs that answered {@code vip} in these observations (replies only), in order of first appearance. */
    public static List<MacAddress> answerers(List<Observation> obs, java.net.InetAddress vip) {
        Set<MacAddress> macs = new LinkedHashSet<>();
        obs.stream().filter(o -> !o.gratuitous() && o.vip().equals(vip)).forEach(o -> macs.add(o.mac()));
        return List.copyOf(macs);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.interrupt();
        sender.join(2000);
        receiver.join(2000);
    }
}
