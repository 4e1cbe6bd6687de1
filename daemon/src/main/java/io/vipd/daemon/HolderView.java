package io.vipd.daemon;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Each VIP's holder as this node saw it change, on this node's monotonic clock: since when the current holder
 * holds it here, when it last heard that holder answer, and the holders of the last seconds (their frames may still
 * be on their way when the table moved on). The conflict watch's memory; agent thread.
 */
final class HolderView {
    /** How long a former holder is remembered (its grace is judged against when its frames were heard). */
    static final long FORMER_MEMORY_NANOS = 15_000_000_000L;

    private final Map<String, String> holder = new HashMap<>();
    private final Map<String, Long> since = new HashMap<>();
    private final Map<String, Long> heard = new HashMap<>();
    private final Map<String, Map<String, Long>> former = new HashMap<>();

    /** The table says {@code current} holds {@code vip} (null: nobody) at {@code now}. */
    void observe(String vip, String current, long now) {
        String before = holder.get(vip);
        if (before != null && !before.equals(current)) {
            former.computeIfAbsent(vip, v -> new HashMap<>()).put(before, now);
        }
        if (current == null) {
            holder.remove(vip);
        } else {
            holder.put(vip, current);
        }
        if (!Objects.equals(before, current) || !since.containsKey(vip)) {
            heard.remove(vip);
            since.put(vip, now);
        }
    }

    /** The holder answered for {@code vip} at {@code now}. */
    void heardHolder(String vip, long now) {
        heard.put(vip, now);
    }

    /** Whether {@code node} stopped holding {@code vip} less than {@code graceNanos} before {@code when}. */
    boolean formerWithin(String vip, String node, long when, long graceNanos) {
        Long stopped = former.getOrDefault(vip, Map.of()).get(node);
        return stopped != null && when - stopped < graceNanos;
    }

    /** The former holders of {@code vip} still remembered. */
    Iterable<String> formerHolders(String vip) {
        return former.getOrDefault(vip, Map.of()).keySet();
    }

    /** Forgets former holders older than {@link #FORMER_MEMORY_NANOS}. */
    void forgetOld(long now) {
        former.values().forEach(m -> m.values().removeIf(t -> now - t >= FORMER_MEMORY_NANOS));
    }

    /**
     * Nanoseconds since {@code current} was last heard answering for {@code vip}, or since it became holder if
     * not heard since; -1 if this node does not see {@code current} as the holder.
     */
    long quietNanos(String vip, String current, long now) {
        Long from = since.get(vip);
        if (from == null || !current.equals(holder.get(vip))) {
            return -1;
        }
        return now - Math.max(from, heard.getOrDefault(vip, from));
    }

    /** When the holder was last heard, or null if not since it became holder. */
    Long lastHeard(String vip) {
        return heard.get(vip);
    }
}
