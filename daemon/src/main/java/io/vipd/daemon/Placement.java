package io.vipd.daemon;

import io.vipd.cluster.Assigner;
import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's placement: who may receive VIPs (earned, not lagging), since when each node has been eligible for
 * each VIP (preempt delays), how long a new VIP has waited and how long an owner has held a VIP (preempt hold),
 * handovers not confirmed within the failover timeout, VIPs a reload removed, and the assignments
 * {@link Assigner} plans from that. Runs on the agent thread; forgets its leader-only bookkeeping when this node
 * stops being a ready leader.
 */
final class Placement {
    private static final Logger LOG = LoggerFactory.getLogger(Placement.class);
    /**
     * How long a new leader waits for every member to become a candidate before placing VIPs that never had an
     * owner: at a cold start on a loaded host (five JVMs starting on two cores) the last members' renewals were
     * seen to be confirmed more than 3 s after the leader's, and VIPs placed on the first candidates stay there
     * (nothing moves them back without preemption). A cluster with a member really down waits this long once.
     */
    static final long STARTUP_PATIENCE_MS = 6000;
    /** A round runs at least this often when nothing it reads changed; see {@link #due}. */
    static final long REFRESH_NANOS = 100_000_000L;

    private final Supplier<VipdConfig> config;
    private final Liveness liveness;
    private final LaggingFollowers laggingFollowers;
    private final Handovers handovers;
    private final LongSupplier nanos;
    private final LongSupplier wallMillis;
    /** Where completions of submitted assignments are handled: the agent thread. */
    private final Executor agentThread;

    private final long refreshNanos;
    private final Set<String> inFlight = new HashSet<>();
    /** What the last full round decided from (see {@link #due}); null: none yet. */
    private VipTable lastTable;
    private VipdConfig lastConfig;
    private Set<String> lastLive;
    private Set<String> lastCandidates;
    private Set<String> lastEarning;
    private Long lastRoundNanos;
    /** An assignment completed, or a reload: the next tick runs a full round. */
    private boolean dirty;
    /** When this node last became a ready leader; null while it is not leader. */
    private Long leaderSinceNanos;
    /** When this node first saw each pending handover ("vip#epoch"), for the confirmation timeout. */
    private final Map<String, Long> releasingSeenNanos = new HashMap<>();
    /**
     * Since when each VIP has been without a live owner: a new VIP's patience, a failover's wait for a preferred
     * node that is earning.
     */
    private final Map<String, Long> vacantSinceNanos = new HashMap<>();
    /** Since when each "node#vip" has been eligible, for preempt delays. */
    private final Map<String, Long> eligibleSinceNanos = new HashMap<>();
    /** When this node applied each VIP's latest owner change (monotonic), for preempt hold times; any thread. */
    private final Map<String, Long> ownerSinceNanos = new ConcurrentHashMap<>();

    Placement(Supplier<VipdConfig> config, Liveness liveness, LaggingFollowers laggingFollowers, Handovers handovers,
              LongSupplier nanos, LongSupplier wallMillis, Executor agentThread) {
        this(config, liveness, laggingFollowers, handovers, nanos, wallMillis, agentThread, REFRESH_NANOS);
    }

    /** @param refreshNanos a full round runs at least this often when nothing it reads changed (0: every round) */
    Placement(Supplier<VipdConfig> config, Liveness liveness, LaggingFollowers laggingFollowers, Handovers handovers,
              LongSupplier nanos, LongSupplier wallMillis, Executor agentThread, long refreshNanos) {
        this.refreshNanos = refreshNanos;
        this.config = config;
        this.liveness = liveness;
        this.laggingFollowers = laggingFollowers;
        this.handovers = handovers;
        this.nanos = nanos;
        this.wallMillis = wallMillis;
        this.agentThread = agentThread;
    }

    /** An owner change of {@code vip} was applied (any thread). */
    void ownerChanged(String vip) {
        ownerSinceNanos.put(vip, nanos.getAsLong());
    }

