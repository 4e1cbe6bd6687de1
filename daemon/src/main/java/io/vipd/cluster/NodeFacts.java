package io.vipd.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The keys of what a node reports it observes ({@link Command.Observed}), written and read in one place:
 * <ul>
 *   <li>{@code mac.IFACE} → the interface's Ethernet address, {@code 52:54:00:12:34:56};</li>
 *   <li>{@code link.IFACE} → {@code up}, or why the link cannot carry a VIP ({@code down}, {@code no carrier},
 *       {@code missing});</li>
 *   <li>{@code conflict.VIP.MAC} → when this node first heard MAC answer for VIP though MAC is not the owner's
 *       (epoch milliseconds), a space, and what it heard ({@code reply}, {@code gratuitous}, {@code request}).</li>
 *   <li>{@code stray.VIP} → "address/prefix on iface" of the VIP's address this node found on its host without
 *       holding the VIP (added by hand or by another program) and removed, within the last ten minutes;</li>
 *   <li>{@code silent.VIP} → the epoch at which this node has heard no answer from VIP's holder to its probes for
 *       {@code watch.silent.after.ms}.</li>
 * </ul>
 * Bounded: a report carries at most {@link #MAX_CONFLICTS} conflicts, so a flood of forged MACs cannot grow the
 * replicated table.
 */
public final class NodeFacts {
    public static final int MAX_CONFLICTS = 32;
    public static final String UP = "up";

    private NodeFacts() {}

    public static String macKey(String iface) {
        return "mac." + iface;
    }

    public static String linkKey(String iface) {
        return "link." + iface;
    }

    public static String conflictKey(String vip, String mac) {
        return "conflict." + vip + "." + mac;
    }

    public static String strayKey(String vip) {
        return "stray." + vip;
    }

    public static String silentKey(String vip) {
        return "silent." + vip;
    }

    /**
     * The members that watch {@code vip} for its holder {@code owner} at {@code epoch} and hear nothing, if every
     * member that watches it (reported a MAC and a link up on the VIP's interface, other than the owner) says so;
     * empty otherwise, and when no member watches it. One member that still hears the owner is enough to keep it.
     */
    public static List<String> silentFor(VipTable table, String vip, String iface, String owner, long epoch) {
        List<String> silent = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> node : table.observed().entrySet()) {
            Map<String, String> facts = node.getValue();
            if (node.getKey().equals(owner) || !facts.containsKey(macKey(iface))
                    || !UP.equals(facts.get(linkKey(iface)))) {
                continue;
            }
            if (!Long.toString(epoch).equals(facts.get(silentKey(vip)))) {
                return List.of();
            }
            silent.add(node.getKey());
        }
        return silent;
    }

    /** {@code node}'s MAC on {@code iface}, as it reported it. */
    public static Optional<String> mac(VipTable table, String node, String iface) {
        return Optional.ofNullable(table.observedBy(node).get(macKey(iface)));
    }

    /**
     * Why {@code node}'s {@code iface} cannot carry a VIP, or null: up, or not reported (a node that has not
     * reported yet is judged by its renewals and checks alone, as before nodes reported links).
     */
    public static String linkProblem(VipTable table, String node, String iface) {
        String link = table.observedBy(node).get(linkKey(iface));
        return link == null || UP.equals(link) ? null : "link " + iface + " " + link;
    }

    /** The cluster member that reported {@code mac} on one of its interfaces, if any. */
    public static Optional<String> memberWithMac(VipTable table, String mac) {
        for (Map.Entry<String, Map<String, String>> node : table.observed().entrySet()) {
            for (Map.Entry<String, String> fact : node.getValue().entrySet()) {
                if (fact.getKey().startsWith("mac.") && fact.getValue().equalsIgnoreCase(mac)) {
                    return Optional.of(node.getKey() + " (" + fact.getKey().substring(4) + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** A MAC some node heard answering for a VIP that is not the owner's. */
    public record Conflict(String vip, String mac, String seenBy, long sinceMillis, String kind) {}

    /** The VIPs for which any node reports a conflict: one walk over the reports, however many VIPs. */
    public static java.util.Set<String> conflictedVips(VipTable table) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        table.observed().values().forEach(facts -> facts.forEach((key, value) -> {
            int dot = key.startsWith("conflict.") ? key.lastIndexOf('.') : -1; // conflict.VIP.MAC: no dot in a MAC
            if (dot > "conflict".length()) {
                out.add(key.substring("conflict.".length(), dot));
            }
        }));
        return out;
    }

    /** Every conflict any node reports for {@code vip}, oldest first. */
    public static List<Conflict> conflicts(VipTable table, String vip) {
        List<Conflict> out = new ArrayList<>();
        String prefix = "conflict." + vip + ".";
        table.observed().forEach((node, facts) -> facts.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                String[] v = value.split(" ", 2);
                long since;
                try {
                    since = Long.parseLong(v[0]);
                } catch (NumberFormatException e) {
                    since = 0;
                }
                out.add(new Conflict(vip, key.substring(prefix.length()), node, since, v.length > 1 ? v[1] : ""));
            }
        }));
        out.sort(java.util.Comparator.comparingLong(Conflict::sinceMillis));
        return out;
    }

    /** A report: interfaces (name → MAC, name → link state) and conflicts, at most {@link #MAX_CONFLICTS}. */
    public static Map<String, String> report(Map<String, String> macs, Map<String, String> links,
                                             List<Conflict> conflicts) {
        return report(macs, links, conflicts, Map.of(), Map.of());
    }

    /** As above, with the VIPs whose holder this node hears no answer from (VIP → epoch). */
    public static Map<String, String> report(Map<String, String> macs, Map<String, String> links,
                                             List<Conflict> conflicts, Map<String, Long> silent,
                                             Map<String, String> stray) {
        Map<String, String> out = new TreeMap<>();
        stray.forEach((vip, where) -> out.put(strayKey(vip), where));
        silent.forEach((vip, epoch) -> out.put(silentKey(vip), Long.toString(epoch)));
        macs.forEach((iface, mac) -> out.put(macKey(iface), mac));
        links.forEach((iface, state) -> out.put(linkKey(iface), state));
        conflicts.stream().limit(MAX_CONFLICTS).forEach(c -> out.put(conflictKey(c.vip(), c.mac()),
                c.sinceMillis() + " " + c.kind()));
        return out;
    }
}
