package io.vipd.cluster;

/**
 * One change of who answers for a VIP, as the replicated log decided it: kept in the table's
 * {@link OwnershipHistory}, so every node shows the same events in the same order.
 *
 * @param seq        the event's number in the cluster's history (1, 2, ...): gaps in a listing are events dropped
 *                   from the bounded ring
 * @param wallMillis the proposer's wall clock when it decided (display only, like {@link VipState#changedAtMillis});
 *                   for {@link #HANDED_OVER}, the handover's decision (a release carries no time of its own)
 * @param change     what happened: {@link #PLACED}, {@link #FAILOVER}, {@link #HANDOVER}, {@link #HANDED_OVER} or
 *                   {@link #RELEASED}
 * @param from       who answered before (null: nobody)
 * @param to         who is owner now (null: nobody)
 * @param epoch      the VIP's epoch after the change
 * @param reason     why, as the table records it
 */
public record OwnershipEvent(long seq, long wallMillis, String vip, String change, String from, String to, long epoch,
                             String reason) {
    /** A VIP given an owner while nobody held it. */
    public static final String PLACED = "placed";
    /** A new owner while the previous one had stopped renewing (it may not answer: its lease ended). */
    public static final String FAILOVER = "failover";
    /** A planned move decided: the previous owner answers until it lets go. */
    public static final String HANDOVER = "handover";
    /** The previous owner let go: the new owner answers from now on. */
    public static final String HANDED_OVER = "handed over";
    /** Nobody owns the VIP now (its owner shut down, or no node may hold it). */
    public static final String RELEASED = "released";

    private static final java.util.regex.Pattern FAILOVER_AFTER =
            java.util.regex.Pattern.compile("\\(failover after (\\d{1,12}) ms without a renewal\\)");

    /**
     * How a failover's reason says how long the previous owner had gone without a renewal when the leader decided
     * (its lease had run out by then, so clients had no answer for about that long, plus the new owner's start).
     */
    static String failoverAfter(long silentMillis) {
        return " (failover after " + silentMillis + " ms without a renewal)";
    }

    /**
     * For a {@link #FAILOVER}: how long the previous owner had gone without a renewal when the new owner was chosen,
     * as its reason says last (a group member's reason quotes its lead's decision first, then its own gap); -1 for
     * other changes or when the leader did not know.
     */
    public long silentMillis() {
        if (!FAILOVER.equals(change) || reason == null) {
            return -1;
        }
        java.util.regex.Matcher m = FAILOVER_AFTER.matcher(reason);
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }
}