    /** A reload changed the VIPs: assignments in flight are for the old set. */
    void reconfigured() {
        inFlight.clear();
        dirty = true;
    }

    /** One placement round: on a ready leader, submits what the table needs; elsewhere forgets leader state. */
    void round(Consensus cluster, VipTable table, boolean leaderReady) {
        if (!leaderReady) {
            leaderSinceNanos = null;
            releasingSeenNanos.clear();
            eligibleSinceNanos.clear();
            vacantSinceNanos.clear();
            laggingFollowers.reset();
            lastRoundNanos = null;
            return;
        }
        VipdConfig c = config.get();
        long now = nanos.getAsLong();
        if (leaderSinceNanos == null) {
            leaderSinceNanos = now;
        }
        // First-time placement waits this long for every member to show up (daemons on one cluster rarely start
        // within a failover timeout of each other); VIPs that lose an owner never wait.
        long patienceMs = Math.max(c.timing().failoverTimeoutMs(), STARTUP_PATIENCE_MS);
        boolean settled = now - leaderSinceNanos >= patienceMs * 1_000_000L;
        Set<String> members = memberIds(c);
        // This leader knows only the renewals it confirmed itself: a new term starts with a failover timeout of
        // grace for every member (see Liveness). A condemned node that owns nothing any more may renew again.
        liveness.leading(cluster.term(), io.vipd.cluster.RenewalDesk.graced(members, table), now);
        for (String node : liveness.condemned()) {
            if (table.vips().values().stream().noneMatch(v -> node.equals(v.owner()))) {
                liveness.pardon(node);
            }
        }
        Set<String> live = liveness.liveNodes(now);
        live.retainAll(members);
        // Only nodes that earned it receive VIPs: renewing steadily, not merely reachable (see Liveness).
        Set<String> candidates = liveness.earnedNodes(now);
        candidates.retainAll(members);
        Set<String> witnesses = witnessIds(c);
        candidates.removeAll(witnesses); // they vote, and never hold a VIP
        Set<String> lagging = laggingFollowers.update(now).keySet();
        candidates.removeAll(lagging);
        Set<String> earning = liveness.earningNodes(now);
        earning.retainAll(members);
        earning.removeAll(lagging); // it would not be a candidate once earned either
        earning.removeAll(witnesses);
        if (!due(table, c, live, candidates, earning, now)) {
            return;
        }
        // A group is planned whole or not at all: one member's assignment in flight holds back all of them.
        Set<String> groupsInFlight = new HashSet<>();
        c.vips().stream().filter(v -> v.group() != null && inFlight.contains(v.name()))
                .forEach(v -> groupsInFlight.add(v.group()));
        List<VipSpec> pending = c.vips().stream().filter(v -> !inFlight.contains(v.name())
                && (v.group() == null || !groupsInFlight.contains(v.group()))).toList();
        for (VipSpec spec : c.vips()) {
            String owner = table.vip(spec.name()).owner();
            if (owner == null || !live.contains(owner)) {
                vacantSinceNanos.putIfAbsent(spec.name(), now);
            } else {
                vacantSinceNanos.remove(spec.name());
            }
        }
        timeOutReleases(cluster, table, now, c.timing().failoverTimeoutMs());
        // The members placement waits for at start-up and plans for: those that may hold VIPs.
        Set<String> holders = new TreeSet<>(members);
        holders.removeAll(witnesses);
        Assigner.Inputs inputs = new Assigner.Inputs(table, pending, live, candidates, holders, settled,
                wallMillis.getAsLong(), (node, vip) -> {
                    Long since = eligibleSinceNanos.get(node + "#" + vip);
                    return since == null ? -1 : (now - since) / 1_000_000L;
                }, new Assigner.Ages() {
                    @Override
                    public long heldMillis(String vip) {
                        // an owner change this node did not see (before a snapshot it loaded): counted from now
                        return (now - ownerSinceNanos.computeIfAbsent(vip, k -> now)) / 1_000_000L;
                    }

                    @Override
                    public long vacantMillis(String vip) {
                        return (now - vacantSinceNanos.getOrDefault(vip, now)) / 1_000_000L;
                    }

                    @Override
                    public boolean renewedThroughSilence(String node) {
                        return liveness.steadyMillis(node, now) >= c.watch().silentAfterMs(c.vips().size());
                    }

                    @Override
                    public long sinceRenewalMillis(String node) {
                        return liveness.sinceMillis(node, now);
                    }
                }, earning, c.nodeId());
        for (VipSpec spec : c.vips()) {
            for (String node : holders) {
                String key = node + "#" + spec.name();
                if (Assigner.eligible(inputs, spec, node)) {
                    eligibleSinceNanos.putIfAbsent(key, now);
                } else {
                    eligibleSinceNanos.remove(key);
                }
            }
        }
        // VIPs the leader's configuration no longer has (a reload removed them): released everywhere.
        Set<String> configured = new HashSet<>();
        c.vips().forEach(v -> configured.add(v.name()));
        List<Command.Assign> round = new java.util.ArrayList<>();
        for (VipState v : table.vips().values()) {
            if (v.owner() != null && !configured.contains(v.name())) {
                round.add(new Command.Assign(v.name(), v.epoch(), 0, null, wallMillis.getAsLong(),
                        "removed from the configuration", true));
            }
        }
        round.addAll(Assigner.plan(inputs));
        submit(cluster, table, round, c);
    }

