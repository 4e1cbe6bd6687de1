package io.vipd.cluster.sim;

import io.vipd.cluster.Assigner;
import io.vipd.cluster.Command;
import io.vipd.cluster.Liveness;
import io.vipd.cluster.OwnerLease;
import io.vipd.cluster.VipTable;
import io.vipd.config.Timing;
import io.vipd.config.VipSpec;
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
 * majority); on top of it run vipd's real {@link VipTable}, {@link OwnerLease}, {@link Liveness} and
 * {@link Assigner}, wired the way {@code OwnershipAgent} wires them.
 *
 * <p>Invariants are checked as events happen: never two owners of one VIP in the same epoch (across every node's
 * applied table); never two hosts holding one VIP at the same instant; at most one leader per term.
 */
public final class SimulatedCluster {
    static final long MS = 1_000_000L;
    private static final long HEARTBEAT = 50 * MS;
    private static final long RECONCILE = 20 * MS;
    private static final long PLACE = 50 * MS;

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
    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();

    public SimulatedCluster(long seed, int n, List<VipSpec> vips, Timing timing) {
        this.rnd = new Random(seed);
        this.n = n;
        this.vips = vips;
        this.timing = timing;
        this.nodes = new Node[n];
        this.partitionGroup = new int[n];
        for (int i = 0; i < n; i++) {
            members.add(name(i));
        }
        for (int i = 0; i < n; i++) {
            // Clock rates within ±5 %: far worse than real oscillators, inside the 10 % margin vipd assumes.
            nodes[i] = new Node(i, 0.95 + rnd.nextDouble() * 0.10, rnd.nextLong() & 0xffffffffL);
        }
        for (Node node : nodes) {
            node.start();
        }
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
        for (VipSpec v : vips) {
            List<String> holders = new ArrayList<>();
            for (Node node : nodes) {
                if (node.answers(v.name())) {
                    holders.add(node.name);
                }
            }
            if (holders.size() > 1) {
                if (violations.isEmpty()) {
                    trace.forEach(System.out::println);
                }
                violations.add(String.format("t=%d ms: VIP %s held by %s at once", now / MS, v.name(), holders));
            }
        }
    }

    private void checkEpoch(String vip, long epoch, String owner) {
        String key = vip + "@" + epoch;
        String previous = ownerOfEpoch.putIfAbsent(key, String.valueOf(owner));
        if (previous != null && !previous.equals(String.valueOf(owner))) {
            violations.add("VIP " + vip + " epoch " + epoch + " has owners " + previous + " and " + owner);
        }
    }

    // ---- faults ----------------------------------------------------------------------------------------------

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

    record Entry(long term, Command command, int origin, long requestId) {}

    record Vote(long term, int candidate, long lastIndex, long lastTerm) {}

    record VoteReply(long term, boolean granted) {}

    record Append(long term, int leader, long prevIndex, long prevTerm, List<Entry> entries, long commit) {}

    record AppendReply(long term, boolean success, long match) {}

    record ClientRequest(Command command, long requestId) {}

    record ClientReply(long requestId, long index, Map<String, Long> owned) {}

    // ---- a node ----------------------------------------------------------------------------------------------

    final class Node {
        final int id;
        final String name;
        final double rate;
        final long offset;
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
        VipTable table = VipTable.EMPTY;
        OwnerLease lease;
        Liveness liveness;
        Long leaderSince;
        final Set<String> holding = new TreeSet<>();
        /** The kernel fence: open until this local time, as last set by reconcile; it closes by itself. */
        long fenceDeadline;
        final Map<Long, Long> renewalStarts = new HashMap<>();
        final Set<String> placing = new HashSet<>();
        long requestIds;
        /** What this node's health checks currently say (set by the test); empty = no checks. Survives crashes. */
        final Map<String, String> localHealth = new TreeMap<>();
        /** When each idempotent command was last submitted, so it is retried but not flooded. */
        final Map<String, Long> lastSubmitted = new HashMap<>();
        /** Leader: when this node first saw each pending handover, and since when nodes are eligible. */
        final Map<String, Long> releasingSeen = new HashMap<>();
        final Map<String, Long> eligibleSince = new HashMap<>();

        Node(int id, double rate, long offset) {
            this.id = id;
            this.name = name(id);
            this.rate = rate;
            this.offset = offset;
            freshVolatile();
        }

