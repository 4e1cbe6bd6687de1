package io.vipd.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
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
    public static final VipTable EMPTY = new VipTable(Map.of(), Map.of(), Map.of(), Set.of(), Set.of(), Map.of(),
            Map.of());

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

    private VipTable(Map<String, VipState> vips, Map<String, Long> renewals, Map<String, Map<String, String>> health,
                     Set<String> drained, Set<String> left, Map<String, Map<String, String>> definitions,
                     Map<String, Map<String, String>> observed) {
        this.vips = Collections.unmodifiableMap(new TreeMap<>(vips));
        this.renewals = Collections.unmodifiableMap(new TreeMap<>(renewals));
        Map<String, Map<String, String>> h = new TreeMap<>();
        health.forEach((n, r) -> h.put(n, Collections.unmodifiableMap(new TreeMap<>(r))));
        this.health = Collections.unmodifiableMap(h);
        this.drained = Collections.unmodifiableSet(new TreeSet<>(drained));
        this.left = Collections.unmodifiableSet(new TreeSet<>(left));
        Map<String, Map<String, String>> d = new TreeMap<>();
        definitions.forEach((n, r) -> d.put(n, Collections.unmodifiableMap(new TreeMap<>(r))));
        this.definitions = Collections.unmodifiableMap(d);
        Map<String, Map<String, String>> o = new TreeMap<>();
        observed.forEach((n, r) -> o.put(n, Collections.unmodifiableMap(new TreeMap<>(r))));
        this.observed = Collections.unmodifiableMap(o);
    }

    private VipTable withVips(Map<String, VipState> next) {
        return new VipTable(next, renewals, health, drained, left, definitions, observed);
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
        Map<String, Long> out = new TreeMap<>();
        vips.values().forEach(v -> {
            if (node.equals(v.holder())) {
                out.put(v.name(), v.epoch());
            }
        });
        return out;
    }

    /** The outcome of applying one command. */
    public record Applied(VipTable table, boolean changed, String description) {}

    public Applied apply(Command command) {
        if (command instanceof Command.Renew r) {
            Map<String, Long> next = new TreeMap<>(renewals);
            next.merge(r.node(), 1L, Long::sum);
            Set<String> nextLeft = left;
            if (left.contains(r.node())) {
                nextLeft = new TreeSet<>(left);
                nextLeft.remove(r.node());
            }
            return new Applied(new VipTable(vips, next, health, drained, nextLeft, definitions, observed), false, "renew " + r.node());
        }
        if (command instanceof Command.Move m) {
            return apply(m.asAssign());
        }
        if (command instanceof Command.Assignments as) {
            VipTable t = this;
            int applied = 0;
            for (Command.Assign a : as.assigns()) {
                Applied r = t.apply(a);
                t = r.table();
                applied += r.changed() ? 1 : 0;
            }
            return new Applied(t, applied > 0, "assign " + applied + " of " + as.assigns().size() + " VIPs");
        }
        if (command instanceof Command.Assign a) {
            VipState current = vip(a.vip());
            if (current.epoch() != a.expectedEpoch()) {
                return new Applied(this, false, "stale assignment of " + a.vip() + " (expected epoch "
                        + a.expectedEpoch() + ", table has " + current.epoch() + ")");
            }
            if (!a.handover() && current.owner() != null && renewalsOf(current.owner()) != a.ownerRenewals()) {
                return new Applied(this, false, "stale assignment of " + a.vip() + ": owner " + current.owner()
                        + " renewed since the decision");
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
            Map<String, VipState> next = new TreeMap<>(vips);
            next.put(a.vip(), new VipState(a.vip(), a.owner(), current.epoch() + 1, a.wallMillis(), a.reason(),
                    releasing));
            return new Applied(withVips(next), true, "assign " + a.vip());
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
            Map<String, Map<String, String>> next = new TreeMap<>(health);
            next.put(h.node(), h.results());
            return new Applied(new VipTable(vips, renewals, next, drained, left, definitions, observed), true, "health of " + h.node());
        }
        if (command instanceof Command.Definitions d) {
            if (d.vips().equals(definitions.get(d.node()))) {
                return new Applied(this, false, "definitions of " + d.node() + " unchanged");
            }
            Map<String, Map<String, String>> next = new TreeMap<>(definitions);
            next.put(d.node(), d.vips());
            return new Applied(new VipTable(vips, renewals, health, drained, left, next, observed), true,
                    "definitions of " + d.node());
        }
        if (command instanceof Command.Observed o) {
            if (o.facts().equals(observed.get(o.node()))) {
                return new Applied(this, false, "observations of " + o.node() + " unchanged");
            }
            Map<String, Map<String, String>> next = new TreeMap<>(observed);
            next.put(o.node(), o.facts());
            return new Applied(new VipTable(vips, renewals, health, drained, left, definitions, next), true,
                    "observations of " + o.node());
        }
        if (command instanceof Command.Drain d) {
            Set<String> next = new TreeSet<>(drained);
            boolean changed = d.drained() ? next.add(d.node()) : next.remove(d.node());
            return new Applied(changed ? new VipTable(vips, renewals, health, next, left, definitions, observed) : this, changed,
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
        return new Applied(new VipTable(changed ? next : vips, renewals, health, drained, nextLeft, definitions, observed), true,
                "leave " + l.node());
    }

    public void write(DataOutputStream out) throws IOException {
        out.writeInt(vips.size());
        for (VipState v : vips.values()) {
            out.writeUTF(v.name());
            out.writeUTF(v.owner() == null ? "" : v.owner());
            out.writeLong(v.epoch());
            out.writeLong(v.changedAtMillis());
            out.writeUTF(v.reason());
            out.writeUTF(v.releasing() == null ? "" : v.releasing());
        }
        out.writeInt(renewals.size());
        for (Map.Entry<String, Long> e : renewals.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
        Wire.writeNested(out, health);
        Wire.writeSet(out, drained);
        Wire.writeSet(out, left);
        Wire.writeNested(out, definitions);
        Wire.writeNested(out, observed);
    }

    public static VipTable read(DataInputStream in) throws IOException {
        Map<String, VipState> vips = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            String name = in.readUTF();
            String owner = in.readUTF();
            long epoch = in.readLong();
            long changed = in.readLong();
            String reason = in.readUTF();
            String releasing = in.readUTF();
            vips.put(name, new VipState(name, owner.isEmpty() ? null : owner, epoch, changed, reason,
                    releasing.isEmpty() ? null : releasing));
        }
        Map<String, Long> renewals = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            renewals.put(in.readUTF(), in.readLong());
        }
        Map<String, Map<String, String>> health = Wire.readNested(in);
        Set<String> drained = Wire.readSet(in);
        Set<String> left = Wire.readSet(in);
        Map<String, Map<String, String>> definitions = Wire.readNested(in);
        Map<String, Map<String, String>> observed;
        try {
            observed = Wire.readNested(in);
        } catch (java.io.EOFException e) {
            observed = Map.of(); // a snapshot written before nodes reported observations
        }
        return new VipTable(vips, renewals, health, drained, left, definitions, observed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VipTable t && t.vips.equals(vips) && t.renewals.equals(renewals)
                && t.health.equals(health) && t.drained.equals(drained) && t.left.equals(left)
                && t.definitions.equals(definitions) && t.observed.equals(observed);
    }

    @Override
    public int hashCode() {
        return (((vips.hashCode() * 31 + renewals.hashCode()) * 31 + health.hashCode()) * 31 + drained.hashCode())
                * 31 + left.hashCode() + 17 * definitions.hashCode() + 13 * observed.hashCode();
    }

    @Override
    public String toString() {
        return "VipTable" + vips.values();
    }
}
