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
 * <ul>
 *   <li>A VIP whose owner is live (its renewals commit) stays where it is: a returning node never takes a VIP back
 *       by itself. Only renewals can make an owner live: that is what keeps the old owner's lease inside the
 *       failover timeout.</li>
 *   <li>A new owner is chosen among the candidates: live nodes, plus nodes the leader currently reaches over Raft.
 *       A candidate whose lease has lapsed does not answer until its next renewal commits, so choosing it is safe;
 *       it just need not wait for that renewal, which after a change of leader saves a round.</li>
 *   <li>A VIP with no owner, or whose owner is not live, goes to the first live node of its preference list, or
 *       else to the live node owning the fewest VIPs (ties broken by node id, so the result is deterministic).</li>
 *   <li>With no live node nothing is proposed.</li>
 *   <li>A VIP that was never assigned waits until every member is live or the leader has settled (been leader for
 *       a failover timeout), so that a cluster starting up spreads its VIPs instead of piling them onto whichever
 *       node renewed first. VIPs that lost their owner never wait.</li>
 * </ul>
 */
public final class Assigner {
    private Assigner() {}

    /** Plan where every candidate is a live node. */
    public static List<Command.Assign> plan(VipTable table, List<VipSpec> vips, Set<String> live,
                                            Set<String> members, boolean settled, long wallMillis) {
        return plan(table, vips, live, live, members, settled, wallMillis);
    }

    /**
     * @param live       nodes whose renewals commit: owners that keep their VIPs
     * @param candidates nodes that may receive a VIP (a superset of {@code live})
     * @param members    every configured member
     * @param settled    the leader has been leader for at least the failover timeout
     */
    public static List<Command.Assign> plan(VipTable table, List<VipSpec> vips, Set<String> live,
                                            Set<String> candidates, Set<String> members, boolean settled,
                                            long wallMillis) {
        List<Command.Assign> out = new ArrayList<>();
        if (candidates.isEmpty()) {
            return out;
        }
        boolean waitForMembers = !settled && !candidates.containsAll(members);
        Map<String, Integer> load = new HashMap<>();
        candidates.forEach(n -> load.put(n, 0));
        for (VipSpec spec : vips) {
            String owner = table.vip(spec.name()).owner();
            if (owner != null && live.contains(owner) && load.containsKey(owner)) {
                load.merge(owner, 1, Integer::sum);
            }
        }
        for (VipSpec spec : vips) {
            VipState state = table.vip(spec.name());
            if (state.owner() != null && live.contains(state.owner())) {
                continue;
            }
            if (state.epoch() == 0 && waitForMembers) {
                continue;
            }
            // Never the previous owner: it stopped renewing, even if the leader still reaches it.
            String previous = state.owner();
            String chosen = null;
            String why = null;
            for (String preferred : spec.preferred()) {
                if (candidates.contains(preferred) && !preferred.equals(previous)) {
                    chosen = preferred;
                    why = "preferred";
                    break;
                }
            }
            if (chosen == null) {
                chosen = load.entrySet().stream()
                        .filter(e -> !e.getKey().equals(previous))
                        .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                        .map(Map.Entry::getKey).orElse(null);
                if (chosen == null) {
                    continue; // the only candidate is the owner that stopped renewing
                }
                why = spec.preferred().isEmpty() ? "least loaded" : "fallback: no preferred node live, least loaded";
            }
            load.merge(chosen, 1, Integer::sum);
            String reason = state.owner() == null
                    ? why
                    : why + "; previous owner " + state.owner() + " stopped renewing";
            long ownerRenewals = state.owner() == null ? 0 : table.renewalsOf(state.owner());
            out.add(new Command.Assign(spec.name(), state.epoch(), ownerRenewals, chosen, wallMillis, reason));
        }
        return out;
    }
}
