package io.vipd.cluster;

import io.vipd.config.VipSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's placement decision, pure: which VIPs need a new owner and who gets each.
 *
 * <p>A node is <em>eligible</em> for a VIP when it is a candidate (it has earned VIPs: its renewals have been applied
 * steadily for a few renew intervals, see {@link Liveness}), has not left (shut down without
 * renewing since), defines the VIP with the same address/prefix as the leader's configuration, is not drained, and passes the VIP's health checks (as it last reported them to the group; a node
 * that has not reported yet does not pass).
 *
 * <ul>
 *   <li><b>Failover.</b> A VIP with no owner, or whose owner is not live (no renewal applied for the failover
 *       timeout), goes to the first eligible node of its preference list, or else to the eligible node owning the
 *       fewest VIPs (ties broken in favour of nodes that do not lead Raft, then by node id). Only renewals make an owner live: that is what keeps the old owner's
 *       lease inside the failover timeout. Candidates are nodes whose renewals have been applied steadily for a few
 *       renew intervals: a node that is merely reachable could not hold the VIP yet and would lose it again. The
 *       previous owner is never chosen: it stopped renewing, even if the leader still reaches it.</li>
 *   <li><b>Handover.</b> A VIP whose owner is live moves only by handover (the owner lets go before the new owner
 *       answers): when its owner is drained or fails the VIP's checks and another node is eligible, or, with
 *       {@code preempt} on, when a node earlier in its preference list has been eligible for the preempt delay and
 *       the owner has held the VIP for its preempt hold time (damping: a node that lost the VIP because it stopped
 *       renewing does not get it straight back). Otherwise it stays: a returning node never takes a VIP back by
 *       itself.</li>
 *   <li><b>No healthy node.</b> With {@code unhealthy = keep} (default) the VIP stays on its owner, or, if it has
 *       none, goes to a reachable node that is not drained; with {@code unhealthy = release} it is released.</li>
 *   <li>A VIP in the middle of a handover is left alone until the previous owner confirmed (unless its new owner
 *       dies: then failover applies).</li>
 *   <li>A VIP that was never assigned waits until every member is a candidate and has reported its definitions
 *       (and, for a VIP with checks, its first results), or the leader has settled (been leader for its start-up
 *       patience, see Placement), so a cluster starting up spreads its VIPs and puts them where they are preferred,
 *       instead of on whichever node reported first. VIPs that lost their owner never wait.</li>
 * </ul>
 */
// About 340 lines: every placement rule (failover, handover for drain, checks, links, silence, preemption) in one
// pure function, so their order of precedence is visible in one place.
public final class Assigner {
    private Assigner() {}

    /** How long (ms) a node has been continuously eligible for a VIP, as the leader saw it; for preempt delays. */
    @FunctionalInterface
    public interface EligibleFor {
        EligibleFor ALWAYS = (node, vip) -> Long.MAX_VALUE;

        long millis(String node, String vip);
    }

    /** How long (ms) a VIP's current owner has held it, and how long a new VIP has waited, as the leader saw it. */
    public interface Ages {
        /** Every owner has held its VIP forever, every new VIP has waited long enough. */
        Ages OLD = new Ages() {
            @Override
            public long heldMillis(String vip) {
                return Long.MAX_VALUE;
            }

            @Override
            public long vacantMillis(String vip) {
                return Long.MAX_VALUE;
            }
        };

        /** Since the VIP's current owner got it: preemption waits for {@code preempt.hold.ms}. */
        long heldMillis(String vip);

        /**
         * Since the leader first saw the VIP without a live owner: never placed (a VIP a reload added), released,
         * or its owner stopped renewing.
         */
        long vacantMillis(String vip);

        /**
         * Whether {@code node}'s renewals have been applied without a long gap for at least the silence window
         * ({@code watch.silent.after.ms}): only then was it meant to answer ARP all the time its watchers heard
         * nothing. An owner whose lease had lapsed did not answer, rightly; once it renews again it binds and answers,
         * and its watchers' reports from before must not move the VIP away moments later.
         */
        default boolean renewedThroughSilence(String node) {
            return true;
        }

        /**
         * Since the leader last applied (confirmed) a renewal of {@code node}, or -1 if unknown: said in a failover's
         * reason.
         */
        default long sinceRenewalMillis(String node) {
            return -1;
        }
    }

    /** How long a newly defined VIP waits for its preferred nodes to define it too (a reload on every host). */
    public static final long NEW_VIP_PATIENCE_MS = 3000;

