package io.vipd.cluster;

/**
 * The replicated state of one VIP.
 *
 * @param owner          the node that may answer for it, or null when nobody may
 * @param epoch          incremented by every change of owner; never reused
 * @param changedAtMillis wall-clock time the proposer gave the change, for display only (never used for safety)
 * @param reason         why the owner is the owner, for operators
 * @param releasing      during a planned move (handover): the previous owner, which may still answer until it
 *                       confirms it let go (a {@link Command.Released}) or the leader's failover timeout passes;
 *                       the new owner may answer only once this is null. Null otherwise.
 */
public record VipState(String name, String owner, long epoch, long changedAtMillis, String reason, String releasing) {
    public VipState(String name, String owner, long epoch, long changedAtMillis, String reason) {
        this(name, owner, epoch, changedAtMillis, reason, null);
    }

    public static VipState unassigned(String name) {
        return new VipState(name, null, 0, 0, "never assigned");
    }

    /** The node that may answer for this VIP now: the owner, unless a handover still waits for the previous one. */
    public String holder() {
        return releasing == null ? owner : null;
    }
}
