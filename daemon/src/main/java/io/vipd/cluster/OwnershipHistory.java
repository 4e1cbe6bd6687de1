package io.vipd.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The last {@link #LIMIT} ownership changes of the cluster, oldest first: part of the replicated table, so it
 * survives restarts, log compaction (it is in the snapshot) and leader changes, and is the same on every node.
 * Immutable. The limit is fixed rather than configured: a per-node setting would let nodes that apply the same log
 * keep different histories.
 */
public final class OwnershipHistory {
    /** Events kept: a few days of a busy cluster, about 150 KB in a snapshot. */
    public static final int LIMIT = 1000;
    public static final OwnershipHistory EMPTY = new OwnershipHistory(List.of(), 0);

    private final List<OwnershipEvent> events;
    private final long lastSeq;

    private OwnershipHistory(List<OwnershipEvent> events, long lastSeq) {
        this.events = events;
        this.lastSeq = lastSeq;
    }

    /** A history read back from a snapshot: the events as written, the last number given. */
    static OwnershipHistory of(List<OwnershipEvent> events, long lastSeq) {
        List<OwnershipEvent> kept = events.size() > LIMIT ? events.subList(events.size() - LIMIT, events.size())
                : events;
        return new OwnershipHistory(Collections.unmodifiableList(new ArrayList<>(kept)), lastSeq);
    }

    public List<OwnershipEvent> events() {
        return events;
    }

    /** The number of the last event ever recorded (0: none), dropped ones included. */
    public long lastSeq() {
        return lastSeq;
    }

    /** This history with {@code changes} appended (numbered from {@link #lastSeq} on), the oldest dropped past the limit. */
    OwnershipHistory with(List<Change> changes) {
        if (changes.isEmpty()) {
            return this;
        }
        List<OwnershipEvent> next = new ArrayList<>(events.size() + changes.size());
        next.addAll(events);
        long seq = lastSeq;
        for (Change c : changes) {
            next.add(new OwnershipEvent(++seq, c.wallMillis, c.vip, c.change, c.from, c.to, c.epoch, c.reason));
        }
        int drop = Math.max(0, next.size() - LIMIT);
        return new OwnershipHistory(Collections.unmodifiableList(new ArrayList<>(next.subList(drop, next.size()))),
                seq);
    }

    /** An event before it is numbered. */
    record Change(long wallMillis, String vip, String change, String from, String to, long epoch, String reason) {}

    /**
     * What changed between two states of one VIP, or null if its owner and holder did not change: the event a
     * command's effect on that VIP makes. {@code handover}: the assignment was a planned move (the previous owner
     * answers until it lets go).
     */
    static Change between(VipState before, VipState after, boolean handover) {
        String answering = before.holder() != null ? before.holder() : before.releasing();
        if (before.epoch() != after.epoch()) {
            String change = after.owner() == null ? OwnershipEvent.RELEASED
                    : handover ? OwnershipEvent.HANDOVER
                    : answering == null && before.owner() == null ? OwnershipEvent.PLACED
                    : OwnershipEvent.FAILOVER;
            return new Change(after.changedAtMillis(), after.name(), change,
                    answering != null ? answering : before.owner(), after.owner(), after.epoch(), after.reason());
        }
        if (before.releasing() != null && after.releasing() == null && after.owner() != null) {
            return new Change(after.changedAtMillis(), after.name(), OwnershipEvent.HANDED_OVER, before.releasing(),
                    after.owner(), after.epoch(), after.reason());
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OwnershipHistory h && h.lastSeq == lastSeq && h.events.equals(events);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(lastSeq) * 31 + events.hashCode();
    }
}
