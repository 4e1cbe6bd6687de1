package io.vipd.control;

import java.util.List;

/**
 * What {@code vipctl status} shows, as the daemon reports it over the control socket (JSON). One node's view:
 * Raft facts come from this node's Raft server; ownership from its applied copy of the replicated table.
 */
public record StatusReport(
        String node,
        String cluster,
        String role,
        String leader,
        long term,
        long appliedIndex,
        List<NodeStatus> nodes,
        List<VipStatus> vips,
        String security,
        List<String> operatorActions,
        List<String> membership) {

    public StatusReport {
        operatorActions = operatorActions == null ? List.of() : List.copyOf(operatorActions);
        membership = membership == null ? List.of() : List.copyOf(membership);
    }

    /** A report without the security line and operator actions (added by {@link #withSecurity} and co). */
    public StatusReport(String node, String cluster, String role, String leader, long term, long appliedIndex,
                        List<NodeStatus> nodes, List<VipStatus> vips) {
        this(node, cluster, role, leader, term, appliedIndex, nodes, vips, null, List.of(), List.of());
    }

    /** The same report with how this node's Raft traffic is protected (TLS and certificate expiry, or INSECURE). */
    public StatusReport withSecurity(String line) {
        return new StatusReport(node, cluster, role, leader, term, appliedIndex, nodes, vips, line, operatorActions,
                membership);
    }

    /** The same report with the latest operator commands this node applied ("time what by whom on which node"). */
    public StatusReport withOperatorActions(List<String> actions) {
        return new StatusReport(node, cluster, role, leader, term, appliedIndex, nodes, vips, security, actions,
                membership);
    }

    /**
     * The same report with where the configuration file and the group's live membership differ (a change under
     * way, a member the file does not name...), each with how to reconcile.
     */
    public StatusReport withMembership(List<String> differences) {
        return new StatusReport(node, cluster, role, leader, term, appliedIndex, nodes, vips, security,
                operatorActions, differences);
    }

    /**
     * @param reachable      its renewals are being confirmed by the leader (this node's own: its lease is valid)
     * @param sinceRenewalMs since the leader confirmed a renewal from it (as the leader said); -1 if unknown
     * @param ineligible     why the node may not receive VIPs now (its renewals have not been steady long enough,
     *                       or, seen from the leader, it catches up with the log); null when it may
     */
    public record NodeStatus(String id, String address, String role, boolean reachable, boolean leader,
                             boolean self, long sinceRenewalMs, boolean drained, String ineligible) {}

    /**
     * @param lease          this node's lease on it: "held" (carrying the address), "expiring" (less than a third
     *                       of the lease left), "fenced" (owned but this node cannot confirm, address removed),
     *                       or "-" when this node is not the owner
     * @param sinceRenewalMs time since the start of this node's newest confirmed renewal, -1 if none
     * @param releasing      during a handover, the previous owner the new one waits for; else null
     * @param preferred      the preference order (empty: none)
     * @param preempt        "off", or "on" with its delay
     * @param health         for a VIP with checks: each node → "ok" or why its checks fail; empty without checks
     * @param disagreements  nodes whose configuration defines this VIP differently (or not at all) → what they
     *                       have; such nodes are never given the VIP
     * @param ownerMac       the MAC the owner answers with (its VIP interface's, as it reported it), or null
     * @param conflicts      MACs other than the owner's heard answering for this VIP, each "MAC (who) heard by NODE
     *                       since TIME as KIND"; empty when none
     * @param group          the group it moves with ({@code group.NAME.vips}), or null
     */
    public record VipStatus(String name, String address, String iface, String owner, long epoch,
                            String ownedSince, String reason, boolean heldHere, String lease,
                            long sinceRenewalMs, String releasing, List<String> preferred, String preempt,
                            java.util.Map<String, String> health, java.util.Map<String, String> disagreements,
                            String ownerMac, List<String> conflicts, String group) {
        public VipStatus {
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }

        /** A VIP in no group. */
        public VipStatus(String name, String address, String iface, String owner, long epoch, String ownedSince,
                         String reason, boolean heldHere, String lease, long sinceRenewalMs, String releasing,
                         List<String> preferred, String preempt, java.util.Map<String, String> health,
                         java.util.Map<String, String> disagreements, String ownerMac, List<String> conflicts) {
            this(name, address, iface, owner, epoch, ownedSince, reason, heldHere, lease, sinceRenewalMs, releasing,
                    preferred, preempt, health, disagreements, ownerMac, conflicts, null);
        }

        /** A VIP's status without the owner's MAC and conflicts. */
        public VipStatus(String name, String address, String iface, String owner, long epoch, String ownedSince,
                         String reason, boolean heldHere, String lease, long sinceRenewalMs, String releasing,
                         List<String> preferred, String preempt, java.util.Map<String, String> health,
                         java.util.Map<String, String> disagreements) {
            this(name, address, iface, owner, epoch, ownedSince, reason, heldHere, lease, sinceRenewalMs, releasing,
                    preferred, preempt, health, disagreements, null, List.of());
        }
    }
}