        long local() {
            return offset + (long) (now * rate);
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

        void freshVolatile() {
            leader = false;
            candidate = false;
            leaderId = -1;
            commit = 0;
            lastApplied = 0;
            table = VipTable.EMPTY;
            lease = new OwnerLease(timing.leaseMs());
            liveness = new Liveness(timing.failoverTimeoutMs(), timing.earnMs(), timing.renewalGapMs());
            leaderSince = null;
            renewalStarts.clear();
            placing.clear();
            lastSubmitted.clear();
            releasingSeen.clear();
            eligibleSince.clear();
        }

        /** Submits a command through the leader (as the daemon's Raft client does); no reply is awaited. */
        void submit(Command c) {
            if (!up) {
                return;
            }
            if (leader) {
                log.add(new Entry(term, c, id, 0));
                match[id] = lastIndex();
            } else if (leaderId >= 0) {
                send(id, leaderId, new ClientRequest(c, 0));
            }
        }

        /** Submits {@code c} unless the same key was submitted less than 200 ms ago (local time). */
        void submitOnce(String key, Command c) {
            Long last = lastSubmitted.get(key);
            if (last == null || local() - last > 200 * MS) {
                lastSubmitted.put(key, local());
                submit(c);
            }
        }

        void start() {
            resetElectionTimer();
            every(HEARTBEAT / 2, this::tick);
            every(timing.renewIntervalMs() * MS, this::renew);
            every(PLACE, this::place);
            every(RECONCILE, this::reconcile);
        }

        void crash() {
            up = false;
            incarnation++;
            holding.clear(); // the host went down with the daemon
            checkHolders();
        }

        void restart() {
            up = true;
            incarnation++;
            freshVolatile();
            start();
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
                    if (p != id) {
                        sendAppend(p);
                    }
                }
            } else if (local() >= electionDeadline) {
                term++;
                candidate = true;
                votedFor = id;
                votes = new HashSet<>(Set.of(id));
                leaderId = -1;
                resetElectionTimer();
                for (int p = 0; p < n; p++) {
                    if (p != id) {
                        send(id, p, new Vote(term, id, lastIndex(), termAt(lastIndex())));
                    }
                }
            }
        }

        void sendAppend(int p) {
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
            leaderSince = null;
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
            java.util.Arrays.fill(next, lastIndex() + 1);
            log.add(new Entry(term, null, -1, 0)); // no-op: commits earlier terms' entries
            match[id] = lastIndex();
        }

