package io.vipd.daemon;

import io.vipd.cluster.Assigner;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.Command;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipStateMachine;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.control.Caller;
import io.vipd.control.StatusReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives ownership on this node, all on one thread: sends renewals, lets the leader place VIPs, and keeps the host
 * in line with what the lease allows. Ratis's apply thread only hands events over to it.
 */
public final class OwnershipAgent implements VipStateMachine.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(OwnershipAgent.class);
    private static final long RECONCILE_PERIOD_MS = 20;
    private static final long PLACEMENT_PERIOD_MS = 20;
    private static final long STARTUP_PATIENCE_MS = 3000;

    /** Replaced by a reload (on the agent thread); the Raft and timing parts never change while running. */
    private volatile VipdConfig config;
    private final HostActuator host;
    private final OwnerLease lease;
    private final Liveness liveness;
    /** The operator commands (moves, drains) this node applied since it started: the log and status show who. */
    private final OperatorActions operatorActions = new OperatorActions(java.time.Clock.systemUTC());
    private final ScheduledExecutorService executor;
    private final Set<String> placementsInFlight = new HashSet<>();
    private final AtomicInteger renewalsInFlight = new AtomicInteger();
    private volatile Consensus cluster;
    private volatile VipStateMachine stateMachine;
    private volatile boolean stopping;
    /** Log index up to which applied entries are a replay of this node's own log at start-up. */
    private volatile long replayUntil = Long.MAX_VALUE;
    private final int maxRenewalsInFlight;
    private boolean leaseWasValid;
    private boolean leaseLapsedOnce;
    private volatile String lastRenewalError = "none";
    /** When this node last became a ready leader; null while it is not leader. Agent thread only. */
    private Long leaderSinceNanos;
    /** Service-manager notifications (sd_notify state lines); a no-op outside systemd. */
    private volatile java.util.function.Consumer<String> notifier = state -> { };
    /** Whether a renewal of this node has committed yet: the node has joined the cluster. Agent thread only. */
    private boolean joined;
    /** Last STATUS= line sent, so only changes are sent. Agent thread only. */
    private String lastServiceStatus = "";
    /** Handovers ("vip#epoch") whose confirmation or timeout this node has submitted and not seen finish. */
    private final Set<String> releasesInFlight = new HashSet<>();
    /** Leader only: when this node first saw each pending handover ("vip#epoch"), for the confirmation timeout. */
    private final Map<String, Long> releasingSeenNanos = new java.util.HashMap<>();
    /** When this node applied each VIP's latest owner change (monotonic), for preempt hold times. */
    private final Map<String, Long> ownerSinceNanos = new java.util.concurrent.ConcurrentHashMap<>();
    /** Leader only: since when each VIP that never had an owner has been waiting, for a new VIP's patience. */
    private final Map<String, Long> unplacedSinceNanos = new java.util.HashMap<>();
    /** Leader only: since when each "node#vip" has been eligible, for preempt delays. */
    private final Map<String, Long> eligibleSinceNanos = new java.util.HashMap<>();
    /** This node's health-check results (VIP → "" or the failure); null until the checks first ran. */
    private Map<String, String> localHealth;
    private boolean healthReportInFlight;
    /** Leader only: followers that lag behind the log; they get no VIPs. */
    private final LaggingFollowers laggingFollowers;
    private boolean definitionsReportInFlight;

    public OwnershipAgent(VipdConfig config, HostActuator host) {
        this.config = config;
        this.host = host;
        this.lease = new OwnerLease(config.timing().leaseMs());
        this.liveness = new Liveness(config.timing().failoverTimeoutMs(), config.timing().earnMs(),
                config.timing().renewalGapMs());
        this.maxRenewalsInFlight = config.timing().maxRenewalsInFlight();
        this.laggingFollowers = new LaggingFollowers(() -> cluster, liveness::live);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vipd-agent");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Where to send service-manager state lines (systemd's READY=1, STATUS=..., STOPPING=1, WATCHDOG=1). READY=1
     * is sent once this node's first renewal commits: a majority accepted it as a member, so it has joined.
     */
    public void notifyServiceManager(java.util.function.Consumer<String> notifier) {
        this.notifier = notifier;
    }

    /**
     * Sends WATCHDOG=1 from the agent thread every {@code periodMs}: if that thread stalls, systemd's watchdog
     * restarts the daemon (its lease, and so its kernel fence, has long lapsed by then).
     */
    public void startWatchdog(long periodMs) {
        executor.scheduleAtFixedRate(guard(() -> notifier.accept("WATCHDOG=1")), 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Starts renewing, placing and reconciling. Entries up to the log's current end are a replay of old news. */
    public void start(Consensus cluster, VipStateMachine stateMachine) {
        this.cluster = cluster;
        this.stateMachine = stateMachine;
        this.replayUntil = cluster.lastLogIndex();
        executor.scheduleAtFixedRate(guard(this::renew), 0, config.timing().renewIntervalMs(), TimeUnit.MILLISECONDS);
        executor.scheduleAtFixedRate(guard(this::place), PLACEMENT_PERIOD_MS, PLACEMENT_PERIOD_MS,
                TimeUnit.MILLISECONDS);
        executor.scheduleAtFixedRate(guard(this::reconcile), RECONCILE_PERIOD_MS, RECONCILE_PERIOD_MS,
                TimeUnit.MILLISECONDS);
        executor.scheduleAtFixedRate(guard(this::checkReplication), REPLICATION_CHECK_MS, REPLICATION_CHECK_MS,
                TimeUnit.MILLISECONDS);
    }

    private static final long REPLICATION_CHECK_MS = 250;
    private static final long STUCK_AFTER_NANOS = 3_000_000_000L;
    private static final long UNSTICK_AT_MOST_EVERY_NANOS = 20_000_000_000L;
    /** Long.MIN_VALUE: not watching (not a follower with a known leader). */
    private long appliedSeen = Long.MIN_VALUE;
    private long appliedSinceNanos;
    private long lastReplicationCheckNanos;
    private long lastUnstickNanos = System.nanoTime() - UNSTICK_AT_MOST_EVERY_NANOS;
    private int unstickTarget;

    /**
     * A follower whose applied index stands still while it hears from a leader is not being replicated to. Ratis 3.3
     * can get stuck that way: after a follower kept a divergent uncommitted tail from an old leader, a heartbeat
     * reply can advance the leader's match index for it past the common prefix, and the leader then never backs off
     * (RATIS-2605, fixed upstream after 3.3.0). A new leader starts with fresh follower state, so the stuck follower
     * asks the group to hand leadership to another member (bounded at 300 ms, during which writes wait: well inside
     * a lease). Rate-limited; skipped when this check itself was delayed (a paused process has applied nothing
     * either).
     */
    private void checkReplication() {
        long now = System.nanoTime();
        boolean delayed = now - lastReplicationCheckNanos > 4 * REPLICATION_CHECK_MS * 1_000_000L;
        lastReplicationCheckNanos = now;
        java.util.Optional<String> leaderId = cluster.leader();
        if (stopping || !cluster.isFollower() || leaderId.isEmpty()) {
            appliedSeen = Long.MIN_VALUE;
            return;
        }
        long applied = cluster.appliedIndex();
        if (applied != appliedSeen || delayed) {
            appliedSeen = applied;
            appliedSinceNanos = now;
            return;
        }
        if (now - appliedSinceNanos < STUCK_AFTER_NANOS || now - lastUnstickNanos < UNSTICK_AT_MOST_EVERY_NANOS) {
            return;
        }
        String leader = leaderId.get();
        List<String> others = config.peers().stream().map(Peer::id)
                .filter(id -> !id.equals(config.nodeId()) && !id.equals(leader)).toList();
        if (others.isEmpty()) {
            return;
        }
        lastUnstickNanos = now;
        String target = others.get(unstickTarget++ % others.size());
        LOG.warn("replication to this node is stuck: nothing applied for {} ms (index {}) while leader {} is known; "
                + "asking the group to hand leadership to {}", (now - appliedSinceNanos) / 1_000_000L, applied,
                leader, target);
        LaggingFollowers.handLeadershipTo(cluster, target);
    }

    /**
     * Hands work to the agent thread. After shutdown the executor refuses it, which must not become an exception
     * in a caller such as Ratis's apply thread (it would close the Raft server in the middle of our own close).
     */
    private void post(Runnable r) {
        try {
            executor.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: nothing is reconciled any more
        }
    }

    private static Runnable guard(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("agent task failed", e); // a failed round must not cancel the periodic task
            }
        };
    }

    private void renew() {
        if (stopping || renewalsInFlight.get() >= maxRenewalsInFlight) {
            return;
        }
        if (cluster.leader().isEmpty()) {
            // No leader known: a renewal could not commit anyway, and a storm of retries is what keeps a freshly
            // elected leader from answering heartbeats on a busy host.
            return;
        }
        long start = System.nanoTime();
        renewalsInFlight.incrementAndGet();
        cluster.submit(new Command.Renew(config.nodeId())).thenAccept(outcome -> {
            renewalsInFlight.decrementAndGet();
            if (!outcome.committed()) {
                lastRenewalError = outcome.error();
                LOG.debug("renewal failed: {}", lastRenewalError);
                return;
            }
            try {
                VipStateMachine.RenewReply r = VipStateMachine.decodeRenewReply(outcome.reply());
                post(guard(() -> {
                    if (!stopping) {
                        lease.renewed(start, r.index(), r.owned());
                        reconcile();
                        if (!joined) {
                            joined = true;
                            lastServiceStatus = serviceStatus(System.nanoTime());
                            LOG.info("joined cluster {}: first renewal committed", config.clusterName());
                            notifier.accept("READY=1\nSTATUS=" + lastServiceStatus);
                        }
                    }
                }));
            } catch (java.io.IOException e) {
                LOG.error("malformed renewal reply: {}", e.getMessage());
            }
        });
    }

    private void place() {
        if (stopping || !cluster.isLeaderReady()) {
            leaderSinceNanos = null;
            releasingSeenNanos.clear();
            eligibleSinceNanos.clear();
            unplacedSinceNanos.clear();
            laggingFollowers.reset();
            return;
        }
        long now = System.nanoTime();
        if (leaderSinceNanos == null) {
            leaderSinceNanos = now;
        }
        // First-time placement waits this long for every member to show up (daemons on one cluster rarely start
        // within a failover timeout of each other); VIPs that lose an owner never wait.
        long patienceMs = Math.max(config.timing().failoverTimeoutMs(), STARTUP_PATIENCE_MS);
        boolean settled = now - leaderSinceNanos >= patienceMs * 1_000_000L;
        Set<String> members = new java.util.TreeSet<>(config.peers().stream().map(Peer::id).toList());
        Set<String> live = liveness.liveNodes(now);
        live.retainAll(members);
        // Only nodes that earned it receive VIPs: renewing steadily, not merely reachable (see Liveness).
        Set<String> candidates = liveness.earnedNodes(now);
        candidates.retainAll(members);
        candidates.removeAll(laggingFollowers.update(now).keySet());
        VipTable table = stateMachine.table();
        timeOutReleases(table, now);
        List<VipSpec> pending = config.vips().stream().filter(v -> !placementsInFlight.contains(v.name())).toList();
        for (VipSpec spec : config.vips()) {
            if (table.vip(spec.name()).epoch() == 0) {
                unplacedSinceNanos.putIfAbsent(spec.name(), now);
            } else {
                unplacedSinceNanos.remove(spec.name());
            }
        }
        Assigner.Inputs inputs = new Assigner.Inputs(table, pending, live, candidates, members, settled,
                System.currentTimeMillis(), (node, vip) -> {
                    Long since = eligibleSinceNanos.get(node + "#" + vip);
                    return since == null ? -1 : (now - since) / 1_000_000L;
                }, new Assigner.Ages() {
                    @Override
                    public long heldMillis(String vip) {
                        // an owner change this node did not see (before a snapshot it loaded): counted from now
                        return (now - ownerSinceNanos.computeIfAbsent(vip, k -> now)) / 1_000_000L;
                    }

                    @Override
                    public long unplacedMillis(String vip) {
                        return (now - unplacedSinceNanos.getOrDefault(vip, now)) / 1_000_000L;
                    }
                });
        for (VipSpec spec : config.vips()) {
            for (String node : members) {
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
        config.vips().forEach(v -> configured.add(v.name()));
        for (VipState v : table.vips().values()) {
            if (v.owner() != null && !configured.contains(v.name()) && placementsInFlight.add(v.name())) {
                cluster.submit(new Command.Assign(v.name(), v.epoch(), 0, null, System.currentTimeMillis(),
                        "removed from the configuration", true)).thenAccept(outcome -> post(
                                () -> placementsInFlight.remove(v.name())));
            }
        }
        for (Command.Assign assign : Assigner.plan(inputs)) {
            placementsInFlight.add(assign.vip());
            cluster.submit(assign).thenAccept(outcome -> post(
                    () -> placementsInFlight.remove(assign.vip())));
        }
    }

    /**
     * Leader: a previous owner that has not confirmed a handover within the failover timeout (counted from when
     * this leader first saw the handover, which is after it committed) has certainly stopped answering, by the
     * same lease argument as a failover; the new owner may go ahead.
     */
    private void timeOutReleases(VipTable table, long now) {
        Set<String> pending = new HashSet<>();
        for (VipState v : table.vips().values()) {
            if (v.releasing() == null) {
                continue;
            }
            String key = v.name() + "#" + v.epoch();
            pending.add(key);
            long seen = releasingSeenNanos.computeIfAbsent(key, k -> now);
            if (now - seen >= config.timing().failoverTimeoutMs() * 1_000_000L) {
                submitRelease(v, "no confirmation from " + v.releasing() + " within the failover timeout");
            }
        }
        releasingSeenNanos.keySet().retainAll(pending);
    }

    private void reconcile() {
        if (stopping || stateMachine == null) {
            // Before start(): Ratis replays this node's own log while the server starts, and each applied entry
            // posts a reconcile. There is nothing to reconcile yet; start() schedules the first round itself.
            return;
        }
        // The lease's view first catches up with the applied table, so a handover confirmed below can never be
        // undone by an older renewal reply: the lease only ever moves to higher log indexes.
        VipStateMachine.View view = stateMachine.view();
        lease.observe(view.index(), view.table().ownedBy(config.nodeId()));
        long now = System.nanoTime();
        boolean valid = lease.valid(now);
        if (leaseWasValid && !valid) {
            LOG.warn("lease lapsed: no renewal committed for {} ms ({} in flight; last error: {})",
                    lease.sinceRenewalMillis(now), renewalsInFlight.get(), lastRenewalError);
        } else if (!leaseWasValid && valid && leaseLapsedOnce) {
            LOG.info("lease confirmed again");
        }
        leaseLapsedOnce |= leaseWasValid && !valid;
        leaseWasValid = valid;
        host.sync(lease.holdable(now), lease.deadlineNanos(), now);
        confirmReleases(view.table());
        reportDefinitions(view.table());
        reportHealth(view.table());
        String status = serviceStatus(now);
        if (!status.equals(lastServiceStatus)) {
            lastServiceStatus = status;
            notifier.accept("STATUS=" + status);
        }
    }

    /** One line for `systemctl status`: whether this node has joined, who leads, what it holds. */
    private String serviceStatus(long now) {
        String leader = cluster == null ? null : cluster.leader().orElse(null);
        if (!joined) {
            return "joining cluster " + config.clusterName() + ": "
                    + (leader == null ? "no leader yet (a majority of peers must be up)"
                            : "leader " + leader + ", first renewal not committed yet");
        }
        if (!lease.valid(now)) {
            // no running figures here: the line is re-sent whenever it changes
            return "lease lapsed (no renewal committed in time): holding no VIPs";
        }
        java.util.Set<String> held = host.heldSince().keySet();
        return "member of " + config.clusterName() + ", leader " + (leader == null ? "unknown" : leader)
                + ", holding " + (held.isEmpty() ? "no VIPs" : String.join(" ", held));
    }

    /**
     * Handovers away from this node: once the host no longer carries the VIP (address removed, fence closed),
     * tell the group, so the new owner may answer without waiting for the failover timeout.
     */
    private void confirmReleases(VipTable table) {
        Map<String, Long> held = host.heldSince();
        for (VipState v : table.vips().values()) {
            if (config.nodeId().equals(v.releasing()) && !held.containsKey(v.name())) {
                submitRelease(v, config.nodeId() + " let go");
            }
        }
    }

    private void submitRelease(VipState v, String reason) {
        String key = v.name() + "#" + v.epoch();
        if (!releasesInFlight.add(key)) {
            return;
        }
        cluster.submit(new Command.Released(v.name(), v.epoch(), v.releasing(), reason)).thenAccept(
                outcome -> post(() -> releasesInFlight.remove(key)));
    }

    private volatile java.util.function.BiConsumer<VipSpec, Long> faultListener = (spec, epoch) -> { };

    /** Told (on the agent thread) when a VIP's checks start failing on this node: the FAULT notify hook. */
    public void onFault(java.util.function.BiConsumer<VipSpec, Long> listener) {
        this.faultListener = listener;
    }

    /** Results of this node's health checks changed (called from the checkers' threads). */
    public void healthChanged(Map<String, String> results) {
        Map<String, String> copy = Map.copyOf(results);
        post(guard(() -> {
            for (Map.Entry<String, String> e : copy.entrySet()) {
                String before = localHealth == null ? null : localHealth.get(e.getKey());
                if (!e.getValue().isEmpty() && (before == null || before.isEmpty())) {
                    config.vip(e.getKey()).ifPresent(spec -> faultListener.accept(spec,
                            stateMachine == null ? 0 : stateMachine.table().vip(spec.name()).epoch()));
                }
            }
            localHealth = copy;
            if (cluster != null) {
                reconcile();
            }
        }));
    }

    /** What this node's configuration defines: VIP → address/prefix. */
    private Map<String, String> localDefinitions() {
        Map<String, String> defs = new TreeMap<>();
        config.vips().forEach(v -> defs.put(v.name(), v.cidr()));
        return defs;
    }

    /** Keeps the group's record of this node's VIP definitions equal to its configuration (retried until it is). */
    private void reportDefinitions(VipTable table) {
        Map<String, String> defs = localDefinitions();
        if (definitionsReportInFlight || defs.equals(table.definitionsOf(config.nodeId()))
                || cluster.leader().isEmpty()) {
            return;
        }
        definitionsReportInFlight = true;
        cluster.submit(new Command.Definitions(config.nodeId(), defs)).thenAccept(
                outcome -> post(() -> definitionsReportInFlight = false));
    }

    /** Keeps the group's record of this node's check results equal to the local one (retried until it is). */
    private void reportHealth(VipTable table) {
        if (localHealth == null || healthReportInFlight || localHealth.equals(table.healthOf(config.nodeId()))
                || cluster.leader().isEmpty()) {
            return;
        }
        healthReportInFlight = true;
        cluster.submit(new Command.Health(config.nodeId(), localHealth)).thenAccept(
                outcome -> post(() -> healthReportInFlight = false));
    }

    @Override
    public void applied(long index, Command command, VipTable before, VipTable after) {
        long now = System.nanoTime();
        if (command instanceof Command.Renew r) {
            if (index > replayUntil) {
                liveness.renewed(r.node(), now);
            } else {
                // replayed from this node's own log at start-up: old news, it earns nothing (but keeps the node
                // from being judged dead before it could renew again)
                liveness.grace(r.node(), now);
            }
        } else if (command instanceof Command.Leave l) {
            liveness.left(l.node());
        } else if (command instanceof Command.Definitions d && before != after && index > replayUntil
                && !d.node().equals(config.nodeId())) {
            for (VipSpec spec : config.vips()) {
                String theirs = d.vips().get(spec.name());
                if (!spec.cidr().equals(theirs)) {
                    LOG.warn("configuration mismatch: {} defines VIP {} as {}, this node as {}; {} will not be given "
                            + "it while they differ", d.node(), spec.name(), theirs == null ? "nothing" : theirs,
                            spec.cidr(), d.node());
                }
            }
        } else if (command instanceof Command.Assign a && a.owner() != null && before != after) {
            // A new owner gets one failover timeout before it can be judged dead, even if its renewals have not
            // been applied here lately (this node may have seen them late): only ever delays a move.
            liveness.grace(a.owner(), now);
        } else if (command instanceof Command.Move m && before != after) {
            liveness.grace(m.target(), now);
        }
        if (command instanceof Command.Move || command instanceof Command.Drain) {
            operatorActions.applied(command, before != after, index > replayUntil);
        }
        if (before != after) {
            for (VipState v : after.vips().values()) {
                VipState old = before.vip(v.name());
                if (!Objects.equals(old.owner(), v.owner())) {
                    ownerSinceNanos.put(v.name(), now);
                    if (index <= replayUntil) {
                        LOG.debug("replayed: VIP {}: owner {} -> {} (epoch {})", v.name(), name(old.owner()),
                                name(v.owner()), v.epoch());
                        continue;
                    }
                    LOG.info("VIP {}: owner {} -> {} (epoch {}): {}", v.name(), name(old.owner()), name(v.owner()),
                            v.epoch(), v.reason());
                }
            }
        }
        Map<String, Long> mine = after.ownedBy(config.nodeId());
        post(guard(() -> {
            lease.observe(index, mine);
            reconcile();
        }));
    }

    @Override
    public void reset(long index, VipTable table) {
        if (cluster != null) {
            LOG.info("installed the leader's snapshot at index {} (this node was behind the leader's log)", index);
        }
        Map<String, Long> mine = table.ownedBy(config.nodeId());
        post(guard(() -> lease.observe(index, mine)));
    }

    private static String name(String owner) {
        return owner == null ? "(none)" : owner;
    }

    /**
     * Shutdown: stop renewing, drop the addresses first, then tell the group (bounded wait) so the VIPs move at once.
     */
    public void shutdown(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        notifier.accept("STOPPING=1\nSTATUS=stopping: releasing VIPs and handing them to the cluster");
        // A follower in step takes over within one heartbeat round; 300 ms is plenty and keeps the stop short.
        handOffLeadership(Math.min(300, timeoutMs));
        CompletableFuture<Void> released = CompletableFuture.runAsync(() -> {
            stopping = true;
            lease.revoke(System.nanoTime());
            host.releaseAll("daemon stopping");
        }, executor);
        try {
            released.get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("could not release addresses cleanly: {}", e.toString());
        }
        if (cluster != null) {
            // A renewal still in flight that committed after the Leave would make this node look back; let them land.
            long renewalsDeadline = Math.min(deadline, System.nanoTime() + 200_000_000L);
            while (renewalsInFlight.get() > 0 && System.nanoTime() < renewalsDeadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            tellGroupLeaving(deadline);
        }
        executor.shutdownNow();
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000L);
    }

    /**
     * Commits this node's Leave, so its VIPs move at once. Retried until the deadline: right after a leadership
     * hand-off the client first asks this node (no longer leader), then the new one, which accepts writes only once
     * it has committed its first entry; the client's own few retries do not always span that.
     */
    private void tellGroupLeaving(long deadline) {
        String lastError = "no attempt";
        int attempts = 0;
        while (System.nanoTime() < deadline) {
            attempts++;
            try {
                Consensus.Outcome reply = cluster.submit(new Command.Leave(config.nodeId(), System.currentTimeMillis()))
                        .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                if (reply.committed()) {
                    LOG.info("handed VIPs back to the cluster{}", attempts > 1 ? " (attempt " + attempts + ")" : "");
                    return;
                }
                lastError = reply.error();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                lastError = e.toString();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("could not tell the cluster this node is leaving ({} attempts, last: {}); its VIPs move after the "
                + "failover timeout", attempts, lastError);
    }

    /**
     * {@code vipctl move VIP NODE}: a handover of {@code vip} to {@code target} (the current owner lets go, then
     * the target answers). Checked here first so an impossible move is refused with its reason.
     */
    public String move(Caller caller, String vip, String target) throws Exception {
        LOG.info("move {} to {} requested by {}", vip, target, caller.describe());
        Command.Move assign = executor.submit(() -> {
            VipSpec spec = config.vip(vip).orElseThrow(() -> new IllegalArgumentException("unknown VIP '" + vip
                    + "' (configured: " + String.join(", ", config.vips().stream().map(VipSpec::name).toList())
                    + ")"));
            if (config.peer(target).isEmpty()) {
                throw new IllegalArgumentException("unknown node '" + target + "' (members: " + String.join(", ",
                        config.peers().stream().map(Peer::id).toList()) + ")");
            }
            VipTable table = stateMachine.table();
            VipState state = table.vip(vip);
            if (target.equals(state.holder())) {
                throw new IllegalArgumentException(vip + " is already on " + target);
            }
            if (table.drained().contains(target)) {
                throw new IllegalArgumentException(target + " is drained (vipctl undrain " + target + " first)");
            }
            String ineligible = whyNotEligible(target, System.nanoTime());
            if (ineligible != null) {
                throw new IllegalArgumentException(target + " may not receive VIPs yet: " + ineligible);
            }
            String sick = Assigner.unhealthyReason(table, spec, target);
            if (sick != null) {
                throw new IllegalArgumentException(target + " fails " + vip + "'s checks: " + sick);
            }
            return new Command.Move(vip, state.epoch(), target, System.currentTimeMillis(), config.nodeId(),
                    caller.who());
        }).get(2, TimeUnit.SECONDS);
        String from = stateMachine.table().vip(vip).owner();
        Consensus.Outcome reply = cluster.submit(assign).get(5, TimeUnit.SECONDS);
        if (!reply.committed()) {
            throw new IllegalStateException("the group did not commit the move: " + reply.error());
        }
        if (!reply.changed()) {
            throw new IllegalStateException(vip + " changed while the move was being decided; try again");
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && !target.equals(stateMachine.table().vip(vip).holder())) {
            Thread.sleep(5);
        }
        VipState after = stateMachine.table().vip(vip);
        if (target.equals(after.holder())) {
            return vip + " moved from " + name(from) + " to " + target + " (epoch " + after.epoch() + ")";
        }
        return vip + " assigned to " + target + " (epoch " + after.epoch() + "); still waiting for "
                + name(after.releasing()) + " to let go (at most the failover timeout)";
    }

    /**
     * {@code vipctl drain NODE} / {@code undrain}: a drained node's VIPs move away by handover and it receives
     * none until undrained. Waits (bounded) until the drained node holds nothing it can hand over.
     */
    public String drain(Caller caller, String node, boolean drained) throws Exception {
        LOG.info("{} {} requested by {}", drained ? "drain" : "undrain", node, caller.describe());
        if (config.peer(node).isEmpty()) {
            throw new IllegalArgumentException("unknown node '" + node + "' (members: " + String.join(", ",
                    config.peers().stream().map(Peer::id).toList()) + ")");
        }
        Consensus.Outcome reply = cluster.submit(new Command.Drain(node, drained, System.currentTimeMillis(),
                        config.nodeId(), caller.who()))
                .get(5, TimeUnit.SECONDS);
        if (!reply.committed()) {
            throw new IllegalStateException("the group did not commit the drain: " + reply.error());
        }
        if (!drained) {
            return node + " undrained: it may receive VIPs again (existing owners keep theirs unless preempt is on)";
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> still = List.of();
        while (System.nanoTime() < deadline) {
            VipTable t = stateMachine.table();
            still = t.vips().values().stream()
                    .filter(v -> node.equals(v.owner()) || node.equals(v.releasing()))
                    .map(VipState::name).toList();
            if (still.isEmpty()) {
                break;
            }
            Thread.sleep(10);
        }
        return still.isEmpty()
                ? node + " drained: it owns no VIP"
                : node + " drained; still on it (no other eligible node, or still moving): " + String.join(", ", still);
    }

    /**
     * A leader that stops would leave the group without one for an election timeout or more, and its VIPs (and
     * everyone's renewals) waiting meanwhile; so it first hands leadership to the follower that is most recently
     * in touch, while its own VIPs are still answered. Best effort, bounded.
     */
    private void handOffLeadership(long timeoutMs) {
        if (cluster == null || !cluster.isLeaderReady()) {
            return;
        }
        String target = cluster.followersLastAnsweredMs().entrySet().stream()
                .filter(f -> f.getValue() < config.timing().leaseMs())
                .min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (target == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            // bounded here as well: a stop must not wait on the admin client's own retries
            Consensus.Outcome reply = CompletableFuture.supplyAsync(() -> cluster.transferLeadershipTo(target,
                    timeoutMs)).get(timeoutMs + 500, TimeUnit.MILLISECONDS);
            LOG.info("handed Raft leadership to {} in {} ms: {}", target, (System.nanoTime() - start) / 1_000_000L,
                    reply.committed() ? "ok" : reply.error());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("could not hand Raft leadership to {}: {}", target, e.toString());
        }
    }

    /**
     * Applies a reloaded configuration on the agent thread, between two reconciliations: the host first (removed or
     * redefined VIPs let go, the fence told what to guard), then placement and reporting use the new VIPs.
     */
    public void reconfigure(VipdConfig next) throws Exception {
        executor.submit(() -> {
            host.reconfigure(next.vips(), next.announce());
            config = next;
            placementsInFlight.clear();
            if (cluster != null) {
                reconcile();
            }
            return null;
        }).get(5, TimeUnit.SECONDS);
    }

    /** Asks the group to make this node the Raft leader. */
    public String lead(Caller caller) throws Exception {
        LOG.info("Raft leadership for {} requested by {}", config.nodeId(), caller.describe());
        Consensus.Outcome reply = cluster.transferLeadershipTo(config.nodeId(), 5000);
        if (!reply.committed()) {
            throw new IllegalStateException("leadership transfer failed: " + reply.error());
        }
        return config.nodeId() + " is now the leader";
    }

    /** Why {@code node} may not receive VIPs now (the leader's view of its log first), or null. */
    private String whyNotEligible(String node, long now) {
        String lagging = laggingFollowers.lagging().get(node);
        return lagging != null ? lagging : liveness.whyNotEarned(node, now);
    }

    /** A status snapshot, computed on the agent thread so it is consistent with what the host carries. */
    public StatusReport status() throws Exception {
        return executor.submit(this::buildStatus).get(2, TimeUnit.SECONDS);
    }

    private StatusReport buildStatus() {
        long now = System.nanoTime();
        boolean started = cluster != null && stateMachine != null;
        VipTable table = started ? stateMachine.table() : VipTable.EMPTY;
        String leader = started ? cluster.leader().orElse(null) : null;
        long term = started ? cluster.term() : 0L;
        long applied = started ? cluster.appliedIndex() : -1L;
        // A Raft server that stopped is no member, whatever its last role was (the daemon exits right after).
        String myRole = started ? cluster.role() : "STARTING";
        List<StatusReport.NodeStatus> nodes = new ArrayList<>();
        for (Peer p : config.peers()) {
            boolean self = p.id().equals(config.nodeId());
            boolean isLeader = p.id().equals(leader);
            String r;
            if (self) {
                r = myRole;
            } else if (isLeader) {
                r = "LEADER";
            } else if (liveness.live(p.id(), now)) {
                r = "FOLLOWER";
            } else {
                r = "UNKNOWN";
            }
            boolean reachable = self ? lease.valid(now) : liveness.live(p.id(), now);
            nodes.add(new StatusReport.NodeStatus(p.id(), p.address(), r, reachable, isLeader, self,
                    liveness.sinceMillis(p.id(), now), table.drained().contains(p.id()),
                    whyNotEligible(p.id(), now)));
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
                leaseState = "fenced";
            } else if (lease.remainingMillis(now) * 3 < config.timing().leaseMs()) {
                leaseState = "expiring";
            } else {
                leaseState = "held";
            }
            Map<String, String> health = new TreeMap<>();
            if (!spec.checks().isEmpty()) {
                for (Peer p : config.peers()) {
                    String why = Assigner.unhealthyReason(table, spec, p.id());
                    health.put(p.id(), why == null ? "ok" : why);
                }
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
                    health, disagreements));
        }
        return new StatusReport(config.nodeId(), config.clusterName(), myRole, leader, term, applied, nodes, vips)
                .withOperatorActions(operatorActions.recent());
    }
}
