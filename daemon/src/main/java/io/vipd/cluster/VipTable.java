package io.vipd.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated VIP table: who owns each VIP, at which epoch, and how many renewals each node has committed.
 * Immutable; {@link #apply} returns the next table. Deterministic: every node that applies the same log reaches the
 * same table, which is what makes "one owner per VIP per epoch" a property of the log.
 */
public final class VipTable {
    public static final VipTable EMPTY = new VipTable(Map.of(), Map.of());

    private final Map<String, VipState> vips;
    private final Map<String, Long> renewals;

    private VipTable(Map<String, VipState> vips, Map<String, Long> renewals) {
        this.vips = Collections.unmodifiableMap(new TreeMap<>(vips));
        this.renewals = Collections.unmodifiableMap(new TreeMap<>(renewals));
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

    /** VIP name → epoch for every VIP {@code node} owns. */
    public Map<String, Long> ownedBy(String node) {
        Map<String, Long> out = new TreeMap<>();
        vips.values().forEach(v -> {
            if (node.equals(v.owner())) {
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
            return new Applied(new VipTable(vips, next), false, "renew " + r.node());
        }
        if (command instanceof Command.Assign a) {
            VipState current = vip(a.vip());
            if (current.epoch() != a.expectedEpoch()) {
                return new Applied(this, false, "stale assignment of " + a.vip() + " (expected epoch "
                        + a.expectedEpoch() + ", table has " + current.epoch() + ")");
            }
            if (current.owner() != null && renewalsOf(current.owner()) != a.ownerRenewals()) {
                return new Applied(this, false, "stale assignment of " + a.vip() + ": owner " + current.owner()
                        + " renewed since the decision");
            }
            Map<String, VipState> next = new TreeMap<>(vips);
            next.put(a.vip(), new VipState(a.vip(), a.owner(), current.epoch() + 1, a.wallMillis(), a.reason()));
            return new Applied(new VipTable(next, renewals), true, "assign " + a.vip());
        }
        Command.Leave l = (Command.Leave) command;
        Map<String, VipState> next = new TreeMap<>(vips);
        boolean changed = false;
        for (VipState v : vips.values()) {
            if (l.node().equals(v.owner())) {
                next.put(v.name(), new VipState(v.name(), null, v.epoch() + 1, l.wallMillis(),
                        "released by " + l.node() + " on shutdown"));
                changed = true;
            }
        }
        return new Applied(changed ? new VipTable(next, renewals) : this, changed, "leave " + l.node());
    }

    public void write(DataOutputStream out) throws IOException {
        out.writeInt(vips.size());
        for (VipState v : vips.values()) {
            out.writeUTF(v.name());
            out.writeUTF(v.owner() == null ? "" : v.owner());
            out.writeLong(v.epoch());
            out.writeLong(v.changedAtMillis());
            out.writeUTF(v.reason());
        }
        out.writeInt(renewals.size());
        for (Map.Entry<String, Long> e : renewals.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    public static VipTable read(DataInputStream in) throws IOException {
        Map<String, VipState> vips = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            String name = in.readUTF();
            String owner = in.readUTF();
            vips.put(name, new VipState(name, owner.isEmpty() ? null : owner, in.readLong(), in.readLong(),
                    in.readUTF()));
        }
        Map<String, Long> renewals = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            renewals.put(in.readUTF(), in.readLong());
        }
        return new VipTable(vips, renewals);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VipTable t && t.vips.equals(vips) && t.renewals.equals(renewals);
    }

    @Override
    public int hashCode() {
        return vips.hashCode() * 31 + renewals.hashCode();
    }

    @Override
    public String toString() {
        return "VipTable" + vips.values();
    }
}