    /**
     * What the leader knows when it plans.
     *
     * @param live        nodes whose renewals commit: owners that keep their VIPs
     * @param candidates  nodes that may receive a VIP: those that earned it (renewing steadily)
     * @param members     every configured member
     * @param settled     the leader has been leader for at least the failover timeout
     * @param eligibleFor for preempt delays
     * @param ages        for preempt hold times and new VIPs' patience
     * @param earning     nodes whose renewals are being applied steadily but not yet for long enough to be
     *                    candidates (they resumed after a pause, a restart, a partition or a change of Raft leader)
     * @param leader      the Raft leader that plans (null: unknown): between nodes that carry equally many VIPs, a
     *                    VIP goes to one that does not lead, because a leader's crash costs an election on top of
     *                    the failover timeout
     */
    public record Inputs(VipTable table, List<VipSpec> vips, Set<String> live, Set<String> candidates,
                         Set<String> members, boolean settled, long wallMillis, EligibleFor eligibleFor,
                         Ages ages, Set<String> earning, String leader) {
        /** Inputs that name no leader. */
        public Inputs(VipTable table, List<VipSpec> vips, Set<String> live, Set<String> candidates,
                      Set<String> members, boolean settled, long wallMillis, EligibleFor eligibleFor,
                      Ages ages, Set<String> earning) {
            this(table, vips, live, candidates, members, settled, wallMillis, eligibleFor, ages, earning, null);
        }

        /** Inputs in which no node is earning. */
        public Inputs(VipTable table, List<VipSpec> vips, Set<String> live, Set<String> candidates,
                      Set<String> members, boolean settled, long wallMillis, EligibleFor eligibleFor, Ages ages) {
            this(table, vips, live, candidates, members, settled, wallMillis, eligibleFor, ages, Set.of());
        }

        /** Inputs in which every owner has held its VIP long enough and no new VIP waits. */
        public Inputs(VipTable table, List<VipSpec> vips, Set<String> live, Set<String> candidates,
                      Set<String> members, boolean settled, long wallMillis, EligibleFor eligibleFor) {
            this(table, vips, live, candidates, members, settled, wallMillis, eligibleFor, Ages.OLD);
        }
    }

    /** Plan where every candidate is a live node. */
    public static List<Command.Assign> plan(VipTable table, List<VipSpec> vips, Set<String> live,
                                            Set<String> members, boolean settled, long wallMillis) {
        return plan(table, vips, live, live, members, settled, wallMillis);
    }

    public static List<Command.Assign> plan(VipTable table, List<VipSpec> vips, Set<String> live,
                                            Set<String> candidates, Set<String> members, boolean settled,
                                            long wallMillis) {
        return plan(new Inputs(table, vips, live, candidates, members, settled, wallMillis, EligibleFor.ALWAYS,
                Ages.OLD));
    }

