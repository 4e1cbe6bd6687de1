package io.vipd.daemon;

import io.vipd.config.VipSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * When this node probes each VIP: every probe interval, jittered by ±20 % so nodes started together do not probe in
 * lockstep (the second probe of a VIP anywhere in the interval, so VIPs configured together spread out); and since
 * when it has probed a VIP at all (a first bind waits for that). Agent thread.
 */
final class ProbeSchedule {
    private final RandomGenerator jitter;
    private final Map<String, Long> next = new HashMap<>();
    private final Map<String, Long> first = new HashMap<>();

    ProbeSchedule(RandomGenerator jitter) {
        this.jitter = jitter;
    }

    /** The probes due at {@code now} (interface, address); none when {@code intervalMs} is 0 (probing off). */
    List<Map.Entry<String, InetAddress>> due(List<VipSpec> vips, int intervalMs, long now) {
        List<Map.Entry<String, InetAddress>> out = new ArrayList<>();
        if (intervalMs <= 0) {
            return out;
        }
        for (VipSpec spec : vips) {
            Long at = next.get(spec.name());
            if (at == null || now - at >= 0) {
                out.add(Map.entry(spec.iface(), spec.address()));
                // A VIP seen for the first time is probed at once (a first bind waits for it), and next at a random
                // point of the interval: VIPs configured together spread over it instead of probing in one burst.
                double spread = first.putIfAbsent(spec.name(), now) == null ? jitter.nextDouble()
                        : 0.8 + 0.4 * jitter.nextDouble();
                next.put(spec.name(), now + (long) (intervalMs * spread) * 1_000_000L);
            }
        }
        return out;
    }

    /** Nanoseconds since this node first probed {@code vip}, or -1 if it never did. */
    long probedForNanos(String vip, long now) {
        Long at = first.get(vip);
        return at == null ? -1 : now - at;
    }
}
