package io.vipd.cluster;

/**
 * The replicated state of one VIP.
 *
 * @param owner          the node that may answer for it, or null when nobody may
 * @param epoch          incremented by every change of owner; never reused
 * @param changedAtMillis wall-clock time the proposer gave the change, for display only (never used for safety)
 * @param reason         why the owner is the owner, for operators
 */
public record VipState(String name, String owner, long epoch, long changedAtMillis, String reason) {
    public static VipState unassigned(String name) {
        return new VipState(name, null, 0, 0, "never assigned");
    }
}