    /** Why {@code node}'s VIP interface or a tracked one cannot carry {@code spec} (as it reported), or null. */
    public static String linkProblem(VipTable table, VipSpec spec, String node) {
        for (String iface : spec.links()) {
            String problem = NodeFacts.linkProblem(table, node, iface);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** Whether {@code node} passes {@code spec}'s checks according to what it last reported to the group. */
    public static boolean healthy(VipTable table, VipSpec spec, String node) {
        return linkProblem(table, spec, node) == null
                && (spec.checks().isEmpty() || "".equals(table.healthOf(node).get(spec.name())));
    }

    /**
     * Why {@code node} cannot serve {@code spec} well, or null if it can: its VIP interface is down (as it
     * reported), or it does not pass the VIP's checks.
     */
    public static String unhealthyReason(VipTable table, VipSpec spec, String node) {
        if (healthy(table, spec, node)) {
            return null;
        }
        String link = linkProblem(table, spec, node);
        if (link != null) {
            return link;
        }
        String r = table.healthOf(node).get(spec.name());
        return r == null ? "no check results reported yet" : r;
    }

    /** Candidate, not shutting down, not drained, passing the checks. */
    public static boolean eligible(Inputs in, VipSpec spec, String node) {
        return in.candidates().contains(node) && eligibleOnceEarned(in, spec, node);
    }

    /** Everything {@link #eligible} asks but being a candidate: for a node that is still earning VIPs. */
    private static boolean eligibleOnceEarned(Inputs in, VipSpec spec, String node) {
        if (in.table().drained().contains(node)) {
            return false;
        }
        for (VipSpec m : AssignerGroups.members(in, spec)) { // a group goes only where every member may go
            if (!definesAndStays(in, m, node) || !healthy(in.table(), m, node)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A candidate that has not left (shut down) without renewing since, and whose configuration defines the VIP as
     * the leader's does (a node that does not know a VIP, or knows another address by its name, must not own it).
     */
    private static boolean reachable(Inputs in, VipSpec spec, String node) {
        return in.candidates().contains(node) && AssignerGroups.members(in, spec).stream().allMatch(m -> definesAndStays(in, m, node));
    }

    /** Has not left without renewing since, and defines the VIP as the leader's configuration does. */
    private static boolean definesAndStays(Inputs in, VipSpec spec, String node) {
        return !in.table().left().contains(node) && definedAlike(in.table(), spec, node);
    }

    /** Whether {@code node} reported the same address/prefix for {@code spec} as this configuration has. */
    public static boolean definedAlike(VipTable table, VipSpec spec, String node) {
        return spec.cidr().equals(table.definitionsOf(node).get(spec.name()));
    }

    public static List<Command.Assign> plan(Inputs in) {
        List<Command.Assign> out = new ArrayList<>();
        if (in.candidates().isEmpty()) {
            return out;
        }
        VipTable table = in.table();
        // A starting cluster waits for every member to be reachable and to have said which VIPs it defines.
        boolean waitForMembers = !in.settled() && !in.members().stream()
                .allMatch(m -> in.candidates().contains(m) && table.definitions().containsKey(m));
        Map<String, Integer> load = new HashMap<>();
        in.candidates().forEach(n -> load.put(n, 0));
        for (VipSpec spec : in.vips()) {
            String owner = table.vip(spec.name()).owner();
            if (owner != null && in.live().contains(owner) && load.containsKey(owner)) {
                load.merge(owner, 1, Integer::sum);
            }
        }
        // VIPs with a preference list first: they go where they are preferred whatever the load, and the VIPs
        // placed by load then balance around them (the other way round, a least-loaded VIP could land on the node
        // a preferred VIP then joins too).
        List<VipSpec> order = new ArrayList<>(in.vips());
        order.sort(java.util.Comparator.comparing(spec -> spec.preferred().isEmpty()));
        Map<String, Command.Assign> decided = new HashMap<>();
        for (VipSpec spec : order) {
            List<VipSpec> members = AssignerGroups.members(in, spec);
            if (members.get(0) != spec) {
                continue; // a group is decided for its lead, and its members follow
            }
            Command.Assign decision = decide(in, spec, waitForMembers, load);
            if (members.size() == 1) {
                if (decision != null) {
                    decided.put(spec.name(), decision);
                }
            } else {
                AssignerGroups.decide(in, members, decision, load, decided);
            }
        }
        for (VipSpec spec : in.vips()) { // in the configuration's order
            if (decided.containsKey(spec.name())) {
                out.add(decided.get(spec.name()));
            }
        }
        return out;
    }

    /** One VIP's (or one group lead's) decision: a handover, a failover, or none. */
    private static Command.Assign decide(Inputs in, VipSpec spec, boolean waitForMembers, Map<String, Integer> load) {
        VipTable table = in.table();
        VipState state = table.vip(spec.name());
        String owner = state.owner();
        boolean ownerLive = owner != null && in.live().contains(owner);
        if (ownerLive) {
            return state.releasing() == null ? handover(in, spec, state, load) : null;
        }
        if (state.epoch() == 0 && (waitForMembers || !in.settled() && !spec.checks().isEmpty()
                && in.members().stream().anyMatch(m -> !table.healthOf(m).containsKey(spec.name())))) {
            return null; // ... and, for a VIP with checks, for every member's first results
        }
        if (state.epoch() == 0 && in.ages().vacantMillis(spec.name()) < NEW_VIP_PATIENCE_MS
                && spec.preferred().stream().anyMatch(p -> in.candidates().contains(p)
                        && !definedAlike(table, spec, p))) {
            // A VIP a reload added: its preferred nodes reload within moments of each other. Placing it on
            // whichever defined it first would be followed by a preemption at once: two MACs for a new VIP.
            return null;
        }
        return failover(in, spec, state, load);
    }

    /** Marks the reason of a move for silence, so the next one waits {@link #SILENT_MOVE_DAMPING_MS}. */
    static final String NOT_ANSWERING = "not answering";
    /**
     * The longest a failover waits for a preferred node that is earning (see {@link #failover}): a few renew
     * intervals of the slowest profile; a node still earning after this is not steady enough to wait for.
     */
    public static final long EARNING_WAIT_MAX_MS = 1000;

    /** A VIP moved because its owner was silent is not moved for silence again within this time. */
    public static final long SILENT_MOVE_DAMPING_MS = 60_000;

    /**
     * Why the owner counts as not answering, or null: every other member watching the VIP hears no answer from it
     * at this epoch ({@link NodeFacts#silentFor}), {@code on_silent = move}, and the VIP did not just move for this
     * (if ARP is lost for every owner alike, moving it again would only flap).
     */
    private static String silence(Inputs in, VipSpec spec, VipState state) {
        if (spec.onSilent() != VipSpec.SilentPolicy.MOVE) {
            return null;
        }
        List<String> silentFor = NodeFacts.silentFor(in.table(), spec.name(), spec.iface(), state.owner(),
                state.epoch());
        if (silentFor.isEmpty() || state.reason().contains(NOT_ANSWERING)
                && in.ages().heldMillis(spec.name()) < SILENT_MOVE_DAMPING_MS
                || !in.ages().renewedThroughSilence(state.owner())) {
            return null;
        }
        return NOT_ANSWERING + " " + spec.resolution() + " (no answer to the probes of " + String.join(", ", silentFor)
                + ")";
    }

    /** The owner is live: move the VIP only for drain, failing checks, silence or preemption. */
    private static Command.Assign handover(Inputs in, VipSpec spec, VipState state, Map<String, Integer> load) {
        String owner = state.owner();
        VipTable table = in.table();
        boolean drained = table.drained().contains(owner);
        // A group moves when any member must: checks, definitions and silence of every member count.
        VipSpec differs = null;
        String sick = null;
        String silent = null;
        for (VipSpec m : AssignerGroups.members(in, spec)) {
            if (differs == null && !definedAlike(table, m, owner)) {
                differs = m;
            }
            String why = unhealthyReason(table, m, owner);
            if (sick == null && why != null) {
                sick = m == spec ? why : m.name() + ": " + why;
            }
            String quiet = m == spec ? silence(in, m, state)
                    : owner.equals(table.vip(m.name()).owner()) ? silence(in, m, table.vip(m.name())) : null;
            if (silent == null && quiet != null) {
                silent = m == spec ? quiet : quiet + " for " + m.name();
            }
        }
        boolean mismatch = differs != null;
        if (drained || mismatch || sick != null || silent != null) {
            String target = best(in, spec, load, owner, null);
            String why = drained ? "owner " + owner + " drained"
                    : mismatch ? "owner " + owner + " defines " + differs.name() + " differently ("
                            + table.definitionsOf(owner).getOrDefault(differs.name(), "not at all") + ")"
                    : sick != null ? "owner " + owner + " unhealthy (" + sick + ")"
                    : "owner " + owner + " " + silent;
            boolean nobodyHealthy = in.candidates().stream().noneMatch(n -> AssignerGroups.healthy(in, spec, n));
            if (target == null && drained && nobodyHealthy && spec.unhealthy() == VipSpec.UnhealthyPolicy.KEEP) {
                // keep serving, but not from a drained node: any reachable node that has run the checks
                target = best(in, spec, load, owner, n -> !table.drained().contains(n)
                        && AssignerGroups.checked(in, spec, n) && AssignerGroups.members(in, spec).stream().anyMatch(m -> !m.checks().isEmpty()));
            }
            if (target != null) {
                return move(in, spec, state, target, load, preferenceNote(spec, target) + "; " + why);
            }
            if (sick != null && nobodyHealthy && spec.unhealthy() == VipSpec.UnhealthyPolicy.RELEASE) {
                return move(in, spec, state, null, load, "released: no node passes its checks (unhealthy = release)");
            }
            return null; // stays: nowhere better to go
        }
        if (spec.preempt()) {
            int ownerRank = rank(spec, owner);
            for (String p : spec.preferred()) {
                if (rank(spec, p) >= ownerRank) {
                    break;
                }
                if (eligible(in, spec, p) && in.eligibleFor().millis(p, spec.name()) >= spec.preemptDelayMs()
                        && in.ages().heldMillis(spec.name()) >= spec.preemptHoldMs()) {
                    return move(in, spec, state, p, load, "preferred (preempt: " + p + " eligible for "
                            + Math.min(in.eligibleFor().millis(p, spec.name()), 86_400_000L) + " ms >= "
                            + spec.preemptDelayMs() + " ms delay)");
                }
            }
        }
        return null;
    }

    /**
     * The VIP has no owner or its owner stopped renewing. With preemption on, it waits (at most
     * {@link #EARNING_WAIT_MAX_MS}) while a node it prefers to the chosen one is still earning: when the Raft
     * leader changes at the same moment (the owner was the leader, or was cut off with it) and the election takes
     * longer than a failover timeout, every node's renewals pause long enough to earn afresh (see
     * {@link Liveness#renewed}), and whichever earns first would get the VIP only to hand it to the preferred node
     * a preempt delay later: two moves where one will do.
     */
    private static Command.Assign failover(Inputs in, VipSpec spec, VipState state, Map<String, Integer> load) {
        String previous = state.owner();
        VipTable table = in.table();
        String chosen = best(in, spec, load, previous, null);
        if (chosen != null && spec.preempt() && in.ages().vacantMillis(spec.name()) < EARNING_WAIT_MAX_MS
                && preferredEarning(in, spec, chosen, previous)) {
            return null;
        }
        String why;
        if (chosen != null) {
            why = preferenceNote(spec, chosen);
        } else if (spec.unhealthy() == VipSpec.UnhealthyPolicy.KEEP) {
            // Nobody passes the checks: keep the VIP served, by a reachable node that is not drained and has run
            // them (one that has not reported yet may well pass in a moment).
            chosen = best(in, spec, load, previous, n -> !table.drained().contains(n) && AssignerGroups.checked(in, spec, n));
            if (chosen == null) {
                return null;
            }
            why = "no node passes its checks, kept serving on " + chosen + " (unhealthy = keep)";
        } else if (previous != null) {
            why = "released: no node passes its checks (unhealthy = release)";
        } else {
            return null;
        }
        if (chosen != null) {
            load.merge(chosen, 1, Integer::sum);
        }
        long silent = previous == null ? -1 : in.ages().sinceRenewalMillis(previous);
        String reason = previous == null ? why : why + "; previous owner " + previous + " stopped renewing"
                + (silent >= 0 ? OwnershipEvent.failoverAfter(silent) : "");
        long ownerRenewals = previous == null ? 0 : table.renewalsOf(previous);
        return new Command.Assign(spec.name(), state.epoch(), ownerRenewals, chosen, in.wallMillis(), reason);
    }

    private static Command.Assign move(Inputs in, VipSpec spec, VipState state, String target,
                                       Map<String, Integer> load, String reason) {
        if (target != null) {
            load.merge(target, 1, Integer::sum);
        }
        load.computeIfPresent(state.owner(), (n, l) -> Math.max(0, l - 1));
        return new Command.Assign(spec.name(), state.epoch(), 0, target, in.wallMillis(), reason, true);
    }

    /**
     * The first eligible node of the preference list, else the eligible node with the fewest VIPs (ties: a node
     * that does not lead Raft, then by id); never {@code excluded}. With {@code instead} given, that test replaces
     * eligibility.
     */
    private static String best(Inputs in, VipSpec spec, Map<String, Integer> load, String excluded,
                               java.util.function.Predicate<String> instead) {
        java.util.function.Predicate<String> ok = instead != null
                ? n -> reachable(in, spec, n) && instead.test(n)
                : n -> eligible(in, spec, n);
        for (String p : spec.preferred()) {
            if (!p.equals(excluded) && ok.test(p)) {
                return p;
            }
        }
        return load.entrySet().stream()
                .filter(e -> !e.getKey().equals(excluded) && ok.test(e.getKey()))
                .min(Map.Entry.<String, Integer>comparingByValue()
                        .thenComparing(e -> e.getKey().equals(in.leader()))
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).orElse(null);
    }

    /** Whether a node {@code spec} prefers to {@code chosen} would be eligible but for still earning. */
    private static boolean preferredEarning(Inputs in, VipSpec spec, String chosen, String previous) {
        int chosenRank = rank(spec, chosen);
        for (String p : spec.preferred()) {
            if (rank(spec, p) >= chosenRank) {
                return false;
            }
            if (!p.equals(previous) && in.earning().contains(p) && eligibleOnceEarned(in, spec, p)) {
                return true;
            }
        }
        return false;
    }

    private static String preferenceNote(VipSpec spec, String chosen) {
        if (spec.preferred().isEmpty()) {
            return "least loaded";
        }
        return spec.preferred().contains(chosen) ? "preferred" : "fallback: no preferred node eligible, least loaded";
    }

    private static int rank(VipSpec spec, String node) {
        int i = spec.preferred().indexOf(node);
        return i < 0 ? Integer.MAX_VALUE : i;
    }
}
