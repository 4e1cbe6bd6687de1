package io.vipd.daemon;

import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.RenewReply;
import io.vipd.cluster.VipStateMachine;
import io.vipd.cluster.VipTable;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.control.Caller;
import io.vipd.control.StatusReport;
import io.vipd.host.NeighbourTap;
import io.vipd.host.HostNetwork;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives ownership on this node, all on one thread: sends renewals, lets the leader place VIPs, and keeps the host
 * in line with what the lease allows. Ratis's apply thread only hands events over to it.
 */
// About 350 lines: the thread, the schedule, and the wiring of some fifteen roles (each in its own class); the
// wiring of the host watch and doctor (issue 14) pushed it past 300. The shutdown sequence is the next to move out.
public final class OwnershipAgent implements VipStateMachine.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(OwnershipAgent.class);
    private static final long RECONCILE_PERIOD_MS = 20;
    private static final long PLACEMENT_PERIOD_MS = 20;

    /**
     * What the agent acts on: the file's configuration with the group's live membership as its peers (see
     * {@link LiveMembership}). Replaced on the agent thread, by a reload or a membership change.
     */
    private volatile VipdConfig config;
    /** The configuration file as last loaded (start or reload); the Raft and timing parts never change while running. */
    private volatile VipdConfig fileConfig;
    private final LiveMembership liveMembership = new LiveMembership();
    private final MembershipChanges membershipChanges;
    private final HostActuator host;
    private final OwnerLease lease;
    private final Liveness liveness;
    /** The operator commands (moves, drains) this node applied since it started: the log and status show who. */
    private final OperatorActions operatorActions = new OperatorActions(java.time.Clock.systemUTC());
    private final ScheduledExecutorService executor;
    private volatile Consensus cluster;
    private volatile VipStateMachine stateMachine;
    private volatile boolean stopping;
    /** Log index up to which applied entries are a replay of this node's own log at start-up. */
    private volatile long replayUntil = Long.MAX_VALUE;
    private final ServiceStatus serviceStatus;
    /** Leader only: followers that lag behind the log; they get no VIPs. */
    private final LaggingFollowers laggingFollowers;
    private final Handovers handovers;
    private final Placement placement;
    private final Reports reports;
    private final ReplicationWatchdog replicationWatchdog;
    private final AdminOperations admin;
    private final StatusBuilder statusBuilder;
    private final Departure departure;
    private final Renewals renewals;
    private final HostReconciler reconciler;
    private final AppliedEvents appliedEvents;
    private final Observers observers = new Observers(System::currentTimeMillis);
    private final io.vipd.cluster.RenewalDesk renewalDesk;
    private final LeaderView leaderView;
    /** Null until {@link #watch} (the simulation does not watch a host). */
    private volatile HostWatch hostWatch;
    private volatile ConflictWatch.Listener conflictListener = (spec, epoch, mac) -> { };

    public OwnershipAgent(VipdConfig config, HostActuator host) {
        this.config = config;
        this.fileConfig = config;
        this.host = host;
        this.lease = new OwnerLease(config.timing().leaseMs());
        this.liveness = new Liveness(config.timing().failoverTimeoutMs(), config.timing().earnMs(),
                config.timing().renewalGapMs());
        this.laggingFollowers = new LaggingFollowers(() -> cluster, (node, now) -> liveness.live(node, now)
                && !Placement.notLeaders(this.config).contains(node));
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vipd-agent");
            t.setDaemon(true);
            return t;
        });
        java.util.function.LongSupplier nanos = System::nanoTime;
        java.util.function.LongSupplier wallMillis = System::currentTimeMillis;
        java.util.function.Supplier<VipTable> table = () -> stateMachine == null ? null : stateMachine.table();
        this.handovers = new Handovers(config.nodeId(), this::post);
        this.placement = new Placement(() -> this.config, liveness, laggingFollowers, handovers, nanos, wallMillis,
                this::post);
        this.reports = new Reports(() -> this.config, this::post);
        this.leaderView = new LeaderView(config.timing().failoverTimeoutMs());
        this.replicationWatchdog = new ReplicationWatchdog(() -> this.config, nanos, leaderView::leaderIndex);
        this.admin = new AdminOperations(() -> this.config, () -> cluster, table, this::whyNotEligible, executor,
                nanos, wallMillis, Thread::sleep);
        this.statusBuilder = new StatusBuilder(() -> this.config, () -> cluster, table, liveness, leaderView, lease,
                host, this::whyNotEligible, operatorActions, nanos);
        this.departure = new Departure(() -> this.config, () -> cluster, nanos, wallMillis, Thread::sleep);
        this.renewals = new Renewals(config.nodeId(), config.timing().maxRenewalsInFlight(), nanos,
                r -> post(guard(r)), this::renewed, table);
        this.membershipChanges = new MembershipChanges(config.nodeId(), () -> cluster, table, this::reachable,
                admin::drain, nanos, Thread::sleep);
        this.renewalDesk = new io.vipd.cluster.RenewalDesk(liveness, () -> Placement.memberIds(this.config),
                this::whyNotEligible, nanos);
        this.reconciler = new HostReconciler(config.nodeId(), lease, host, handovers, reports, renewals, nanos,
                config.timing(), vip -> this.config.groupOf(vip));
        reconciler.onLeaseLapse(observers::leaseLapsed);
        host.onFailure(observers::hostActionFailed);
        renewals.onOutcome(observers::renewal);
        liveMembership.onChange(observers::membership); // and the TLS trust too, once onMembershipChange says so
        this.serviceStatus = new ServiceStatus(() -> this.config, lease, host::heldSince);
        this.appliedEvents = new AppliedEvents(() -> this.config, liveness, placement, operatorActions, nanos);
    }

    /**
     * Where to send service-manager state lines (systemd's READY=1, STATUS=..., STOPPING=1, WATCHDOG=1). READY=1
     * is sent once this node's first renewal is confirmed: a majority accepted it as a member, so it has joined.
     */
    public void notifyServiceManager(java.util.function.Consumer<String> notifier) {
        serviceStatus.notifyTo(notifier);
    }

    /**
     * Sends WATCHDOG=1 from the agent thread every {@code periodMs}: if that thread stalls, systemd's watchdog
     * restarts the daemon (its lease, and so its kernel fence, has long lapsed by then).
     */
    public void startWatchdog(long periodMs) {
        executor.scheduleAtFixedRate(guard(() -> serviceStatus.send("WATCHDOG=1")), 0, periodMs, TimeUnit.MILLISECONDS);
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
        executor.scheduleAtFixedRate(guard(this::watchHost), WATCH_PERIOD_MS, WATCH_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private static final long WATCH_PERIOD_MS = 100;

    private static final long REPLICATION_CHECK_MS = 250;

    private void checkReplication() {
        replicationWatchdog.check(cluster, stopping);
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
        if (!stopping) {
            renewals.renew(cluster);
        }
    }

    /** The leader's side of renewals: the Raft layer hands it the renewals this node confirms while it leads. */
    public io.vipd.cluster.RenewalDesk renewalDesk() {
        return renewalDesk;
    }

    /** A renewal was confirmed: the lease extends, the host follows, and the first one means this node joined. */
    private void renewed(long startNanos, RenewReply reply) {
        if (stopping) {
            return;
        }
        lease.renewed(startNanos, reply.index(), reply.owned());
        leaderView.saw(reply.index(), reply.members(), System.nanoTime());
        reconcile();
        serviceStatus.renewed(cluster, System.nanoTime());
    }

    private void place() {
        followMembership();
        placement.round(cluster, stateMachine.table(), !stopping && cluster.isLeaderReady());
    }

    private void reconcile() {
        if (stopping || stateMachine == null) {
            // Before start(): Ratis replays this node's own log while the server starts, and each applied entry
            // posts a reconcile. There is nothing to reconcile yet; start() schedules the first round itself.
            return;
        }
        reconciler.reconcile(cluster, stateMachine.view());
        serviceStatus.update(cluster, System.nanoTime());
    }

    /**
     * Watches the host and the VIP segments from now on ({@link HostWatch}): links, addresses, who answers for the
     * VIPs. {@code tap} hands its frames to {@link #heard}.
     */
    public void watch(HostNetwork network, NeighbourTap tap) {
        ConflictWatch conflicts = new ConflictWatch(() -> this.config, System::nanoTime, System::currentTimeMillis,
                new java.util.SplittableRandom());
        conflicts.onConflict((spec, epoch, mac) -> {
            conflictListener.conflict(spec, epoch, mac);
            observers.conflict(spec, epoch, mac);
        });
        conflicts.tableCurrentWhile(() -> lease.valid(System.nanoTime()));
        HostWatch w = new HostWatch(() -> this.config, network, host, tap, conflicts,
                () -> stateMachine == null ? null : stateMachine.table(), System::nanoTime);
        reports.observations(() -> w.facts(config.nodeId()));
        this.hostWatch = w;
    }

    /** {@code vipctl doctor [VIP...]}: probes, listens about a second, and judges (see {@link Doctor}). */
    public io.vipd.control.DoctorReport doctor(java.util.List<String> vips) throws Exception {
        return new DoctorRun(() -> this.config, () -> stateMachine == null ? null : stateMachine.table(),
                () -> hostWatch, host, executor, io.vipd.host.ProcFs.system(), Thread::sleep,
                () -> cluster == null ? null : cluster.leader().orElse(null), liveMembership::differences).run(vips);
    }

    /** An ARP frame claiming a VIP (from the tap's thread). */
    public void heard(NeighbourTap.Heard heard) {
        post(guard(() -> {
            if (hostWatch != null && stateMachine != null) {
                hostWatch.heard(heard, stateMachine.table());
            }
        }));
    }

    /** Told (on the agent thread) when a MAC that is not the owner's answers for a VIP: the CONFLICT hook. */
    void onConflict(ConflictWatch.Listener listener) {
        this.conflictListener = listener;
    }

    private void watchHost() {
        if (!stopping && hostWatch != null && stateMachine != null) {
            hostWatch.tick(stateMachine.table());
        }
    }

    /** Told (on the agent thread) when a VIP's checks start failing on this node: the FAULT notify hook. */
    public void onFault(java.util.function.BiConsumer<VipSpec, Long> listener) {
        reports.onFault(listener);
    }

    /** Results of this node's health checks changed (called from the checkers' threads). */
    public void healthChanged(Map<String, String> results) {
        Map<String, String> copy = Map.copyOf(results);
        observers.checks(copy);
        post(guard(() -> {
            reports.healthChanged(copy, stateMachine == null ? null : stateMachine.table());
            if (cluster != null) {
                reconcile();
            }
        }));
    }

    /** What the metrics read besides the status: commit index, followers' lag (leader only), this node's lease. */
    io.vipd.metrics.VipdMetrics.Progress metricsProgress() {
        try { // on the agent thread, as status is: the lease is that thread's
            return executor.submit(this::progressNow).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return io.vipd.metrics.VipdMetrics.Progress.UNKNOWN;
        }
    }

    private io.vipd.metrics.VipdMetrics.Progress progressNow() {
        Consensus c = cluster;
        if (c == null) {
            return io.vipd.metrics.VipdMetrics.Progress.UNKNOWN;
        }
        Map<String, Long> lag = new java.util.TreeMap<>();
        // Followers that answer: a dead one's frozen match index is not lag (its absence has its own metric)
        c.replication().ifPresent(r -> r.matchIndexes().forEach((f, match) -> {
            if (r.answeredMsAgo().getOrDefault(f, Long.MAX_VALUE) <= LaggingFollowers.ANSWERED_WITHIN_MS) {
                lag.put(f, Math.max(0, r.commitIndex() - match));
            }
        }));
        long remaining = lease.remainingMillis(System.nanoTime());
        return new io.vipd.metrics.VipdMetrics.Progress(c.commitIndex(), lag,
                remaining == Long.MIN_VALUE ? -1 : Math.max(0, remaining));
    }

    /** The metrics and the event stream: what this node applies and sees is told to them. */
    Observers observers() {
        return observers;
    }

    @Override
    public void applied(long index, Command command, VipTable before, VipTable after) {
        appliedEvents.applied(index, replayUntil, command, before, after);
        observers.applied(before, after, index <= replayUntil);
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

    /**
     * Shutdown: stop renewing, drop the addresses first, then tell the group (bounded wait) so the VIPs move at once.
     */
    public void shutdown(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        serviceStatus.send("STOPPING=1\nSTATUS=stopping: releasing VIPs and handing them to the cluster");
        // A follower in step takes over within one heartbeat round; 300 ms is plenty and keeps the stop short.
        departure.handOffLeadership(Math.min(300, timeoutMs));
        CompletableFuture<Void> released = CompletableFuture.runAsync(() -> {
            stopping = true;
            lease.revoke(System.nanoTime());
            host.releaseAll("daemon stopping");
            if (hostWatch != null) {
                hostWatch.close();
            }
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
            while (renewals.inFlight() > 0 && System.nanoTime() < renewalsDeadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            departure.tellGroupLeaving(deadline);
        }
        executor.shutdownNow();
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000L);
    }

    /**
     * Applies a reloaded configuration on the agent thread, between two reconciliations: the host first (removed or
     * redefined VIPs let go, the fence told what to guard), then placement and reporting use the new VIPs.
     */
    public void reconfigure(VipdConfig next) throws Exception {
        executor.submit(() -> {
            host.reconfigure(next.vips(), next.announce());
            fileConfig = next;
            config = liveMembership.effective(next, liveMembership.membership());
            placement.reconfigured();
            if (cluster != null) {
                reconcile();
            }
            return null;
        }).get(5, TimeUnit.SECONDS);
    }

    /**
     * Follows the group's membership as this node's log says it is (agent thread, every placement tick): a change
     * replaces the configuration acted on.
     */
    private void followMembership() {
        VipdConfig next = liveMembership.follow(fileConfig, cluster.membership());
        if (next != config) {
            config = next;
            placement.reconfigured();
        }
    }

    /** Told (on the agent thread) the members of every membership this node's log takes on: the TLS trust. */
    public void onMembershipChange(java.util.function.Consumer<java.util.List<io.vipd.config.Peer>> listener) {
        liveMembership.onChange(peers -> {
            listener.accept(peers);
            observers.membership(peers);
        });
    }

    /** Whether this node is a member of the group as its log says (true while that is not known). */
    public boolean isMember() {
        return liveMembership.selfIsMember();
    }

    /** Whether {@code node}'s renewals are confirmed now: by this node if it leads, else as the leader said. */
    private boolean reachable(String node, long now) {
        Consensus c = cluster;
        if (c != null && c.isLeaderReady()) {
            return liveness.live(node, now);
        }
        io.vipd.cluster.PeerView seen = leaderView.of(node, now);
        return seen != null && seen.live();
    }

    /** {@code vipctl member} and a reload's change of the peers. */
    MembershipChanges membershipChanges() {
        return membershipChanges;
    }

    public String move(Caller caller, String vip, String target) throws Exception {
        return admin.move(caller, vip, target);
    }

    public String drain(Caller caller, String node, boolean drained) throws Exception {
        return admin.drain(caller, node, drained);
    }

    public String lead(Caller caller) throws Exception {
        return admin.lead(caller);
    }

    /** The replicated ownership history, as this node has applied it (the same on every node, up to its lag). */
    public io.vipd.control.HistoryReport history() {
        VipTable t = stateMachine == null ? null : stateMachine.table();
        if (t == null) {
            throw new IllegalStateException("still starting; try again in a moment");
        }
        return HistoryReports.of(config.clusterName(), t.history());
    }

    /** A status snapshot, computed on the agent thread so it is consistent with what the host carries. */
    public StatusReport status() throws Exception {
        return executor.submit(() -> statusBuilder.build().withMembership(liveMembership.differences()
                .stream().map(LiveMembership.Difference::line).toList()))
                .get(2, TimeUnit.SECONDS);
    }

    /**
     * Why {@code node} may not receive VIPs now, or null: on the leader, from its replication state and the renewals
     * it confirms; elsewhere, as the leader said in this node's latest renewal.
     */
    private String whyNotEligible(String node, long now) {
        Consensus c = cluster;
        if (c == null || !c.isLeaderReady()) {
            return leaderView.whyNotEligible(node, now);
        }
        String lagging = laggingFollowers.lagging().get(node);
        return lagging != null ? lagging : liveness.whyNotEarned(node, now);
    }


}