    /**
     * Whether a full round is due: what it decides from changed (the table, the configuration, who is live, a
     * candidate or earning, an assignment completed), or the refresh period passed (for the rules that wait a
     * while: preempt delays, new VIPs' patience, handovers not confirmed). A round walks every VIP for every
     * member; with a thousand VIPs, one on every tick kept a core busy.
     */
    private boolean due(VipTable table, VipdConfig c, Set<String> live, Set<String> candidates, Set<String> earning,
                        long now) {
        boolean changed = dirty || table != lastTable || c != lastConfig || !live.equals(lastLive)
                || !candidates.equals(lastCandidates) || !earning.equals(lastEarning);
        if (!changed && lastRoundNanos != null && now - lastRoundNanos < refreshNanos) {
            return false;
        }
        dirty = false;
        lastTable = table;
        lastConfig = c;
        lastLive = live;
        lastCandidates = candidates;
        lastEarning = earning;
        lastRoundNanos = now;
        return true;
    }

    /** The members Raft leadership may not be handed to ({@link Peer#takesLeadership}). */
    static Set<String> notLeaders(VipdConfig config) {
        return new TreeSet<>(config.peers().stream().filter(p -> !p.takesLeadership()).map(Peer::id).toList());
    }

    /** The members that are witnesses, as {@code config} names them. */
    static Set<String> witnessIds(VipdConfig config) {
        return new TreeSet<>(config.peers().stream().filter(Peer::witness).map(Peer::id).toList());
    }

    /** The cluster's members as {@code config} names them. */
    static Set<String> memberIds(VipdConfig config) {
        return new TreeSet<>(config.peers().stream().map(Peer::id).toList());
    }

