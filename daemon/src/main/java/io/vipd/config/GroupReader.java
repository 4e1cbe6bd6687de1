package io.vipd.config;

import io.vipd.config.keys.GroupKeys;
import io.vipd.config.keys.ValueTypes;
import io.vipd.config.keys.VipKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the VIP groups ({@link GroupKeys}): each names configured VIPs, each VIP in one group at most, and gives
 * its members the group's preference, preemption and checks. A member may not set its own preference or
 * preemption (which would pull it away from the others), and the members agree on {@code unhealthy}.
 */
final class GroupReader {
    private GroupReader() {
    }

    /** {@code vips} with the groups applied to their members, in the same order. */
    static List<VipSpec> apply(KeyReader keys, Map<String, KeyReader.Member> groups, List<VipSpec> vips,
                               List<Peer> peers, Map<String, CheckSpec> checks) throws ConfigException {
        Map<String, VipSpec> byName = new LinkedHashMap<>();
        vips.forEach(v -> byName.put(v.name(), v));
        Map<String, String> groupOf = new LinkedHashMap<>();
        for (KeyReader.Member group : groups.values()) {
            String name = group.name();
            if (!ValueTypes.ID.matcher(name).matches()) {
                throw keys.error(group.someKey(), "'" + name + "' is not a valid group name (letters, digits, '-' or "
                        + "'_')");
            }
            String vipsKey = GroupKeys.VIPS.in(name);
            List<String> members = new ArrayList<>();
            for (String vip : keys.find(GroupKeys.VIPS, name).orElse(List.of())) {
                if (!byName.containsKey(vip)) {
                    throw keys.error(vipsKey, "no VIP named '" + vip + "' (configured: " + String.join(", ",
                            byName.keySet()) + ")");
                }
                if (members.contains(vip)) {
                    throw keys.error(vipsKey, "'" + vip + "' is listed twice");
                }
                String other = groupOf.putIfAbsent(vip, name);
                if (other != null) {
                    throw keys.error(vipsKey, "'" + vip + "' is already in group." + other + ".vips: a VIP is in one "
                            + "group at most");
                }
                members.add(vip);
            }
            if (members.size() < 2) {
                throw keys.missing(group.someKey(), vipsKey, (members.isEmpty() ? "missing" : "one VIP")
                        + ": a group needs two VIPs or more (example: " + vipsKey + " = web, web-gw)");
            }
            List<String> preferred = preferred(keys, name, peers);
            List<String> groupChecks = new ArrayList<>();
            for (String c : keys.find(GroupKeys.CHECKS, name).orElse(List.of())) {
                if (!checks.containsKey(c)) {
                    throw keys.error(GroupKeys.CHECKS.in(name), "no check named '" + c + "' (defined: "
                            + (checks.isEmpty() ? "none" : String.join(", ", checks.keySet())) + ")");
                }
                if (!groupChecks.contains(c)) {
                    groupChecks.add(c);
                }
            }
            boolean preempt = keys.get(GroupKeys.PREEMPT, name);
            int delay = keys.get(GroupKeys.PREEMPT_DELAY_MS, name);
            if (delay > 0 && !preempt) {
                throw keys.error(GroupKeys.PREEMPT_DELAY_MS.in(name), "set, but " + GroupKeys.PREEMPT.in(name)
                        + " is off");
            }
            if (keys.isSet(GroupKeys.PREEMPT_HOLD_MS, name) && !preempt) {
                throw keys.error(GroupKeys.PREEMPT_HOLD_MS.in(name), "set, but " + GroupKeys.PREEMPT.in(name)
                        + " is off");
            }
            VipSpec first = byName.get(members.get(0));
            for (String vip : members) {
                for (var own : List.of(VipKeys.PREFER, VipKeys.PREEMPT, VipKeys.PREEMPT_DELAY_MS,
                        VipKeys.PREEMPT_HOLD_MS)) {
                    if (keys.isSet(own, vip)) {
                        throw keys.error(own.in(vip), "set on a member of group " + name + ": set "
                                + "group." + name + own.in("").substring("vip.".length()) + " instead, so the "
                                + "members move as one");
                    }
                }
                VipSpec spec = byName.get(vip);
                if (spec.unhealthy() != first.unhealthy()) {
                    throw keys.error(VipKeys.UNHEALTHY.in(vip), "differs from " + VipKeys.UNHEALTHY.in(first.name())
                            + " (" + first.unhealthy().name().toLowerCase(java.util.Locale.ROOT) + "): the members of "
                            + "group " + name + " are kept or released together");
                }
                byName.put(vip, spec.inGroup(name, preferred, groupChecks, preempt, delay,
                        keys.get(GroupKeys.PREEMPT_HOLD_MS, name)));
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** Configured peers that may hold VIPs, each once; empty words are skipped. */
    private static List<String> preferred(KeyReader keys, String name, List<Peer> peers) throws ConfigException {
        String key = GroupKeys.PREFER.in(name);
        List<String> out = new ArrayList<>();
        for (String id : keys.find(GroupKeys.PREFER, name).orElse(List.of())) {
            if (id.isEmpty()) {
                continue;
            }
            Peer peer = peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> keys.error(key,
                    "'" + id + "' is not a configured peer (peers: " + String.join(", ", peers.stream()
                            .map(Peer::id).toList()) + ")"));
            if (out.contains(id)) {
                throw keys.error(key, "'" + id + "' is listed twice");
            }
            if (peer.witness()) {
                throw keys.error(key, "'" + id + "' is a witness (witnesses), which never holds a VIP");
            }
            out.add(id);
        }
        return out;
    }
}
