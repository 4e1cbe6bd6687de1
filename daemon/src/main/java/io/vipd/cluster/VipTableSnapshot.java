package io.vipd.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The {@link VipTable} as a snapshot file holds it: written and read in one place. */
final class VipTableSnapshot {
    private VipTableSnapshot() {}

    static void write(VipTable table, DataOutputStream out) throws IOException {
        out.writeInt(table.vips().size());
        for (VipState v : table.vips().values()) {
            out.writeUTF(v.name());
            out.writeUTF(v.owner() == null ? "" : v.owner());
            out.writeLong(v.epoch());
            out.writeLong(v.changedAtMillis());
            out.writeUTF(v.reason());
            out.writeUTF(v.releasing() == null ? "" : v.releasing());
        }
        out.writeInt(table.renewals().size());
        for (Map.Entry<String, Long> e : table.renewals().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
        Wire.writeNested(out, table.health());
        Wire.writeSet(out, table.drained());
        Wire.writeSet(out, table.left());
        Wire.writeNested(out, table.definitions());
        Wire.writeNested(out, table.observed());
        OwnershipHistory history = table.history();
        out.writeLong(history.lastSeq());
        out.writeInt(history.events().size());
        for (OwnershipEvent e : history.events()) {
            out.writeLong(e.seq());
            out.writeLong(e.wallMillis());
            out.writeUTF(e.vip());
            out.writeUTF(e.change());
            out.writeUTF(e.from() == null ? "" : e.from());
            out.writeUTF(e.to() == null ? "" : e.to());
            out.writeLong(e.epoch());
            out.writeUTF(e.reason());
        }
    }

    /** The history after the rest of the table: absent (empty) in a snapshot written before vipd kept one. */
    private static OwnershipHistory readHistory(DataInputStream in) throws IOException {
        long lastSeq;
        try {
            lastSeq = in.readLong();
        } catch (java.io.EOFException e) {
            return OwnershipHistory.EMPTY;
        }
        int count = in.readInt();
        if (count < 0 || count > OwnershipHistory.LIMIT) {
            throw new IOException("implausible history length " + count);
        }
        java.util.List<OwnershipEvent> events = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = in.readLong();
            long wall = in.readLong();
            String vip = in.readUTF();
            String change = in.readUTF();
            String from = in.readUTF();
            String to = in.readUTF();
            events.add(new OwnershipEvent(seq, wall, vip, change, from.isEmpty() ? null : from,
                    to.isEmpty() ? null : to, in.readLong(), in.readUTF()));
        }
        return OwnershipHistory.of(events, lastSeq);
    }

        static VipTable read(DataInputStream in) throws IOException {
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
            // a snapshot written before nodes reported observations
            return VipTable.of(vips, renewals, health, drained, left, definitions, Map.of());
        }
        return VipTable.of(vips, renewals, health, drained, left, definitions, observed)
                .withHistory(readHistory(in));
    }
}
