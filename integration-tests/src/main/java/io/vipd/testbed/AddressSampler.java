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
 * Reads every host's kernel addresses every 100 ms over netlink (one socket per host namespace), and follows every
 * change the kernel announces ({@link AddressMonitor}), so a test can check that a host that answered ARP for a VIP
 * really carried the address at that moment. Polling alone cannot see an address held for less than its interval
 * (a VIP taken and let go again within 100 ms while every daemon restarts at once, say): it reported such replies
 * as unexplained; the announced changes show them. Must start before any daemon holds a VIP.
 */
public final class AddressSampler implements AutoCloseable {
    /** Which VIPs host {@code host} carried at {@code nanos}. */
    public record Sample(long nanos, int host, Set<Inet4Address> vips) {}

    /** The window a reply is judged in: the referee's stamps can be late, never early. */
    private static final long WINDOW_BEFORE_NANOS = 500_000_000L;
    private static final long WINDOW_AFTER_NANOS = 100_000_000L;

    /**
     * A poll is evidence only if it took at most this long, from before the netlink dump to the stamp after it: the
     * dump saw the addresses at some moment in between, and a poll whose thread waited for a CPU (five JVMs starting
     * at once on two cores) would stamp an old view with a late time.
     */
    private static final long LONGEST_POLL_NANOS = 30_000_000L;

    private final List<Sample> samples = new ArrayList<>();
    private int slowPolls;
    private long slowestPollNanos;
    /** One moment on both clocks, to name a sample's time of day in a failure message (daemon logs use it). */
    private final long originNanos = System.nanoTime();
    private final long originWallMillis = System.currentTimeMillis();
    private final Thread thread;
    private volatile boolean running = true;
    private final AddressMonitor monitor;

    public AddressSampler(Testbed bed, Collection<Inet4Address> vips) throws IOException {
        monitor = new AddressMonitor(bed);
        LinuxHostNetwork[] nets = new LinuxHostNetwork[bed.hostCount() + 1];
        try {
            for (int i = 1; i <= bed.hostCount(); i++) {
                nets[i] = Netns.call(bed.hostNs(i), LinuxHostNetwork::new);
            }
        } catch (IOException | RuntimeException e) {
            monitor.close();
            for (LinuxHostNetwork n : nets) {
                if (n != null) {
                    n.close();
                }
            }
            throw e;
        }
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (int i = 1; i < nets.length; i++) {
                        Set<Inet4Address> carried = new HashSet<>();
                        long before = System.nanoTime();
                        try {
                            for (HostAddress a : nets[i].addresses()) {
                                if (a.address() instanceof Inet4Address v4 && vips.contains(v4)) {
                                    carried.add(v4);
                                }
                            }
                        } catch (IOException e) {
                            continue; // the namespace is being torn down
                        }
                        long after = System.nanoTime();
                        synchronized (samples) {
                            if (after - before <= LONGEST_POLL_NANOS) {
                                samples.add(new Sample(after, i, carried));
                            } else { // left out: the gaps it leaves make a judgement there inconclusive
                                slowPolls++;
                                slowestPollNanos = Math.max(slowestPollNanos, after - before);
                            }
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
     * False only if {@code host} clearly did not carry {@code vip} when it sent a reply the referee timestamped at
     * {@code nanos}. Stamps can be late, never early: the host must have lacked the address from 500 ms before to
     * 100 ms after, both in the kernel's announced changes (no add or refresh in that window, and deleted, or never
     * added, before it) and in every poll, which must cover the window densely (none more than {@code maxGapNanos}
     * apart). Anything else (a starved sampler, a failed monitor) is inconclusive: true.
     */
    public boolean carried(int host, Inet4Address vip, long nanos, long maxGapNanos) {
        long from = nanos - WINDOW_BEFORE_NANOS;
        long to = nanos + WINDOW_AFTER_NANOS;
        Boolean announced = monitor.present(host, vip, from, to);
        if (announced == null) {
            return true;
        }
        if (!pollsSayAbsent(host, vip, nanos, maxGapNanos)) {
            return true;
        }
        if (announced) {
            // The evidence for what the polls alone got wrong: a hold between two polls.
            System.out.println("[sampler] the polls missed a hold the kernel announced: host " + host + " "
                    + vip.getHostAddress() + " " + describe(host, vip, nanos));
            return true;
        }
        return false;
    }

    /** Every poll of the window says "absent", and the polls cover it densely. */
    private boolean pollsSayAbsent(int host, Inet4Address vip, long nanos, long maxGapNanos) {
        long from = nanos - WINDOW_BEFORE_NANOS;
        long to = nanos + WINDOW_AFTER_NANOS;
        List<Sample> window = window(host, nanos);
        if (window.stream().anyMatch(s -> s.vips().contains(vip)) || window.size() < 5) {
            return false;
        }
        if (window.get(0).nanos() - from > maxGapNanos || to - window.get(window.size() - 1).nanos() > maxGapNanos) {
            return false;
        }
        for (int i = 1; i < window.size(); i++) {
            if (window.get(i).nanos() - window.get(i - 1).nanos() > maxGapNanos) {
                return false;
            }
        }
        return true;
    }

    /**
     * For a failure message: the time of day of {@code nanos} (as the daemons' logs print it) and what each sample
     * of {@code host} in the judging window saw, as "offset ms: yes/no".
     */
    public String describe(int host, Inet4Address vip, long nanos) {
        StringBuilder out = new StringBuilder("at ").append(java.time.LocalTime.ofInstant(java.time.Instant.ofEpochMilli(
                originWallMillis + (nanos - originNanos) / 1_000_000L), java.time.ZoneId.systemDefault()));
        out.append("; samples of that host (ms from then: carried):");
        for (Sample s : window(host, nanos)) {
            out.append(' ').append((s.nanos() - nanos) / 1_000_000L).append(':')
                    .append(s.vips().contains(vip) ? "yes" : "no");
        }
        out.append("; the kernel's announced changes from 5 s before (ms from then):").append(monitor.describe(host,
                vip, nanos - 5_000_000_000L, nanos + WINDOW_AFTER_NANOS, nanos));
        return out.toString();
    }

    /** The samples of {@code host} from {@link #WINDOW_BEFORE_NANOS} before {@code nanos} to the window's end. */
    private List<Sample> window(int host, long nanos) {
        long from = nanos - WINDOW_BEFORE_NANOS;
        long to = nanos + WINDOW_AFTER_NANOS;
        List<Sample> window = new ArrayList<>();
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.host() == host && s.nanos() - from >= 0 && s.nanos() - to <= 0) {
                    window.add(s);
                }
            }
        }
        return window;
    }

    /** How many polls were too slow to count as evidence, and the slowest, for the record. */
    public String slowPolls() {
        synchronized (samples) {
            return slowPolls + " poll(s) took over " + LONGEST_POLL_NANOS / 1_000_000L + " ms and were not used"
                    + (slowPolls == 0 ? "" : " (slowest " + slowestPollNanos / 1_000_000L + " ms)")
                    + (monitor.complete() ? "" : "; AN ADDRESS MONITOR FAILED: replies were judged by polls alone");
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2000);
        monitor.close();
    }
}
