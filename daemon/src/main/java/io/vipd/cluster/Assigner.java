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
 *   <li>A VIP whose owner is live stays where it is: a returning node never takes a VIP back by itself.</li>
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

    /**
     * @param members every configured member
     * @param settled the leader has been leader for at least the failover timeout
     */
    public static List<Command.Assign> plan(VipTable table, List<VipSpec> vips, Set<String> live,
                                            Set<String> members, boolean settled, long wallMillis) {
        List<Command.Assign> out = new ArrayList<>();
        if (live.isEmpty()) {
            return out;
        }
        boolean waitForMembers = !settled && !live.containsAll(members);
        Map<String, Integer> load = new HashMap<>();
        live.forEach(n -> load.put(n, 0));
        for (VipSpec spec : vips) {
            String owner = table.vip(spec.name()).owner();
            if (owner != null && live.contains(owner)) {
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
            String chosen = null;
            String why = null;
            for (String preferred : spec.preferred()) {
                if (live.contains(preferred)) {
                    chosen = preferred;
                    why = "preferred";
                    break;
                }
            }
            if (chosen == null) {
                chosen = load.entrySet().stream()
                        .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                        .orElseThrow().getKey();
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
