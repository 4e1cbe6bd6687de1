package io.vipd.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every IPv4 address change in the hosts' namespaces as the kernel announces it ({@code ip -ts monitor address},
 * one process per host): unlike polling, it cannot miss an address held for less than the polling interval. Each
 * event is stamped by {@code ip} when it read it, so stamps can be late, never early.
 */
final class AddressMonitor implements AutoCloseable {
    /** Host {@code host} gained ({@code present}) or lost {@code address} at {@code nanos} (monotonic). */
    record Event(long nanos, int host, InetAddress address, boolean present) {}

    private static final Pattern LINE = Pattern.compile(
            "^\\[([0-9T:.-]+)\\] (Deleted )?\\d+: \\S+\\s+inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");

    private final List<Event> events = new ArrayList<>();
    private final List<Process> monitors = new ArrayList<>();
    private final long originNanos = System.nanoTime();
    private final long originWallMicros = micros(java.time.Instant.now());
    private volatile boolean complete = true;

    AddressMonitor(Testbed bed) throws IOException {
        try {
            for (int i = 1; i <= bed.hostCount(); i++) {
                int host = i;
                Process p = new ProcessBuilder("ip", "-n", bed.hostNs(i), "-ts", "monitor", "address")
                        .redirectErrorStream(true).start();
                monitors.add(p);
                Thread t = new Thread(() -> read(host, p), "address-monitor-" + i);
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** False once a monitor failed: its host's changes may be missing, so {@link #present} says nothing. */
    boolean complete() {
        return complete;
    }

    private static long micros(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    private void read(int host, Process p) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    long wallMicros = micros(LocalDateTime.parse(m.group(1)).atZone(ZoneId.systemDefault())
                            .toInstant());
                    long nanos = originNanos + (wallMicros - originWallMicros) * 1000;
                    synchronized (events) {
                        events.add(new Event(nanos, host, InetAddress.getByName(m.group(3)), m.group(2) == null));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            complete = false;
        }
        if (p.isAlive() || p.exitValue() != 0 && p.exitValue() != 143 && p.exitValue() != 137) {
            complete = false;
        }
    }

    /**
     * How much later than {@code to} an addition may be stamped and still count: {@code ip} stamps an event when it
     * reads it, and a process waiting for a CPU reads late.
     */
    private static final long LATE_STAMP_NANOS = 500_000_000L;

    /**
     * Whether {@code host} had {@code address} at some moment from {@code from} to {@code to}, by the events (it had
     * none when the monitors started: they start before any daemon); null if the events cannot say (a monitor
     * failed). An addition stamped up to {@link #LATE_STAMP_NANOS} after {@code to} counts.
     */
    Boolean present(int host, InetAddress address, long from, long to) {
        if (!complete) {
            return null;
        }
        long until = to + LATE_STAMP_NANOS;
        boolean presentAtFrom = false;
        synchronized (events) {
            for (Event e : events) {
                if (e.host() != host || !e.address().equals(address)) {
                    continue;
                }
                if (e.nanos() - until > 0) {
                    break;
                }
                if (e.nanos() - from < 0) {
                    presentAtFrom = e.present(); // the state the window starts with
                } else if (e.present()) {
                    return true; // gained (or refreshed) inside the window
                }
            }
        }
        return presentAtFrom;
    }

    /** The events of {@code host} for {@code address} from {@code from} to {@code to}, for a failure message. */
    String describe(int host, InetAddress address, long from, long to, long reference) {
        StringBuilder out = new StringBuilder();
        synchronized (events) {
            for (Event e : events) {
                if (e.host() == host && e.address().equals(address) && e.nanos() - from >= 0 && e.nanos() - to <= 0) {
                    out.append(' ').append((e.nanos() - reference) / 1_000_000L).append(e.present() ? ":added"
                            : ":deleted");
                }
            }
        }
        return out.length() == 0 ? " none" : out.toString();
    }

    @Override
    public void close() {
        monitors.forEach(Testbed::killTree);
    }
}
