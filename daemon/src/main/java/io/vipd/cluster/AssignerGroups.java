package io.vipd.cluster;

import io.vipd.config.VipSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Assigner}'s rules for VIP groups ({@code group.NAME.vips}): which VIPs move with a VIP, a node's
 * eligibility for all of them, and how the members follow their lead's decision. Pure, like the Assigner.
 */
final class AssignerGroups {
    private AssignerGroups() {}

    /** The groups of the VIPs last planned for: rebuilt when the VIP list changes (once per round at most). */
    private record Groups(List<VipSpec> of, Map<String, List<VipSpec>> byName) {
        static Groups of(List<VipSpec> vips) {
            Map<String, List<VipSpec>> byName = new HashMap<>();
            for (VipSpec v : vips) {
                if (v.group() != null) {
                    byName.computeIfAbsent(v.group(), g -> new ArrayList<>()).add(v);
                }
            }
            return new Groups(vips, byName);
        }
    }

    private static volatile Groups lastGroups;

    /**
     * The VIPs that move with {@code spec}, in the configuration's order, {@code spec} among them: its group's
     * members among the VIPs planned for, or {@code spec} alone. The first is the group's lead, whose state the
     * group's decisions start from.
     */
    static List<VipSpec> members(Assigner.Inputs in, VipSpec spec) {
        if (spec.group() == null) {
            return List.of(spec);
        }
        Groups g = lastGroups;
        if (g == null || g.of() != in.vips()) {
            g = Groups.of(in.vips());
            lastGroups = g;
        }
        return g.byName().getOrDefault(spec.group(), List.of(spec));
    }

    /** Whether {@code node} passes the checks of {@code spec} and of every VIP of its group. */
    static boolean healthy(Assigner.Inputs in, VipSpec spec, String node) {
        return members(in, spec).stream().allMatch(m -> Assigner.healthy(in.table(), m, node));
    }

    /** Whether {@code node} has run the checks of {@code spec} and of every VIP of its group, if they have any. */
    static boolean checked(Assigner.Inputs in, VipSpec spec, String node) {
        return members(in, spec).stream().allMatch(m -> m.checks().isEmpty()
                || in.table().healthOf(node).containsKey(m.name()));
    }

    /**
     * A group follows its lead: where the lead's decision sends it, every member goes too (each member's own
     * assignment a handover if its owner is live, else a failover), and with no decision, members that are not
     * where the lead is (a group just configured, a member added) join the lead's live owner. The placement submits
     * a group's assignments in one entry that applies all or none ({@link Command.Together}).
     */
    /** A member's own failover gap (its previous owner's silence), last in its reason, where the metrics read it. */
    private static String memberGap(Assigner.Inputs in, String previous) {
        long silent = in.ages().sinceRenewalMillis(previous);
        return silent >= 0 ? OwnershipEvent.failoverAfter(silent) : "";
    }

    static void decide(Assigner.Inputs in, List<VipSpec> members, Command.Assign leadDecision,
                                    Map<String, Integer> load, Map<String, Command.Assign> decided) {
        VipTable table = in.table();
        VipSpec lead = members.get(0);
        String target;
        String reason;
        if (leadDecision != null) {
            decided.put(lead.name(), leadDecision);
            target = leadDecision.owner();
            reason = leadDecision.reason() + " (with group " + lead.group() + ")";
        } else {
            VipState leadState = table.vip(lead.name());
            if (leadState.owner() == null || leadState.releasing() != null
                    || !in.live().contains(leadState.owner())) {
                return; // nothing to join yet
            }
            target = leadState.owner();
            reason = "joins its group " + lead.group() + " on " + target;
        }
        for (VipSpec m : members.subList(1, members.size())) {
            VipState st = table.vip(m.name());
            boolean there = target != null && target.equals(st.owner()) || target == null && st.owner() == null;
            if (there || leadDecision == null && st.releasing() != null) {
                continue; // already with the lead, or still moving (a handover waits for its previous owner)
            }
            String previous = st.owner();
            boolean previousLive = previous != null && in.live().contains(previous);
            if (target != null) {
                load.merge(target, 1, Integer::sum);
            }
            if (previousLive) {
                load.computeIfPresent(previous, (n, l) -> Math.max(0, l - 1));
            }
            decided.put(m.name(), previousLive
                    ? new Command.Assign(m.name(), st.epoch(), 0, target, in.wallMillis(), reason, true)
                    : new Command.Assign(m.name(), st.epoch(), previous == null ? 0 : table.renewalsOf(previous),
                            target, in.wallMillis(), previous == null ? reason
                                    : reason + "; previous owner " + previous + " stopped renewing"
                                    + memberGap(in, previous)));
        }
    }
}