        void receive(int from, Object m) {
            if (!up) {
                return;
            }
            if (m instanceof Vote v) {
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
                    if (votes.size() * 2 > n) {
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
                    match[id] = lastIndex();
                }
            } else if (m instanceof ClientReply r) {
                Long start = renewalStarts.remove(r.requestId());
                if (start != null) {
                    trace(name + " renewal confirmed: started " + (local() - start) / MS + " ms ago, #" + r.index()
                            + " owned " + r.owned() + " from " + name(from));
                    lease.renewed(start, r.index(), r.owned());
                    reconcile();
                }
            }
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
                }
                if (index > lastIndex()) {
                    log.add(e);
                }
            }
            if (a.commit() > commit) {
                commit = Math.min(a.commit(), index);
                apply();
            }
            send(id, from, new AppendReply(term, true, index));
        }

        void onAppendReply(int from, AppendReply r) {
            if (r.term() > term) {
                stepDown(r.term());
                return;
            }
            if (!leader || r.term() != term) {
                return;
            }
            if (r.success()) {
                match[from] = Math.max(match[from], r.match());
                next[from] = match[from] + 1;
                for (long idx = lastIndex(); idx > commit; idx--) {
                    int count = 0;
                    for (int p = 0; p < n; p++) {
                        if (match[p] >= idx) {
                            count++;
                        }
                    }
                    if (count * 2 > n && termAt(idx) == term) {
                        commit = idx;
                        apply();
                        break;
                    }
                }
            } else {
                next[from] = Math.max(1, Math.min(next[from] - 1, r.match() + 1));
            }
        }

        void apply() {
            while (lastApplied < commit) {
                lastApplied++;
                Entry e = log.get((int) lastApplied - 1);
                if (e.command() == null) {
                    continue;
                }
                VipTable before = table;
                table = table.apply(e.command()).table();
                if (table != before) {
                    trace(name + " applied #" + lastApplied + " " + e.command());
                    for (VipSpec v : vips) {
                        checkEpoch(v.name(), table.vip(v.name()).epoch(), table.vip(v.name()).owner());
                    }
                }
                if (e.command() instanceof Command.Renew r) {
                    liveness.renewed(r.node(), local());
                    if (leader) {
                        send(id, e.origin(), new ClientReply(e.requestId(), lastApplied, table.ownedBy(r.node())));
                    }
                } else if (e.command() instanceof Command.Leave l) {
                    liveness.left(l.node());
                }
                if (e.command() instanceof Command.Assign a && leader) {
                    placing.remove(a.vip());
                }
                lease.observe(lastApplied, table.ownedBy(name));
            }
            reconcile();
        }

        void renew() {
            long rid = ++requestIds;
            renewalStarts.put(rid, local());
            Command c = new Command.Renew(name);
            if (leader) {
                log.add(new Entry(term, c, id, rid));
                match[id] = lastIndex();
            } else if (leaderId >= 0) {
                send(id, leaderId, new ClientRequest(c, rid));
            }
        }

        void place() {
            boolean ready = leader && commit > 0 && termAt(commit) == term;
            if (!ready) {
                leaderSince = null;
                placing.clear();
                releasingSeen.clear();
                eligibleSince.clear();
                return;
            }
            if (leaderSince == null) {
                leaderSince = local();
            }
            boolean settled = local() - leaderSince >= timing.failoverTimeoutMs() * MS;
            Set<String> live = liveness.liveNodes(local());
            // Handovers not confirmed within the failover timeout since this leader saw them: go ahead.
            Set<String> pendingHandovers = new HashSet<>();
            for (io.vipd.cluster.VipState v : table.vips().values()) {
                if (v.releasing() != null) {
                    String key = v.name() + "#" + v.epoch();
                    pendingHandovers.add(key);
                    long seen = releasingSeen.computeIfAbsent(key, k -> local());
                    if (local() - seen >= timing.failoverTimeoutMs() * MS) {
                        submitOnce("timeout " + key, new Command.Released(v.name(), v.epoch(), v.releasing(),
                                "timeout"));
                    }
                }
            }
            releasingSeen.keySet().retainAll(pendingHandovers);
            List<VipSpec> pending = vips.stream().filter(v -> !placing.contains(v.name())).toList();
            long t = local();
            // as the agent does: only nodes that earned VIPs (renewing steadily) receive them
            Set<String> candidates = liveness.earnedNodes(local());
            candidates.retainAll(members);
            Assigner.Inputs in = new Assigner.Inputs(table, pending, live, candidates, members, settled, 0,
                    (node, vip) -> {
                        Long since = eligibleSince.get(node + "#" + vip);
                        return since == null ? -1 : (t - since) / MS;
                    });
            for (VipSpec v : vips) {
                for (String m : members) {
                    if (Assigner.eligible(in, v, m)) {
                        eligibleSince.putIfAbsent(m + "#" + v.name(), t);
                    } else {
                        eligibleSince.remove(m + "#" + v.name());
                    }
                }
            }
            for (Command.Assign a : Assigner.plan(in)) {
                placing.add(a.vip());
                log.add(new Entry(term, a, id, 0));
                match[id] = lastIndex();
            }
        }

        /** Whether the host answers ARP for {@code vip} now: it carries the address and its fence is open. */
        boolean answers(String vip) {
            return up && holding.contains(vip) && local() - fenceDeadline < 0;
        }

        void reconcile() {
            if (!up) {
                return;
            }
            Set<String> before = new TreeSet<>(holding);
            holding.clear();
            holding.addAll(lease.holdable(local()).keySet());
            fenceDeadline = lease.deadlineNanos();
            if (!before.equals(holding)) {
                trace(name + " holds " + holding + " (lease left " + lease.remainingMillis(local()) + " ms)");
            }
            checkHolders();
            // As the agent does: confirm handovers once the host no longer carries the VIP, report health.
            for (io.vipd.cluster.VipState v : table.vips().values()) {
                if (name.equals(v.releasing()) && !holding.contains(v.name())) {
                    submitOnce("release " + v.name() + "#" + v.epoch(), new Command.Released(v.name(), v.epoch(),
                            name, "let go"));
                }
            }
            Map<String, String> defs = new TreeMap<>();
            vips.forEach(v -> defs.put(v.name(), v.cidr()));
            if (!defs.equals(table.definitionsOf(name))) {
                submitOnce("definitions", new Command.Definitions(name, defs));
            }
            if (!localHealth.isEmpty() && !localHealth.equals(table.healthOf(name))) {
                submitOnce("health " + localHealth, new Command.Health(name, localHealth));
            }
        }
    }
}