    /**
     * Submits a round's assignments in one log entry (one commit, however many VIPs a failed host had), skipping
     * VIPs whose last assignment is still in flight and failovers whose owner renewed since the decision.
     */
    private void submit(Consensus cluster, VipTable table, List<Command.Assign> round, VipdConfig c) {
        List<Command.Assign> batch = new java.util.ArrayList<>();
        java.util.Map<String, List<Command.Assign>> groups = new java.util.TreeMap<>();
        Set<String> groupsHeldBack = new HashSet<>();
        BatchLog decisions = new BatchLog(LOG);
        List<Command.Assign> accepted = new java.util.ArrayList<>();
        for (Command.Assign assign : round) {
            String group = c.vip(assign.vip()).map(VipSpec::group).orElse(null);
            if (inFlight.contains(assign.vip())) {
                if (group != null) {
                    groupsHeldBack.add(group);
                }
                continue;
            }
            String previous = assign.handover() ? null : table.vip(assign.vip()).owner();
            if (previous != null && !liveness.condemn(previous, nanos.getAsLong())) {
                // a renewal of the owner's was confirmed since the decision: its lease runs on, so it keeps the VIP
                LOG.info("not failing VIP {} over: {} renewed since the decision", assign.vip(), previous);
                if (group != null) {
                    groupsHeldBack.add(group); // the group moves whole or not at all
                }
                continue;
            }
            accepted.add(assign);
        }
        for (Command.Assign assign : accepted) {
            String group = c.vip(assign.vip()).map(VipSpec::group).orElse(null);
            if (group != null && groupsHeldBack.contains(group)) {
                continue;
            }
            inFlight.add(assign.vip());
            // The leader's decision, timestamped: with the owner change each node logs when it applies it and the
            // new owner's "acquired", it shows where a failover's time went (FailoverBenchmark reads them).
            String target = assign.owner() == null ? "(none)" : assign.owner();
            String why = assign.reason() + lastRenewal(table, assign);
            decisions.add(assign.vip(), "placed on " + target + ": " + why, "placing VIP " + assign.vip() + " on "
                    + target + " (epoch " + (assign.expectedEpoch() + 1) + "): " + why);
            if (group == null) {
                batch.add(assign);
            } else {
                groups.computeIfAbsent(group, g -> new java.util.ArrayList<>()).add(assign);
            }
        }
        decisions.flush();
        // A group's assignments apply all or none, in an entry of their own; the other VIPs' share one entry.
        groups.values().forEach(together -> send(cluster, together.size() == 1 ? together.get(0)
                : new Command.Together(together), together));
        if (!batch.isEmpty()) {
            send(cluster, batch.size() == 1 ? batch.get(0) : new Command.Assignments(batch), batch);
        }
    }

    private void send(Consensus cluster, Command command, List<Command.Assign> assigns) {
        cluster.submit(command).thenAccept(outcome -> agentThread.execute(
                () -> {
                    assigns.forEach(a -> inFlight.remove(a.vip()));
                    dirty = true;
                }));
    }

    /** For a failover: how long ago this leader confirmed the previous owner's last renewal. */
    private String lastRenewal(VipTable table, Command.Assign assign) {
        String previous = assign.handover() ? null : table.vip(assign.vip()).owner();
        if (previous == null) {
            return "";
        }
        long ms = liveness.sinceMillis(previous, nanos.getAsLong());
        return ms < 0 ? "; no renewal from " + previous + " confirmed by this leader"
                : "; " + previous + "'s last renewal confirmed " + ms + " ms ago";
    }

    /**
     * A previous owner that has not confirmed a handover within the failover timeout (counted from when this leader
     * first saw the handover, which is after it committed) has certainly stopped answering, by the same lease
     * argument as a failover; the new owner may go ahead.
     */
    private void timeOutReleases(Consensus cluster, VipTable table, long now, long failoverTimeoutMs) {
        Set<String> pending = new HashSet<>();
        for (VipState v : table.vips().values()) {
            if (v.releasing() == null) {
                continue;
            }
            String key = v.name() + "#" + v.epoch();
            pending.add(key);
            long seen = releasingSeenNanos.computeIfAbsent(key, k -> now);
            if (now - seen >= failoverTimeoutMs * 1_000_000L) {
                handovers.submitRelease(cluster, v, "no confirmation from " + v.releasing()
                        + " within the failover timeout");
            }
        }
        releasingSeenNanos.keySet().retainAll(pending);
    }
}
