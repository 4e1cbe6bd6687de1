package io.vipd.daemon;

import io.vipd.cluster.Assigner;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.NodeFacts;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.control.StatusReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code vipctl status} shows, from this node's view: Raft role and leader, each member's renewals and
 * eligibility, each VIP's owner, lease and the inputs of its placement, and the latest operator actions.
 */
final class StatusBuilder {
    private final Supplier<VipdConfig> config;
    private final Supplier<Consensus> cluster;
    /** The applied table, or null before the state machine runs. */
    private final Supplier<VipTable> table;
    private final Liveness liveness;
    private final LeaderView leaderView;
    private final OwnerLease lease;
    private final HostActuator host;
    private final AdminOperations.Eligibility eligibility;
    private final OperatorActions operatorActions;
    private final LongSupplier nanos;

    StatusBuilder(Supplier<VipdConfig> config, Supplier<Consensus> cluster, Supplier<VipTable> table,
                  Liveness liveness, LeaderView leaderView, OwnerLease lease, HostActuator host,
                  AdminOperations.Eligibility eligibility,
                  OperatorActions operatorActions, LongSupplier nanos) {
        this.config = config;
        this.cluster = cluster;
        this.table = table;
        this.liveness = liveness;
        this.leaderView = leaderView;
        this.lease = lease;
        this.host = host;
        this.eligibility = eligibility;
        this.operatorActions = operatorActions;
        this.nanos = nanos;
    }

    /** Builds the report; call on the agent thread, so it is consistent with what the host carries. */
    StatusReport build() {
        long now = nanos.getAsLong();
        VipdConfig config = this.config.get();
        Consensus cluster = this.cluster.get();
        boolean started = cluster != null && table.get() != null;
        VipTable table = started ? this.table.get() : VipTable.EMPTY;
        String leader = started ? cluster.leader().orElse(null) : null;
        long term = started ? cluster.term() : 0L;
        long applied = started ? cluster.appliedIndex() : -1L;
        // A Raft server that stopped is no member, whatever its last role was (the daemon exits right after).
        String myRole = started ? cluster.role() : "STARTING";
        List<StatusReport.NodeStatus> nodes = new ArrayList<>();
        // Only the leader confirms renewals; the other nodes show what it said in their latest renewal's reply.
        boolean leading = started && cluster.isLeaderReady();
        for (Peer p : config.peers()) {
            io.vipd.cluster.PeerView seen = leading
                    ? new io.vipd.cluster.PeerView(liveness.live(p.id(), now), liveness.sinceMillis(p.id(), now), "")
                    : leaderView.of(p.id(), now);
            boolean live = seen != null && seen.live();
            boolean self = p.id().equals(config.nodeId());
            boolean isLeader = p.id().equals(leader);
            String r;
            if (self) {
                r = myRole;
            } else if (isLeader) {
                r = "LEADER";
            } else if (live) {
                r = p.voter() ? "FOLLOWER" : "LISTENER"; // a member that does not vote (voters)
            } else {
                r = "UNKNOWN";
            }
            boolean reachable = self ? lease.valid(now) : live;
            nodes.add(new StatusReport.NodeStatus(p.id(), p.address(), r, reachable, isLeader, self,
                    seen == null ? -1 : seen.sinceRenewalMs(), table.drained().contains(p.id()),
                    p.witness() ? "a witness (witnesses): it votes and never holds a VIP"
                            : eligibility.whyNot(p.id(), now)));
        }
        Map<String, Long> heldSince = host.heldSince();
        List<StatusReport.VipStatus> vips = new ArrayList<>();
        for (VipSpec spec : config.vips()) {
            VipState s = table.vip(spec.name());
            boolean mine = config.nodeId().equals(s.owner());
            boolean heldHere = heldSince.containsKey(spec.name());
            String leaseState;
            if (!mine) {
                leaseState = heldHere ? "releasing" : "-";
            } else if (!heldHere) {
                String refused = host.refusedBinds().get(spec.name());
                leaseState = refused == null ? "fenced" : "not taken: " + refused;
            } else if (lease.remainingMillis(now) * 3 < config.timing().leaseMs()) {
                leaseState = "expiring";
            } else {
                leaseState = "held";
            }
            Map<String, String> health = new TreeMap<>();
            boolean linkDown = config.peers().stream()
                    .anyMatch(p -> Assigner.linkProblem(table, spec, p.id()) != null);
            List<String> silentFor = s.owner() == null ? List.of()
                    : NodeFacts.silentFor(table, spec.name(), spec.iface(), s.owner(), s.epoch());
            if (!spec.checks().isEmpty() || linkDown || !silentFor.isEmpty()) {
                for (Peer p : config.peers()) {
                    String why = Assigner.unhealthyReason(table, spec, p.id());
                    health.put(p.id(), why == null ? "ok" : why);
                }
            }
            if (!silentFor.isEmpty()) {
                health.merge(s.owner(), "not answering " + spec.resolution() + " probes of " + String.join(", ", silentFor),
                        (a, b) -> a.equals("ok") ? b : a + "; " + b);
            }
            Map<String, String> disagreements = new TreeMap<>();
            for (Peer p : config.peers()) {
                if (!Assigner.definedAlike(table, spec, p.id())) {
                    Map<String, String> theirs = table.definitionsOf(p.id());
                    disagreements.put(p.id(), table.definitions().containsKey(p.id())
                            ? theirs.getOrDefault(spec.name(), "not defined") : "not reported yet");
                }
            }
            vips.add(new StatusReport.VipStatus(spec.name(), spec.cidr(), spec.iface(), s.owner(), s.epoch(),
                    s.changedAtMillis() == 0 ? null : Instant.ofEpochMilli(s.changedAtMillis()).toString(),
                    s.reason(), heldHere, leaseState, mine ? lease.sinceRenewalMillis(now) : -1, s.releasing(),
                    spec.preferred(), spec.preempt() ? "on, delay " + spec.preemptDelayMs() + " ms" : "off",
                    health, disagreements,
                    s.owner() == null ? null : NodeFacts.mac(table, s.owner(), spec.iface()).orElse(null),
                    conflicts(table, spec), spec.group()));
        }
        return new StatusReport(config.nodeId(), config.clusterName(), myRole, leader, term, applied, nodes, vips)
                .withOperatorActions(operatorActions.recent());
    }

    /** Every conflict any member reports for {@code spec}, one line each, the MAC mapped to a member if it is one. */
    private static List<String> conflicts(VipTable table, VipSpec spec) {
        List<String> out = new ArrayList<>();
        for (NodeFacts.Conflict c : NodeFacts.conflicts(table, spec.name())) {
            String who = NodeFacts.memberWithMac(table, c.mac()).map(m -> "member " + m)
                    .orElse("not a cluster member");
            out.add(c.mac() + " (" + who + ") heard by " + c.seenBy() + " since "
                    + Instant.ofEpochMilli(c.sinceMillis()) + " as " + c.kind());
        }
        return out;
    }
}
