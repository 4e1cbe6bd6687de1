package io.vipd.daemon;

import io.vipd.cluster.RenewReply;
import io.vipd.cluster.Command;
import io.vipd.cluster.Consensus;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.Membership;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.VipStateMachine;
import io.vipd.cluster.VipTable;
import io.vipd.config.Announce;
import io.vipd.config.Peer;
import io.vipd.config.Timing;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A seeded, deterministic simulation of a vipd cluster, in the style of Kafka KRaft's RaftEventSimulationTest: one
 * event queue in simulated time, a network that delays, drops and partitions messages, nodes whose clocks run at
 * different rates, crashes and restarts. Consensus is a compact Raft (elections, log replication, commit on a
 * majority) behind vipd's {@link Consensus} interface; on top of it run the daemon's real roles — {@link Renewals},
 * {@link Placement}, {@link HostReconciler}, {@link Handovers}, {@link Reports}, {@link AppliedEvents} — and the
 * real {@link HostActuator} on a {@link SimulatedHost}, each on the node's own simulated clock, scheduled at the
 * agent's periods. This class has no placement or reconciliation logic of its own.
 *
 * <p>Invariants are checked as events happen: never two owners of one VIP in the same epoch (across every node's
 * applied table); never two hosts holding one VIP at the same instant; at most one leader per term.
 *
 * <p>A scenario may opt in ({@link #modelRatis33}) to Ratis 3.3's replication quirks with the RATIS-2605 fault
 * ({@link Ratis2605}), leadership transfers ({@link SimTransfers}) and the daemon's {@link ReplicationWatchdog};
 * the others run the plain compact Raft, event for event as before.
 */
public final class SimulatedCluster {
    static final long MS = 1_000_000L;
    private static final long HEARTBEAT = 50 * MS;
    private static final long RECONCILE = 20 * MS;
    private static final long PLACE = 20 * MS;
    /** A client request with no answer fails after this (local) time, as Ratis's client gives up and retries. */
    private static final long REQUEST_TIMEOUT = 300 * MS;

    final Random rnd;
    final int n;
    final List<VipSpec> vips;
    final Timing timing;
    final Set<String> members = new TreeSet<>();
    final Node[] nodes;
    long now;
    private long seq;
    private final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) ->
            a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    private final Map<Long, Runnable> actions = new HashMap<>();

    // network state
    double dropRate;
    long maxDelay = 5 * MS;
    final int[] partitionGroup;

    // invariant bookkeeping
    final List<String> violations = new ArrayList<>();
    /** Recent events, printed when a test fails, to show how a violation came about. */
    final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();

    void trace(String s) {
        trace.addLast(String.format("t=%d.%03d %s", now / MS, (now / 1000) % 1000, s));
        if (trace.size() > 400) {
            trace.removeFirst();
        }
    }
    private final Map<String, String> ownerOfEpoch = new HashMap<>();
    final Set<String> witnesses;
    final Set<String> listeners;
    final Set<String> spares;
    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();

    // ---- opt-in: Ratis 3.3 as RATIS-2605 describes it (null / false in every other scenario) --------------------

    /** Ratis 3.3's replication quirks and the RATIS-2605 fault; null: the compact Raft as it always was. */
    Ratis2605 ratis2605;
    /** Leadership transfers (Ratis's transferLeadership); null: refused as "not simulated". */
    SimTransfers transfers;
    /** Whether the nodes' {@link ReplicationWatchdog}s act (scheduled only once {@link #modelRatis33} was called). */
    boolean watchdogs;

    /**
     * Turns on, from now, what a RATIS-2605 scenario needs: Ratis 3.3's replication semantics, leadership transfers,
     * and the daemon's {@link ReplicationWatchdog} scheduled on every node as the agent schedules it (acting only
     * while {@link #watchdogs} is set, so a test can show the failure without the mitigation first). Opt-in, so the
     * other scenarios keep their events, random draws and outcomes seed for seed.
     */
    Ratis2605 modelRatis33() {
        ratis2605 = new Ratis2605(this);
        transfers = new SimTransfers(this);
        for (Node node : nodes) {
            if (node.up) {
                node.watchReplication();
            }
        }
        return ratis2605;
    }

    public SimulatedCluster(long seed, int n, List<VipSpec> vips, Timing timing) {
        this(seed, n, vips, timing, Set.of());
    }

    /** @param witnesses members that vote but never hold a VIP (the configuration's {@code witnesses}) */
    public SimulatedCluster(long seed, int n, List<VipSpec> vips, Timing timing, Set<String> witnesses) {
        this(seed, n, vips, timing, witnesses, Set.of(), Set.of());
    }

    /**
     * @param witnesses members that vote but never hold a VIP (the configuration's {@code witnesses})
     * @param listeners members that hold VIPs but do not vote (peers left out of {@code voters})
     * @param spares    hosts that are no members at first and not started: a test starts one and adds it with a
     *                  membership change ({@link #changes}), as an operator adds a host
     */
    public SimulatedCluster(long seed, int n, List<VipSpec> vips, Timing timing, Set<String> witnesses,
                            Set<String> listeners, Set<String> spares) {
        this.witnesses = Set.copyOf(witnesses);
        this.listeners = Set.copyOf(listeners);
        this.spares = Set.copyOf(spares);
        this.rnd = new Random(seed);
        this.n = n;
        this.vips = vips;
        this.timing = timing;
        this.nodes = new Node[n];
        this.partitionGroup = new int[n];
        for (int i = 0; i < n; i++) {
            if (!spares.contains(name(i))) {
                members.add(name(i));
            }
        }
        for (int i = 0; i < n; i++) {
            // Clock rates within ±5 %: far worse than real oscillators, inside the 10 % margin vipd assumes.
            nodes[i] = new Node(i, 0.95 + rnd.nextDouble() * 0.10, rnd.nextLong() & 0xffffffffL);
        }
        for (Node node : nodes) {
            if (spares.contains(node.name)) {
                node.up = false; // a host not booted yet
            } else {
                node.start();
            }
        }
    }

    /** A member as the nodes' configuration files describe it (address 198.18.0.(i+1)). */
    Peer peer(String name) {
        int i = Integer.parseInt(name.substring(1)) - 1;
        return new Peer(name, "198.18.0." + (i + 1), 7400, witnesses.contains(name), !listeners.contains(name));
    }

    /**
     * The real {@link MembershipChanges} as the daemon on {@code node} runs it for {@code vipctl member}: its waits
     * advance the simulation, so call it from the test, between {@link #runFor} calls. The reachability it checks is
     * the leader's view (the daemon's followers learn it from the leader); a drain is submitted and waited for as
     * AdminOperations does.
     */
    MembershipChanges changes(int node) {
        Node at = nodes[node];
        return new MembershipChanges(at.name, () -> at.consensus, () -> at.table, (peer, nowNanos) -> {
            for (Node x : nodes) {
                if (x.up && x.consensus.isLeaderReady()) {
                    return x.liveness.live(peer, x.local());
                }
            }
            return false;
        }, (caller, peer, drained) -> {
            at.submit(new Command.Drain(peer, drained, at.local() / MS, at.name, caller.who()));
            long deadline = now + 10_000 * MS;
            while (drained && now < deadline && at.table.vips().values().stream()
                    .anyMatch(v -> peer.equals(v.owner()) || peer.equals(v.releasing()))) {
                runFor(10 * MS);
            }
            return "drained";
        }, at::local, ms -> runFor(ms * MS));
    }

    static String name(int i) {
        return "n" + (i + 1);
    }

    // ---- event loop ------------------------------------------------------------------------------------------

    void at(long time, Runnable r) {
        long id = seq++;
        actions.put(id, r);
        queue.add(new long[] {time, id});
    }

    public void runFor(long duration) {
        long end = now + duration;
        while (!queue.isEmpty() && queue.peek()[0] <= end) {
            long[] e = queue.poll();
            now = e[0];
            actions.remove(e[1]).run();
        }
        now = end;
    }

    // ---- network ---------------------------------------------------------------------------------------------

    boolean connected(int a, int b) {
        return partitionGroup[a] == partitionGroup[b];
    }

    void send(int from, int to, Object message) {
        if (!connected(from, to) || rnd.nextDouble() < dropRate) {
            return;
        }
        long delay = MS / 5 + (long) (rnd.nextDouble() * maxDelay);
        at(now + delay, () -> {
            // A partition that started while the message was in flight drops it too.
            if (connected(from, to)) {
                nodes[to].receive(from, message);
            }
        });
    }

    public void heal() {
        java.util.Arrays.fill(partitionGroup, 0);
        dropRate = 0;
        maxDelay = 5 * MS;
    }

    // ---- invariants ------------------------------------------------------------------------------------------

    private void checkHolders() {
        // Per address, as the client sees it: nodes may define a VIP differently while a reload rolls through.
        Set<java.net.InetAddress> addresses = new java.util.LinkedHashSet<>();
        vips.forEach(v -> addresses.add(v.address()));
        for (Node node : nodes) {
            node.config.vips().forEach(v -> addresses.add(v.address()));
        }
        for (java.net.InetAddress address : addresses) {
            List<String> holders = new ArrayList<>();
            for (Node node : nodes) {
                if (node.up && node.host.answers(address)) {
                    holders.add(node.name);
                    if (witnesses.contains(node.name)) {
                        violations.add(String.format("t=%d ms: %s held by the witness %s", now / MS,
                                address.getHostAddress(), node.name));
                    }
                }
            }
            if (holders.size() > 1) {
                if (violations.isEmpty()) {
                    trace.forEach(System.out::println);
                }
                violations.add(String.format("t=%d ms: %s held by %s at once", now / MS, address.getHostAddress(),
                        holders));
            }
        }
        // A group is never split: the members some host carries are all on one host.
        Map<String, Set<String>> groupHolders = new TreeMap<>();
        for (Node node : nodes) {
            if (!node.up) {
                continue;
            }
            for (VipSpec v : node.config.vips()) {
                if (v.group() != null && node.host.answers(v.address())) {
                    groupHolders.computeIfAbsent(v.group(), g -> new TreeSet<>()).add(node.name);
                }
            }
        }
        groupHolders.forEach((group, holders) -> {
            if (holders.size() > 1) {
                if (violations.isEmpty()) {
                    trace.forEach(System.out::println);
                }
                violations.add(String.format("t=%d ms: group %s split over %s", now / MS, group, holders));
            }
        });
    }

    private void checkEpoch(String vip, long epoch, String owner) {
        String key = vip + "@" + epoch;
        String previous = ownerOfEpoch.putIfAbsent(key, String.valueOf(owner));
        if (previous != null && !previous.equals(String.valueOf(owner))) {
            violations.add("VIP " + vip + " epoch " + epoch + " has owners " + previous + " and " + owner);
        }
    }

    // ---- faults ----------------------------------------------------------------------------------------------

    /** The membership of the running node with the longest log: the group's, as far as the test can tell. */
    Membership latestMembership() {
        Node best = null;
        for (Node node : nodes) {
            if (node.up && (best == null || node.lastIndex() > best.lastIndex())) {
                best = node;
            }
        }
        return best == null ? nodes[0].membership() : best.membership();
    }

    /** Whether crashing node {@code i} leaves a majority of the voters up (chaos never takes a majority down). */
    boolean mayCrash(int i) {
        if (!nodes[i].up) {
            return false;
        }
        Set<String> voters = latestMembership().voters();
        long downAfter = voters.stream().filter(v -> !nodes[Integer.parseInt(v.substring(1)) - 1].up).count()
                + (voters.contains(name(i)) ? 1 : 0);
        return downAfter * 2 < voters.size();
    }

    /** Index of a running node that is a ready leader, or -1. */
    int readyLeader() {
        for (Node node : nodes) {
            if (node.up && node.consensus.isLeaderReady()) {
                return node.id;
            }
        }
        return -1;
    }

    public void crash(int i) {
        trace("CRASH " + name(i));
        nodes[i].crash();
    }

    public void restart(int i) {
        trace("RESTART " + name(i));
        nodes[i].restart();
    }

    /** Owner of {@code vip} per the most advanced table among running nodes. */
    public String ownerOf(String vip) {
        Node best = null;
        for (Node node : nodes) {
            if (node.up && (best == null || node.lastApplied > best.lastApplied)) {
                best = node;
            }
        }
        return best == null ? null : best.table.vip(vip).owner();
    }

    public List<String> holdersOf(String vip) {
        List<String> out = new ArrayList<>();
        for (Node node : nodes) {
            if (node.answers(vip)) {
                out.add(node.name);
            }
        }
        return out;
    }

    public boolean tablesAgree() {
        Map<String, String> ref = null;
        for (Node node : nodes) {
            if (!node.up) {
                continue;
            }
            Map<String, String> owners = new TreeMap<>();
            for (VipSpec v : vips) {
                owners.put(v.name(), String.valueOf(node.table.vip(v.name()).owner()));
            }
            if (ref == null) {
                ref = owners;
            } else if (!ref.equals(owners)) {
                return false;
            }
        }
        return true;
    }

    // ---- messages of the compact Raft --------------------------------------------------------------------------

    /** A log entry: a command, a leader's no-op (null command), or a membership (taking effect once appended). */
    record Entry(long term, Command command, int origin, long requestId, List<Peer> membership) {
        Entry(long term, Command command, int origin, long requestId) {
            this(term, command, origin, requestId, null);
        }
    }

    /** A membership change, compare-and-set against {@code from}: one at a time (Raft's single-server changes). */
    record MembershipRequest(List<Peer> from, List<Peer> to, long requestId) {}

    record MembershipRefused(long requestId, String why) {}

    record Vote(long term, int candidate, long lastIndex, long lastTerm) {}

    record VoteReply(long term, boolean granted) {}

    record Append(long term, int leader, long prevIndex, long prevTerm, List<Entry> entries, long commit) {}

    record AppendReply(long term, boolean success, long match) {}

    record ClientRequest(Command command, long requestId) {}

    record ClientReply(long requestId, byte[] reply) {}

    /** A lease renewal, a read-only request to the leader (no log entry). */
    record RenewRequest(String node, long requestId) {}

    /** The leader's answer to a renewal: the encoded RenewReply, or null if it refused or is no ready leader. */
    record RenewAnswer(long requestId, byte[] reply) {}

    /** The leader asks a follower whether it still follows it ({@link io.vipd.cluster.LeadershipConfirmation}). */
    record Check(io.vipd.cluster.LeaderCheck check, long checkId) {}

    record CheckAnswer(long checkId, boolean yes) {}

    // ---- a node ----------------------------------------------------------------------------------------------

    final class Node {
        final int id;
        final String name;
        final double rate;
        final long offset;
        /** This node's configuration file: replaced by {@link #reload}, read again at a restart. */
        VipdConfig config;
        HostActuator actuator;
        // persistent Raft state (survives crashes)
        long term;
        int votedFor = -1;
        final List<Entry> log = new ArrayList<>();
        // volatile state
        boolean up = true;
        int incarnation;
        boolean leader;
        boolean candidate;
        int leaderId = -1;
        long commit;
        long lastApplied;
        long electionDeadline;
        Set<Integer> votes = new HashSet<>();
        long[] next;
        long[] match;
        long[] lastHeard;
        VipTable table = VipTable.EMPTY;
        /** Entries up to here are this node's own log replayed after a restart. */
        long replayUntil;
        long requestIds;
        final Map<Long, CompletableFuture<Consensus.Outcome>> awaiting = new HashMap<>();
        final Map<Long, CompletableFuture<Boolean>> checks = new HashMap<>();
        /** What this node's health checks currently say (set by the test); empty = no checks. Survives crashes. */
        final Map<String, String> localHealth = new TreeMap<>();
        private Map<String, String> healthFed = Map.of();
        /**
         * This node's VIP link states as it reports them to the group (set by the test: "up", "no carrier"); empty =
         * not reported. Read by the real {@link Reports}, as the daemon's host watch would supply them.
         */
        final Map<String, String> localLinks = new java.util.concurrent.ConcurrentSkipListMap<>();
        // the daemon's real parts, made anew at each start
        final SimConsensus consensus = new SimConsensus();
        SimulatedHost host;
        OwnerLease lease;
        Liveness liveness;
        Renewals renewals;
        Placement placement;
        HostReconciler reconciler;
        Reports reports;
        AppliedEvents appliedEvents;
        /** What the leader said in this node's latest confirmed renewal, and the watchdog fed by it (as the agent). */
        LeaderView leaderView;
        ReplicationWatchdog watchdog;
        io.vipd.cluster.RenewalDesk desk;
        io.vipd.cluster.LeadershipConfirmation confirmation;

        Node(int id, double rate, long offset) {
            this.id = id;
            this.name = name(id);
            this.rate = rate;
            this.offset = offset;
            // A member's file names the members; a spare's names them and itself (as a new host's file does).
            List<Peer> peers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (members.contains(name(i)) || i == id) {
                    peers.add(peer(name(i)));
                }
            }
            this.config = new VipdConfig(Path.of("sim.conf"), name, "sim", Path.of("/var/lib/vipd"),
                    Path.of("/run/vipd/vipd.sock"), peers, vips, Announce.DEFAULT, timing);
            freshVolatile();
        }

        long local() {
            return offset + (long) (now * rate);
        }

        /** The daemon's {@link LiveMembership}: this node's file with the membership its log says. */
        private final LiveMembership live = new LiveMembership();
        private Membership membershipCache;

        VipdConfig effective() {
            return live.effective(config, Optional.of(membership()));
        }

        /** The membership of the last membership entry in this node's log (appended, committed or not). */
        Membership membership() {
            if (membershipCache == null) {
                Membership m = Membership.of(config.peers(), 0);
                for (int i = log.size() - 1; i >= 0; i--) {
                    if (log.get(i).membership() != null) {
                        m = Membership.of(log.get(i).membership(), i + 1);
                        break;
                    }
                }
                membershipCache = m;
            }
            return membershipCache;
        }

        /** The log changed: its membership may have. */
        void logChanged() {
            membershipCache = null;
        }

        boolean isMember(int p) {
            return membership().contains(name(p));
        }

        boolean isVoter(int p) {
            return membership().voters().contains(name(p));
        }

        /** Whether {@code count} of this node's voters are a majority of them. */
        boolean majority(long count) {
            return count * 2 > membership().voters().size();
        }

        /** True-time delay after which this node's clock has advanced by {@code localDelay}. */
        long after(long localDelay) {
            return now + (long) Math.ceil(localDelay / rate);
        }

        void every(long localPeriod, Runnable r) {
            int inc = incarnation;
            at(after(localPeriod), () -> {
                if (up && incarnation == inc) {
                    r.run();
                    every(localPeriod, r);
                }
            });
        }

        /** The agent thread of this incarnation: runs at once, and never after a crash. */
        Executor agentThread() {
            int inc = incarnation;
            return r -> {
                if (up && incarnation == inc) {
                    r.run();
                }
            };
        }

        void freshVolatile() {
            leader = false;
            candidate = false;
            leaderId = -1;
            commit = 0;
            lastApplied = 0;
            table = VipTable.EMPTY;
            replayUntil = lastIndex();
            awaiting.clear();
            checks.clear();
            healthFed = Map.of();
            host = new SimulatedHost(this::local);
            lease = new OwnerLease(timing.leaseMs());
            liveness = new Liveness(timing.failoverTimeoutMs(), timing.earnMs(), timing.renewalGapMs());
            Executor agent = agentThread();
            java.util.function.LongSupplier clock = this::local;
            java.util.function.LongSupplier wall = () -> local() / MS;
            actuator = new HostActuator(host, host, config.vips(), Announce.DEFAULT, clock);
            try {
                actuator.installAndRemoveStale();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            Handovers handovers = new Handovers(name, agent);
            reports = new Reports(this::effective, agent);
            reports.observations(() -> io.vipd.cluster.NodeFacts.report(Map.of(), Map.copyOf(localLinks),
                    List.of()));
            LaggingFollowers lagging = new LaggingFollowers(() -> consensus, liveness::live);
            placement = new Placement(this::effective, liveness, lagging, handovers, clock, wall, agent);
            renewals = new Renewals(name, timing.maxRenewalsInFlight(), clock, agent, (start, reply) -> {
                trace(name + " renewal confirmed: started " + (local() - start) / MS + " ms ago, #" + reply.index()
                        + " owned " + reply.owned());
                lease.renewed(start, reply.index(), reply.owned());
                leaderView.saw(reply.index(), reply.members(), local()); // as OwnershipAgent.renewed does
                reconcile();
            }, () -> table);
            leaderView = new LeaderView(timing.failoverTimeoutMs());
            watchdog = new ReplicationWatchdog(this::effective, clock, leaderView::leaderIndex);
            reconciler = new HostReconciler(name, lease, actuator, handovers, reports, renewals, clock,
                    timing, vip -> effective().groupOf(vip));
            appliedEvents = new AppliedEvents(this::effective, liveness, placement, new OperatorActions(
                    java.time.Clock.systemUTC()), clock);
            desk = new io.vipd.cluster.RenewalDesk(liveness, () -> Placement.memberIds(effective()),
                    liveness::whyNotEarned, clock);
            confirmation = new io.vipd.cluster.LeadershipConfirmation(name,
                    new io.vipd.cluster.FollowerChecks(this::askFollower));
        }

        /**
         * The leader sends one check to a follower, as ClusterNode does with a stale read (paced by the daemon's
         * {@link io.vipd.cluster.FollowerChecks}); no answer in time is a no.
         */
        CompletableFuture<Boolean> askFollower(String follower, io.vipd.cluster.LeaderCheck check) {
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            long cid = ++requestIds;
            checks.put(cid, f);
            send(id, Integer.parseInt(follower.substring(1)) - 1, new Check(check, cid));
            int inc = incarnation;
            at(after(REQUEST_TIMEOUT), () -> {
                if (incarnation == inc && checks.remove(cid) != null) {
                    f.complete(false);
                }
            });
            return f;
        }

        /**
         * The leader's side of a renewal, as ClusterNode serves it: only a ready leader; the desk records it only
         * after a round of leader checks that began after it arrived.
         */
        void serveRenewal(String node, java.util.function.Consumer<byte[]> reply) {
            if (!consensus.isLeaderReady()) {
                reply.accept(null);
                return;
            }
            long servedTerm = term;
            int inc = incarnation;
            confirmation.confirm(servedTerm, membership().quorums()).thenAccept(ok -> {
                if (!ok || !up || incarnation != inc) {
                    reply.accept(null);
                    return;
                }
                try {
                    reply.accept(desk.serve(node, servedTerm, new VipStateMachine.View(lastApplied, table)).encode());
                } catch (io.vipd.cluster.RenewalDesk.Refused e) {
                    trace(name + " refused renewal: " + e.getMessage());
                    reply.accept(null);
                }
            });
        }

        /** A reload with these VIPs, as {@code OwnershipAgent.reconfigure} applies it. */
        void reload(List<VipSpec> next) {
            trace("RELOAD " + name + " " + next.stream().map(v -> v.name() + "=" + v.cidr()).toList());
            config = new VipdConfig(config.source(), config.nodeId(), config.clusterName(), config.dataDir(),
                    config.controlSocket(), config.peers(), next, Announce.DEFAULT, timing);
            if (up) {
                actuator.reconfigure(next, Announce.DEFAULT);
                placement.reconfigured();
                reconcile();
            }
        }

        /** Submits a command as the daemon does (an operator's move or drain, say); the outcome is not awaited. */
        void submit(Command c) {
            if (up) {
                consensus.submit(c);
            }
        }

        void start() {
            resetElectionTimer();
            every(HEARTBEAT / 2, this::tick);
            every(timing.renewIntervalMs() * MS, () -> renewals.renew(consensus));
            // The leader's placement may hand leadership off (LaggingFollowers), as the watchdog may on a follower.
            every(PLACE, () -> handingOff(() -> placement.round(consensus, table, consensus.isLeaderReady())));
            every(RECONCILE, this::reconcile);
            if (transfers != null) {
                watchReplication();
            }
        }

        /**
         * Runs a role that may ask for a leadership hand-off: with transfers modelled, each one it asks for (off the
         * agent thread, as the daemon does) is taken in before the simulation moves on, so runs stay deterministic.
         */
        void handingOff(Runnable role) {
            if (transfers == null) {
                role.run();
            } else {
                transfers.around(this, role);
            }
        }

        /** The agent's replication check, every {@link ReplicationWatchdog#CHECK_PERIOD_MS} of this node's clock. */
        void watchReplication() {
            every(ReplicationWatchdog.CHECK_PERIOD_MS * MS, () -> {
                if (watchdogs) {
                    handingOff(() -> watchdog.check(consensus, false));
                }
            });
        }

        void crash() {
            up = false;
            incarnation++;
            checkHolders(); // the host went down with the daemon: it answers nothing
        }

        void restart() {
            up = true;
            incarnation++;
            freshVolatile();
            start();
        }

        /** Whether the host answers ARP for {@code vip} now: it carries the address and its fence is open. */
        boolean answers(String vip) {
            if (!up) {
                return false;
            }
            for (VipSpec v : config.vips()) {
                if (v.name().equals(vip)) {
                    return host.answers(v.address());
                }
            }
            return false;
        }

        void reconcile() {
            if (!up) {
                return;
            }
            if (!localHealth.equals(healthFed)) {
                healthFed = Map.copyOf(localHealth);
                reports.healthChanged(healthFed, table);
            }
            Set<String> before = heldNames();
            reconciler.reconcile(consensus, new VipStateMachine.View(lastApplied, table));
            Set<String> after = heldNames();
            if (!before.equals(after)) {
                trace(name + " holds " + after + " (lease left " + lease.remainingMillis(local()) + " ms)");
            }
            checkHolders();
        }

        private Set<String> heldNames() {
            Set<String> out = new TreeSet<>();
            for (VipSpec v : config.vips()) {
                if (host.answers(v.address())) {
                    out.add(v.name());
                }
            }
            return out;
        }

        long lastIndex() {
            return log.size();
        }

        long termAt(long index) {
            return index == 0 ? 0 : log.get((int) index - 1).term();
        }

        void resetElectionTimer() {
            long span = (timing.electionMaxMs() - timing.electionMinMs()) * MS;
            electionDeadline = local() + timing.electionMinMs() * MS + (long) (rnd.nextDouble() * span);
        }

        void tick() {
            if (leader) {
                for (int p = 0; p < n; p++) {
                    if (p != id && isMember(p)) {
                        sendAppend(p);
                    }
                }
                if (transfers != null) {
                    transfers.leaderTick(this);
                }
            } else if (local() >= electionDeadline && !isVoter(id)) {
                resetElectionTimer(); // a listener or a non-member never campaigns
            } else if (local() >= electionDeadline) {
                campaign();
            }
        }

        /** Stands for the next term: on an election timeout, or at once when told to (a leadership transfer). */
        void campaign() {
            term++;
            candidate = true;
            votedFor = id;
            votes = new HashSet<>(Set.of(id));
            leaderId = -1;
            resetElectionTimer();
            for (int p = 0; p < n; p++) {
                if (p != id && isVoter(p)) {
                    send(id, p, new Vote(term, id, lastIndex(), termAt(lastIndex())));
                }
            }
        }

        void sendAppend(int p) {
            Append quirk = ratis2605 == null ? null : ratis2605.append(this, p);
            if (quirk != null) {
                send(id, p, quirk);
                return;
            }
            long prev = next[p] - 1;
            List<Entry> entries = new ArrayList<>(log.subList((int) prev, (int) Math.min(lastIndex(), prev + 256)));
            send(id, p, new Append(term, id, prev, termAt(prev), entries, commit));
        }

        void stepDown(long newTerm) {
            if (newTerm > term) {
                term = newTerm;
                votedFor = -1;
            }
            leader = false;
            candidate = false;
        }

        void becomeLeader() {
            trace(name + " leader of term " + term);
            leader = true;
            candidate = false;
            leaderId = id;
            Integer other = leaderOfTerm.putIfAbsent(term, id);
            if (other != null && other != id) {
                violations.add("two leaders in term " + term + ": " + name(other) + " and " + name);
            }
            next = new long[n];
            match = new long[n];
            lastHeard = new long[n];
            java.util.Arrays.fill(lastHeard, local());
            java.util.Arrays.fill(next, lastIndex() + 1);
            log.add(new Entry(term, null, -1, 0)); // no-op: commits earlier terms' entries
            logChanged();
            match[id] = lastIndex();
        }

        void receive(int from, Object m) {
            if (!up) {
                return;
            }
            if (transfers != null && transfers.receive(this, from, m)) {
                return;
            }
            if (m instanceof Vote v) {
                if (!isMember(v.candidate())) {
                    // as Ratis: a candidate that is not in this node's configuration gets no vote and moves no term
                    send(id, from, new VoteReply(term, false));
                    return;
                }
                if (v.term() > term) {
                    stepDown(v.term());
                }
                boolean upToDate = v.lastTerm() > termAt(lastIndex())
                        || (v.lastTerm() == termAt(lastIndex()) && v.lastIndex() >= lastIndex());
                boolean grant = v.term() == term && (votedFor == -1 || votedFor == v.candidate()) && upToDate;
                if (grant) {
                    votedFor = v.candidate();
                    resetElectionTimer();
                }
                send(id, from, new VoteReply(term, grant));
            } else if (m instanceof VoteReply r) {
                if (r.term() > term) {
                    stepDown(r.term());
                } else if (candidate && r.term() == term && r.granted()) {
                    votes.add(from);
                    if (majority(votes.stream().filter(this::isVoter).count())) {
                        becomeLeader();
                    }
                }
            } else if (m instanceof Append a) {
                onAppend(from, a);
            } else if (m instanceof AppendReply r) {
                onAppendReply(from, r);
            } else if (m instanceof ClientRequest c) {
                if (leader) {
                    log.add(new Entry(term, c.command(), from, c.requestId()));
                    logChanged();
                    match[id] = lastIndex();
                }
            } else if (m instanceof MembershipRequest r) {
                proposeMembership(from, r);
            } else if (m instanceof MembershipRefused r) {
                CompletableFuture<Consensus.Outcome> f = awaiting.remove(r.requestId());
                if (f != null) {
                    f.complete(Consensus.Outcome.failed(r.why()));
                }
            } else if (m instanceof RenewRequest r) {
                serveRenewal(r.node(), reply -> send(id, from, new RenewAnswer(r.requestId(), reply)));
            } else if (m instanceof RenewAnswer a) {
                consensus.answerRenewal(a.requestId(), a.reply());
            } else if (m instanceof Check c) {
                boolean yes = !leader && !candidate && term == c.check().term() && leaderId >= 0
                        && name(leaderId).equals(c.check().leader());
                send(id, from, new CheckAnswer(c.checkId(), yes));
            } else if (m instanceof CheckAnswer a) {
                CompletableFuture<Boolean> f = checks.remove(a.checkId());
                if (f != null) {
                    f.complete(a.yes());
                }
            } else if (m instanceof ClientReply r) {
                CompletableFuture<Consensus.Outcome> f = awaiting.remove(r.requestId());
                if (f != null) {
                    f.complete(new Consensus.Outcome(true, r.reply(), null));
                }
            }
        }

        /**
         * The leader's side of a membership change: compare-and-set against its log's membership, one at a time
         * (no membership entry it has not committed yet); the entry takes effect as it is appended.
         */
        void proposeMembership(int from, MembershipRequest r) {
            String why = null;
            if (!leader) {
                why = name + " is not the leader";
            } else if (!Set.copyOf(membership().peers()).equals(Set.copyOf(r.from()))) {
                why = "the membership is no longer " + Membership.describe(r.from());
            } else if (membership().index() > commit) {
                why = "another membership change is under way";
            }
            if (why != null) {
                if (from == id) {
                    CompletableFuture<Consensus.Outcome> f = awaiting.remove(r.requestId());
                    if (f != null) {
                        f.complete(Consensus.Outcome.failed(why));
                    }
                } else {
                    send(id, from, new MembershipRefused(r.requestId(), why));
                }
                return;
            }
            trace(name + " appends membership " + Membership.describe(r.to()));
            log.add(new Entry(term, null, from, r.requestId(), List.copyOf(r.to())));
            logChanged();
            match[id] = lastIndex();
        }

        void onAppend(int from, Append a) {
            if (a.term() < term) {
                send(id, from, new AppendReply(term, false, 0));
                return;
            }
            if (a.term() > term || leader || candidate) {
                stepDown(a.term());
            }
            leaderId = a.leader();
            resetElectionTimer();
            if (a.prevIndex() > lastIndex() || termAt(a.prevIndex()) != a.prevTerm()) {
                // Hint: everything up to our commit index matches the leader's log, so it can resume from there
                // instead of backing off one entry per round trip.
                send(id, from, new AppendReply(term, false, Math.min(commit, a.prevIndex() - 1)));
                return;
            }
            long index = a.prevIndex();
            for (Entry e : a.entries()) {
                index++;
                if (index <= lastIndex() && termAt(index) != e.term()) {
                    while (lastIndex() >= index) {
                        log.remove(log.size() - 1);
                    }
                    logChanged();
                }
                if (index > lastIndex()) {
                    log.add(e);
                    logChanged();
                }
            }
            if (a.commit() > commit) {
                commit = Math.min(a.commit(), index);
                apply();
            }
            // Ratis 3.3 reports a heartbeat's success with this node's log end, not what the leader verified.
            send(id, from, new AppendReply(term, true, ratis2605 == null ? index : ratis2605.reported(this, a, index)));
        }

        void onAppendReply(int from, AppendReply r) {
            if (r.term() > term) {
                stepDown(r.term());
                return;
            }
            if (!leader || r.term() != term) {
                return;
            }
            lastHeard[from] = local();
            if (r.success()) {
                match[from] = Math.max(match[from], r.match());
                next[from] = match[from] + 1;
                for (long idx = lastIndex(); idx > commit; idx--) {
                    int count = 0;
                    for (int p = 0; p < n; p++) {
                        if (match[p] >= idx && isVoter(p)) {
                            count++;
                        }
                    }
                    if (majority(count) && termAt(idx) == term) {
                        commit = idx;
                        apply();
                        break;
                    }
                }
            } else {
                next[from] = ratis2605 == null ? Math.max(1, Math.min(next[from] - 1, r.match() + 1))
                        : ratis2605.nextAfterRejection(this, from, r.match());
            }
        }

        void apply() {
            while (lastApplied < commit) {
                lastApplied++;
                Entry e = log.get((int) lastApplied - 1);
                if (e.membership() != null && leader && e.requestId() != 0) {
                    if (e.origin() == id) {
                        consensus.answer(e.requestId(), new byte[0]);
                    } else {
                        send(id, e.origin(), new ClientReply(e.requestId(), new byte[0]));
                    }
                }
                if (e.command() == null) {
                    continue;
                }
                VipTable before = table;
                table = table.apply(e.command()).table();
                if (table != before) {
                    trace(name + " applied #" + lastApplied + " " + e.command());
                    for (io.vipd.cluster.VipState v : table.vips().values()) {
                        checkEpoch(v.name(), v.epoch(), v.owner());
                    }
                }
                appliedEvents.applied(lastApplied, replayUntil, e.command(), before, table);
                if (leader && e.requestId() != 0) {
                    // what VipStateMachine replies: a renewal learns its index and what its node owns there
                    byte[] reply = e.command() instanceof Command.Renew r
                            ? new RenewReply(lastApplied, table.ownedBy(r.node())).encode()
                            : new byte[] {(byte) (before == table ? 0 : 1)};
                    if (e.origin() == id) {
                        consensus.answer(e.requestId(), reply);
                    } else {
                        send(id, e.origin(), new ClientReply(e.requestId(), reply));
                    }
                }
                lease.observe(lastApplied, table.ownedBy(name));
            }
            reconcile();
        }

        /** This node's Raft, as the daemon's roles see it. Single-threaded like the rest of the simulation. */
        final class SimConsensus implements Consensus {
            @Override
            public CompletableFuture<Outcome> submit(Command command) {
                CompletableFuture<Outcome> f = new CompletableFuture<>();
                if (!up) {
                    f.complete(Outcome.failed("down"));
                    return f;
                }
                long rid = ++requestIds;
                if (leader) {
                    log.add(new Entry(term, command, id, rid));
                    logChanged();
                    match[id] = lastIndex();
                } else if (leaderId >= 0) {
                    send(id, leaderId, new ClientRequest(command, rid));
                } else {
                    f.complete(Outcome.failed("no leader"));
                    return f;
                }
                awaiting.put(rid, f);
                return timesOut(rid, f);
            }

            @Override
            public CompletableFuture<Outcome> renew(String node) {
                CompletableFuture<Outcome> f = new CompletableFuture<>();
                if (!up) {
                    f.complete(Outcome.failed("down"));
                    return f;
                }
                long rid = ++requestIds;
                awaiting.put(rid, f);
                if (leader) {
                    serveRenewal(node, reply -> answerRenewal(rid, reply));
                } else if (leaderId >= 0) {
                    send(id, leaderId, new RenewRequest(node, rid));
                } else {
                    awaiting.remove(rid);
                    f.complete(Outcome.failed("no leader"));
                    return f;
                }
                return timesOut(rid, f);
            }

            /** Fails request {@code rid} after the request timeout unless it was answered (in this incarnation). */
            private CompletableFuture<Outcome> timesOut(long rid, CompletableFuture<Outcome> f) {
                int inc = incarnation;
                at(after(REQUEST_TIMEOUT), () -> {
                    if (incarnation == inc && awaiting.remove(rid) != null) {
                        f.complete(Outcome.failed("timeout"));
                    }
                });
                return f;
            }

            void answerRenewal(long requestId, byte[] reply) {
                CompletableFuture<Outcome> f = awaiting.remove(requestId);
                if (f != null) {
                    f.complete(reply == null ? Outcome.failed("refused") : new Outcome(true, reply, null));
                }
            }

            void answer(long requestId, byte[] reply) {
                CompletableFuture<Outcome> f = awaiting.remove(requestId);
                if (f != null) {
                    f.complete(new Outcome(true, reply, null));
                }
            }

            @Override
            public Optional<String> leader() {
                return leaderId >= 0 ? Optional.of(name(leaderId)) : Optional.empty();
            }

            @Override
            public boolean isLeaderReady() {
                return up && leader && commit > 0 && termAt(commit) == term;
            }

            @Override
            public boolean isFollower() {
                return !leader && !candidate;
            }

            @Override
            public String role() {
                return leader ? "LEADER" : candidate ? "CANDIDATE" : "FOLLOWER";
            }

            @Override
            public long term() {
                return term;
            }

            @Override
            public long appliedIndex() {
                return lastApplied;
            }

            @Override
            public long lastLogIndex() {
                return lastIndex();
            }

            @Override
            public Map<String, Long> followersLastAnsweredMs() {
                Map<String, Long> out = new TreeMap<>();
                if (leader) {
                    for (int p = 0; p < n; p++) {
                        if (p != id && isMember(p)) {
                            out.put(name(p), (local() - lastHeard[p]) / MS);
                        }
                    }
                }
                return out;
            }

            @Override
            public Optional<Replication> replication() {
                if (!leader) {
                    return Optional.empty();
                }
                Map<String, Long> matches = new TreeMap<>();
                for (int p = 0; p < n; p++) {
                    if (p != id && isMember(p)) {
                        matches.put(name(p), match[p]);
                    }
                }
                return Optional.of(new Replication(commit, matches, followersLastAnsweredMs()));
            }

            @Override
            public Optional<Membership> membership() {
                return up ? Optional.of(Node.this.membership()) : Optional.empty();
            }

            /**
             * Blocks the test (not an event: call it between {@link #runFor} calls) while the simulation runs, until
             * the change committed, was refused, or {@code timeoutMs} of simulated time passed.
             */
            @Override
            public Outcome changeMembership(Membership from, List<Peer> to, long timeoutMs) {
                if (!up) {
                    return Outcome.failed("down");
                }
                CompletableFuture<Outcome> f = new CompletableFuture<>();
                long rid = ++requestIds;
                awaiting.put(rid, f);
                MembershipRequest request = new MembershipRequest(from.peers(), to, rid);
                if (leader) {
                    proposeMembership(id, request);
                } else if (leaderId >= 0) {
                    send(id, leaderId, request);
                } else {
                    awaiting.remove(rid);
                    return Outcome.failed("no leader");
                }
                long deadline = now + timeoutMs * MS;
                while (!f.isDone() && now < deadline) {
                    runFor(5 * MS);
                }
                awaiting.remove(rid);
                return f.isDone() ? f.join() : Outcome.failed("timeout");
            }

            @Override
            public Outcome transferLeadershipTo(String peer, long timeoutMs) {
                // Modelled only in RATIS-2605 scenarios (the hand-offs work around Ratis bugs the plain compact Raft
                // does not have). Called off the simulation's thread (the daemon hands off asynchronously).
                return transfers == null ? Outcome.failed("not simulated") : transfers.request(id, peer, timeoutMs);
            }
        }
    }
}
