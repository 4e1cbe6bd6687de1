package io.vipd.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated VIP table: who owns each VIP, at which epoch, and how many renewals each node has committed.
 * Immutable; {@link #apply} returns the next table. Deterministic: every node that applies the same log reaches the
 * same table, which is what makes "one owner per VIP per epoch" a property of the log.
 */
public final class VipTable {
    public static final VipTable EMPTY = of(Map.of(), Map.of(), Map.of(), Set.of(), Set.of(), Map.of(), Map.of());

    private final Map<String, VipState> vips;
    private final Map<String, Long> renewals;
    /** node → (VIP → "" if its checks pass there, else why not), as each node last reported. */
    private final Map<String, Map<String, String>> health;
    private final Set<String> drained;
    /** Nodes that left on shutdown and have not renewed since: they must not be given VIPs. */
    private final Set<String> left;
    /** node → (VIP → address/prefix) as each node's configuration defines them. */
    private final Map<String, Map<String, String>> definitions;
    /** node → what it observes ({@link NodeFacts}: interface MACs and links, conflicting MACs heard). */
    private final Map<String, Map<String, String>> observed;
    /** The last ownership changes, oldest first ({@link OwnershipHistory}). */
    private OwnershipHistory history = OwnershipHistory.EMPTY;
    /** holder → (VIP → epoch), built on first use: renewal replies and reconciliation ask for it often. */
    private volatile Map<String, Map<String, Long>> byHolder;

    /** Takes the maps as they are: the caller hands over immutable, sorted maps ({@link #of} makes them). */
    private VipTable(Map<String, VipState> vips, Map<String, Long> renewals, Map<String, Map<String, String>> health,
                     Set<String> drained, Set<String> left, Map<String, Map<String, String>> definitions,
                     Map<String, Map<String, String>> observed) {
        this.vips = vips;
        this.renewals = renewals;
        this.health = health;
        this.drained = drained;
        this.left = left;
        this.definitions = definitions;
        this.observed = observed;
    }

    /**
     * A table of copies of the given maps. Applying a command copies only what it changes and shares the rest with
     * the previous table, so that one assignment among 1000 VIPs does not copy every node's definitions.
     */
    static VipTable of(Map<String, VipState> vips, Map<String, Long> renewals,
                               Map<String, Map<String, String>> health, Set<String> drained, Set<String> left,
                               Map<String, Map<String, String>> definitions,
                               Map<String, Map<String, String>> observed) {
        return new VipTable(sorted(vips), sorted(renewals), nested(health), sortedSet(drained), sortedSet(left),
                nested(definitions), nested(observed));
    }

    private static <V> Map<String, V> sorted(Map<String, V> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }

    private static Set<String> sortedSet(Set<String> s) {
        return Collections.unmodifiableSet(new TreeSet<>(s));
    }

    private static Map<String, Map<String, String>> nested(Map<String, Map<String, String>> m) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        m.forEach((n, r) -> out.put(n, sorted(r)));
        return Collections.unmodifiableMap(out);
    }

    /** {@code m} with {@code key} → a sorted copy of {@code value}; the other nodes' maps are shared. */
    private static Map<String, Map<String, String>> withNode(Map<String, Map<String, String>> m, String key,
                                                             Map<String, String> value) {
        Map<String, Map<String, String>> out = new TreeMap<>(m);
        out.put(key, sorted(value));
        return Collections.unmodifiableMap(out);
    }

    private VipTable withVips(Map<String, VipState> next) {
        return new VipTable(Collections.unmodifiableMap(next), renewals, health, drained, left, definitions, observed);
    }

    /** What {@code node} last reported it observes ({@link NodeFacts}); empty if it has not reported. */
    public Map<String, String> observedBy(String node) {
        return observed.getOrDefault(node, Map.of());
    }

    public Map<String, Map<String, String>> observed() {
        return observed;
    }

    public Map<String, Map<String, String>> definitions() {
        return definitions;
    }

    /** What {@code node}'s configuration defines: VIP → address/prefix; empty if it has not reported. */
    public Map<String, String> definitionsOf(String node) {
        return definitions.getOrDefault(node, Map.of());
    }

    public Set<String> left() {
        return left;
    }

    /** What {@code node} last reported for each VIP that has checks: "" = passing, else the failure. */
    public Map<String, String> healthOf(String node) {
        return health.getOrDefault(node, Map.of());
    }

    public Map<String, Map<String, String>> health() {
        return health;
    }

    public Set<String> drained() {
        return drained;
    }

    public Map<String, VipState> vips() {
        return vips;
    }

    public VipState vip(String name) {
        return vips.getOrDefault(name, VipState.unassigned(name));
    }

    public Map<String, Long> renewals() {
        return renewals;
    }

    public long renewalsOf(String node) {
        return renewals.getOrDefault(node, 0L);
    }

    /**
     * VIP name → epoch for every VIP {@code node} may answer for: it owns it and no handover to it still waits for
     * the previous owner.
     */
    public Map<String, Long> ownedBy(String node) {
        Map<String, Map<String, Long>> index = byHolder;
        if (index == null) {
            Map<String, Map<String, Long>> built = new TreeMap<>();
            vips.values().forEach(v -> {
                if (v.holder() != null) {
                    built.computeIfAbsent(v.holder(), h -> new TreeMap<>()).put(v.name(), v.epoch());
                }
            });
            built.replaceAll((h, m) -> Collections.unmodifiableMap(m));
            index = Collections.unmodifiableMap(built);
            byHolder = index; // computed at most a few times per table; every result is the same
        }
        return index.getOrDefault(node, Map.of());
    }

    /** The outcome of applying one command. */
    public record Applied(VipTable table, boolean changed, String description) {}

    public OwnershipHistory history() {
        return history;
    }

    /** This table with {@code history} instead of its own (read back from a snapshot). */
    VipTable withHistory(OwnershipHistory history) {
        VipTable t = new VipTable(vips, renewals, this.health, drained, left, definitions, observed);
        t.history = history;
        return t;
    }

    /**
     * Applies {@code command}: the next table, whose history has an event for each VIP whose owner or holder the
     * command changed.
     */
    public Applied apply(Command command) {
        Applied applied = applyToState(command);
        VipTable next = applied.table();
        if (next == this) {
            return applied;
        }
        java.util.List<OwnershipHistory.Change> changes = new java.util.ArrayList<>();
        if (next.vips != vips) {
            // Per VIP: one batch of a placement round may hold failovers, first placements and handovers alike.
            java.util.Set<String> handedOver = new java.util.HashSet<>();
            List<Command.Assign> assigns = command instanceof Command.Move m ? List.of(m.asAssign())
                    : command instanceof Command.Assign a ? List.of(a)
                    : command instanceof Command.Together t ? t.assigns()
                    : command instanceof Command.Assignments as ? as.assigns() : List.of();
            assigns.stream().filter(Command.Assign::handover).forEach(a -> handedOver.add(a.vip()));
            for (VipState after : next.vips.values()) {
                VipState before = vip(after.name());
                if (!before.equals(after)) {
                    OwnershipHistory.Change c = OwnershipHistory.between(before, after,
                            handedOver.contains(after.name()));
                    if (c != null) {
                        changes.add(c);
                    }
                }
            }
        }
        next.history = history.with(changes);
        return applied;
    }

    private Applied applyToState(Command command) {
        if (command instanceof Command.Renew r) {
            Map<String, Long> next = new TreeMap<>(renewals);
            next.merge(r.node(), 1L, Long::sum);
            Set<String> nextLeft = left;
            if (left.contains(r.node())) {
                Set<String> l = new TreeSet<>(left);
                l.remove(r.node());
                nextLeft = Collections.unmodifiableSet(l);
            }
            return new Applied(new VipTable(vips, Collections.unmodifiableMap(next), health, drained, nextLeft,
                    definitions, observed), false, "renew " + r.node());
        }
        if (command instanceof Command.Move m) {
            return apply(m.asAssign());
        }
        if (command instanceof Command.Assignments as) {
            Map<String, VipState> next = new TreeMap<>(vips);
            int applied = 0;
            for (Command.Assign a : as.assigns()) {
                applied += assign(next, a) == null ? 1 : 0;
            }
            return new Applied(applied > 0 ? withVips(next) : this, applied > 0,
                    "assign " + applied + " of " + as.assigns().size() + " VIPs");
        }
        if (command instanceof Command.Together t) {
            Map<String, VipState> next = new TreeMap<>(vips);
            for (Command.Assign a : t.assigns()) {
                String refusal = assign(next, a);
                if (refusal != null) {
                    return new Applied(this, false, "group not assigned: " + refusal);
                }
            }
            return new Applied(withVips(next), true, "assign together " + t.assigns().size() + " VIPs");
        }
        if (command instanceof Command.Assign a) {
            Map<String, VipState> next = new TreeMap<>(vips);
            String refusal = assign(next, a);
            return refusal == null ? new Applied(withVips(next), true, "assign " + a.vip())
                    : new Applied(this, false, refusal);
        }
        if (command instanceof Command.Released r) {
            VipState current = vip(r.vip());
            if (current.epoch() != r.epoch() || !r.node().equals(current.releasing())) {
                return new Applied(this, false, "stale release of " + r.vip() + " by " + r.node());
            }
            Map<String, VipState> next = new TreeMap<>(vips);
            next.put(r.vip(), new VipState(r.vip(), current.owner(), current.epoch(), current.changedAtMillis(),
                    current.reason(), null));
            return new Applied(withVips(next), true, "released " + r.vip() + " by " + r.node() + ": " + r.reason());
        }
        if (command instanceof Command.Health h) {
            if (h.results().equals(healthOf(h.node()))) {
                return new Applied(this, false, "health of " + h.node() + " unchanged");
            }
            return new Applied(new VipTable(vips, renewals, withNode(health, h.node(), h.results()), drained, left,
                    definitions, observed), true, "health of " + h.node());
        }
        if (command instanceof Command.Definitions d) {
            if (d.vips().equals(definitions.get(d.node()))) {
                return new Applied(this, false, "definitions of " + d.node() + " unchanged");
            }
            return new Applied(new VipTable(vips, renewals, health, drained, left,
                    withNode(definitions, d.node(), d.vips()), observed), true, "definitions of " + d.node());
        }
        if (command instanceof Command.Observed o) {
            if (o.facts().equals(observed.get(o.node()))) {
                return new Applied(this, false, "observations of " + o.node() + " unchanged");
            }
            return new Applied(new VipTable(vips, renewals, health, drained, left, definitions,
                    withNode(observed, o.node(), o.facts())), true, "observations of " + o.node());
        }
        if (command instanceof Command.Drain d) {
            Set<String> next = new TreeSet<>(drained);
            boolean changed = d.drained() ? next.add(d.node()) : next.remove(d.node());
            return new Applied(changed ? new VipTable(vips, renewals, health, Collections.unmodifiableSet(next), left,
                    definitions, observed) : this, changed,
                    (d.drained() ? "drain " : "undrain ") + d.node()
                            + (d.issuer().isEmpty() ? "" : " by " + d.user() + " on " + d.issuer()));
        }
        Command.Leave l = (Command.Leave) command;
        Map<String, VipState> next = new TreeMap<>(vips);
        boolean changed = false;
        for (VipState v : vips.values()) {
            if (l.node().equals(v.owner())) {
                // It has removed its addresses already; if it was itself waiting for a previous owner, that one
                // may still answer, so the wait stays.
                String releasing = l.node().equals(v.releasing()) ? null : v.releasing();
                next.put(v.name(), new VipState(v.name(), null, v.epoch() + 1, l.wallMillis(),
                        "released by " + l.node() + " on shutdown", releasing));
                changed = true;
            } else if (l.node().equals(v.releasing())) {
                next.put(v.name(), new VipState(v.name(), v.owner(), v.epoch(), v.changedAtMillis(), v.reason(),
                        null));
                changed = true;
            }
        }
        Set<String> nextLeft = new TreeSet<>(left);
        nextLeft.add(l.node());
        return new Applied(new VipTable(changed ? Collections.unmodifiableMap(next) : vips, renewals, health, drained,
                Collections.unmodifiableSet(nextLeft), definitions, observed), true, "leave " + l.node());
    }

    /** Applies {@code a} to {@code next} (a mutable copy of the VIPs): null if it applied, else why it is stale. */
    private String assign(Map<String, VipState> next, Command.Assign a) {
        VipState current = next.getOrDefault(a.vip(), VipState.unassigned(a.vip()));
        if (current.epoch() != a.expectedEpoch()) {
            return "stale assignment of " + a.vip() + " (expected epoch " + a.expectedEpoch() + ", table has "
                    + current.epoch() + ")";
        }
        if (!a.handover() && current.owner() != null && renewalsOf(current.owner()) != a.ownerRenewals()) {
            return "stale assignment of " + a.vip() + ": owner " + current.owner() + " renewed since the decision";
        }
        // Who may still be answering must confirm first: a node already being waited for stays waited for;
        // in a handover the current owner joins it. A node that becomes owner again needs no wait.
        String releasing = current.releasing();
        if (releasing == null && a.handover() && current.owner() != null) {
            releasing = current.owner();
        }
        if (releasing != null && releasing.equals(a.owner())) {
            releasing = null;
        }
        next.put(a.vip(), new VipState(a.vip(), a.owner(), current.epoch() + 1, a.wallMillis(), a.reason(),
                releasing));
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VipTable t && t.vips.equals(vips) && t.renewals.equals(renewals)
                && t.health.equals(health) && t.drained.equals(drained) && t.left.equals(left)
                && t.definitions.equals(definitions) && t.observed.equals(observed) && t.history.equals(history);
    }

    @Override
    public int hashCode() {
        return (((vips.hashCode() * 31 + renewals.hashCode()) * 31 + health.hashCode()) * 31 + drained.hashCode())
                * 31 + left.hashCode() + 17 * definitions.hashCode() + 13 * observed.hashCode()
                + 7 * history.hashCode();
    }

    @Override
    public String toString() {
        return "VipTable" + vips.values();
    }
}
