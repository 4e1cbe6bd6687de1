package io.vipd.testbed;

import io.vipd.host.HostAddress;
import io.vipd.host.LinuxHostNetwork;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads every host's kernel addresses every 100 ms over netlink (one socket per host namespace), so a test can check
 * that a host that answered ARP for a VIP really carried the address at that moment.
 */
public final class AddressSampler implements AutoCloseable {
    /** Which VIPs host {@code host} carried at {@code nanos}. */
    public record Sample(long nanos, int host, Set<Inet4Address> vips) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public AddressSampler(Testbed bed, Collection<Inet4Address> vips) throws IOException {
        LinuxHostNetwork[] nets = new LinuxHostNetwork[bed.hostCount() + 1];
        for (int i = 1; i <= bed.hostCount(); i++) {
            nets[i] = Netns.call(bed.hostNs(i), LinuxHostNetwork::new);
        }
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (int i = 1; i < nets.length; i++) {
                        Set<Inet4Address> carried = new HashSet<>();
                        try {
                            for (HostAddress a : nets[i].addresses()) {
                                if (vips.contains(a.address())) {
                                    carried.add(a.address());
                                }
                            }
                        } catch (IOException e) {
                            continue; // the namespace is being torn down
                        }
                        synchronized (samples) {
                            samples.add(new Sample(System.nanoTime(), i, carried));
                        }
                    }
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                for (int i = 1; i < nets.length; i++) {
                    nets[i].close();
                }
            }
        }, "address-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * False only if {@code host} clearly did not carry {@code vip} around {@code nanos}: every sample of it within
     * ±250 ms lacks the address, and those samples are dense (at least four, none more than {@code maxGapNanos}
     * apart). A hold shorter than the sampling interval, or a sampler starved of CPU, is inconclusive (true).
     */
    public boolean carried(int host, Inet4Address vip, long nanos, long maxGapNanos) {
        long window = 250_000_000L;
        List<Sample> around = new ArrayList<>();
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.host() == host && Math.abs(s.nanos() - nanos) <= window) {
                    around.add(s);
                }
            }
        }
        if (around.size() < 4 || around.stream().anyMatch(s -> s.vips().contains(vip))) {
            return true;
        }
        for (int i = 1; i < around.size(); i++) {
            if (around.get(i).nanos() - around.get(i - 1).nanos() > maxGapNanos) {
                return true;
            }
        }
        return around.get(0).nanos() - nanos > -maxGapNanos || around.get(around.size() - 1).nanos() - nanos < maxGapNanos;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2000);
    }
}
