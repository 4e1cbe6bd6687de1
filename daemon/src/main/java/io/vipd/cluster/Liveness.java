package io.vipd.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * When this node last applied a renewal from each node, on its own monotonic clock. Every node keeps one, so
 * whichever becomes leader can decide at once. Applying happens after commit, and commit after the renewal started,
 * so this clock never runs ahead of the renewing node's lease: the basis of safe reassignment.
 */
public final class Liveness {
    private final long timeoutNanos;
    private final Map<String, Long> lastRenewalNanos = new HashMap<>();

    public Liveness(long failoverTimeoutMillis) {
        this.timeoutNanos = failoverTimeoutMillis * 1_000_000L;
    }

    public synchronized void renewed(String node, long nowNanos) {
        lastRenewalNanos.put(node, nowNanos);
    }

    /** The node left on purpose: it is not live until it renews again. */
    public synchronized void left(String node) {
        lastRenewalNanos.remove(node);
    }

    public synchronized boolean live(String node, long nowNanos) {
        Long t = lastRenewalNanos.get(node);
        return t != null && nowNanos - t < timeoutNanos;
    }

    public synchronized Set<String> liveNodes(long nowNanos) {
        Set<String> out = new TreeSet<>();
        lastRenewalNanos.forEach((n, t) -> {
            if (nowNanos - t < timeoutNanos) {
                out.add(n);
            }
        });
        return out;
    }

    /** Milliseconds since the last renewal applied from {@code node}, or -1 if none. */
    public synchronized long sinceMillis(String node, long nowNanos) {
        Long t = lastRenewalNanos.get(node);
        return t == null ? -1 : Math.max(0, (nowNanos - t) / 1_000_000L);
    }
}
