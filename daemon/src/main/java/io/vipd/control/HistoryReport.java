package io.vipd.control;

import java.util.List;

/**
 * {@code vipctl history}'s answer: the cluster's ownership changes as the replicated table keeps them, oldest
 * first (see {@code io.vipd.cluster.OwnershipHistory}).
 *
 * @param lastSeq the number of the last change ever recorded: {@code lastSeq - events.size()} were dropped from the
 *                bounded history
 */
public record HistoryReport(String cluster, long lastSeq, List<Event> events) {

    /**
     * One change.
     *
     * @param time       when the proposer decided it (ISO-8601, UTC)
     * @param from       who answered before, or null
     * @param to         the owner after, or null
     */
    public record Event(long seq, String time, String vip, String change, String from, String to, long epoch,
                        String reason) {}
}
