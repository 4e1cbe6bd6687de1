package io.vipd.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The entries of the replicated log. Encoded compactly; decoding rejects anything malformed. */
public sealed interface Command {
    /** A node confirms, through a majority, that it is alive and may keep answering for what it owns. */
    record Renew(String node) implements Command {}

    /**
     * Compare-and-set of a VIP's owner: applied only if the VIP's epoch is still {@code expectedEpoch} and its
     * current owner has committed exactly {@code ownerRenewals} renewals, so a decision taken on a stale view is
     * discarded, never applied. The renewal count matters: a renewal the leader had not yet seen when it decided
     * "the owner stopped renewing" may commit just before this entry and give the owner a fresh lease.
     *
     * <p>A <em>handover</em> moves a VIP away from an owner that is alive (planned move, drain, failing health
     * check, preemption): it checks the epoch only, and the old owner becomes {@link VipState#releasing}, so the new
     * owner answers only after the old one confirmed it let go. Nothing the old owner renews can then matter.
     *
     * @param owner         the new owner, or null to leave the VIP unowned
     * @param ownerRenewals the current owner's renewal count the decision was based on (ignored if no owner, or
     *                      for a handover)
     */
    record Assign(String vip, long expectedEpoch, long ownerRenewals, String owner, long wallMillis, String reason,
                  boolean handover) implements Command {
        /** A failover assignment (not a handover). */
        public Assign(String vip, long expectedEpoch, long ownerRenewals, String owner, long wallMillis,
                      String reason) {
            this(vip, expectedEpoch, ownerRenewals, owner, wallMillis, reason, false);
        }
    }

    /**
     * Several assignments of one placement round in one log entry, applied in order, each on its own terms (a stale
     * one is skipped, the others still apply): when a host with many VIPs fails, its VIPs move in one commit
     * instead of one commit each.
     */
    record Assignments(java.util.List<Assign> assigns) implements Command {
        /** More cannot be meant: a table of this many VIPs is far beyond any configuration. */
        public static final int MAX = 100_000;

        public Assignments {
            assigns = java.util.List.copyOf(assigns);
        }
    }

    /**
     * Assignments of the VIPs of one group ({@code group.NAME.vips}) applied all or none: if any of them is stale,
     * the table does not change, so a group is never split by a decision taken on a stale view. Placed by the
     * leader ({@code issuer} empty) or moved by an operator's {@code vipctl move} on {@code issuer} (run by
     * {@code user}), which any member may relay.
     */
    record Together(java.util.List<Assign> assigns, String issuer, String user) implements Command {
        public Together {
            assigns = java.util.List.copyOf(assigns);
        }

        /** Placed by the leader. */
        public Together(java.util.List<Assign> assigns) {
            this(assigns, "", "");
        }

        /** Whether an operator's move, which any member may relay, rather than the leader's placement. */
        public boolean moved() {
            return !issuer.isEmpty();
        }
    }

    /**
     * The previous owner of {@code vip} in a handover has removed its address and closed its fence for it (or, sent
     * by the leader, it has certainly stopped answering because the failover timeout passed): the new owner may
     * answer. Applied only if the VIP is still at {@code epoch} and still waiting for {@code node}.
     */
    record Released(String vip, long epoch, String node, String reason) implements Command {}

    /**
     * A node's health-check results for the VIPs that have checks: VIP name → "" when its checks pass, else why
     * they fail. Replaces what the node reported before.
     */
    record Health(String node, java.util.Map<String, String> results) implements Command {
        public Health {
            results = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(results));
        }
    }

    /**
     * The VIPs a node's configuration defines, VIP name → address/prefix, reported at start and after each reload.
     * A node is given only VIPs it defines exactly as the leader does, and disagreements are shown to operators.
     */
    record Definitions(String node, java.util.Map<String, String> vips) implements Command {
        public Definitions {
            vips = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(vips));
        }
    }

    /**
     * A node is drained (its VIPs move away and no VIP is given to it) or undrained, by an operator on
     * {@code issuer}'s control socket ({@code user} names who; both empty in entries written before vipd recorded
     * them).
     */
    record Drain(String node, boolean drained, long wallMillis, String issuer, String user) implements Command {
        public Drain(String node, boolean drained, long wallMillis) {
            this(node, drained, wallMillis, "", "");
        }
    }

    /**
     * An operator's {@code vipctl move} on {@code issuer} (run by {@code user}): a handover of {@code vip} to
     * {@code target}, applied only if the VIP is still at {@code expectedEpoch}. Its own command, not an
     * {@link Assign}, because any member may relay an operator's move while only the leader places VIPs.
     */
    record Move(String vip, long expectedEpoch, String target, long wallMillis, String issuer, String user)
            implements Command {
        /** The handover this move stands for, with a reason that says who asked for it. */
        public Assign asAssign() {
            return new Assign(vip, expectedEpoch, 0, target, wallMillis, "moved by " + user + " with vipctl on "
                    + issuer, true);
        }
    }

    /**
     * What a node sees of its VIP interfaces and of the wire, as {@link NodeFacts} keys and values, replacing what
     * it reported before: its interfaces' MAC addresses and link state, and the MAC addresses it heard answering
     * for a VIP that are not the owner's. Lets every node show who answers where, and the leader move a VIP off a
     * node whose VIP link is down.
     */
    record Observed(String node, java.util.Map<String, String> facts) implements Command {
        public Observed {
            facts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(facts));
        }
    }

    /**
     * A node that is shutting down has already removed its addresses and gives up everything it owns, so the VIPs
     * move at once instead of after the failover timeout.
     */
    record Leave(String node, long wallMillis) implements Command {}

    byte RENEW = 1;
    byte ASSIGN = 2;
    byte LEAVE = 3;
    byte RELEASED = 4;
    byte HEALTH = 5;
    byte DRAIN = 6;
    byte DEFINITIONS = 7;
    byte DRAIN_BY = 8;
    byte MOVE = 9;
    byte OBSERVED = 10;
    byte ASSIGNMENTS = 11;
    byte TOGETHER = 12;

    default byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (this instanceof Renew r) {
                out.writeByte(RENEW);
                out.writeUTF(r.node());
            } else if (this instanceof Together t) {
                out.writeByte(TOGETHER);
                writeAssigns(out, t.assigns());
                out.writeUTF(t.issuer());
                out.writeUTF(t.user());
            } else if (this instanceof Assign a) {
                out.writeByte(ASSIGN);
                writeAssign(out, a);
            } else if (this instanceof Assignments as) {
                out.writeByte(ASSIGNMENTS);
                writeAssigns(out, as.assigns());
            } else if (this instanceof Leave l) {
                out.writeByte(LEAVE);
                out.writeUTF(l.node());
                out.writeLong(l.wallMillis());
            } else if (this instanceof Released r) {
                out.writeByte(RELEASED);
                out.writeUTF(r.vip());
                out.writeLong(r.epoch());
                out.writeUTF(r.node());
                out.writeUTF(r.reason());
            } else if (this instanceof Health h) {
                out.writeByte(HEALTH);
                out.writeUTF(h.node());
                Wire.writeStrings(out, h.results());
            } else if (this instanceof Definitions d) {
                out.writeByte(DEFINITIONS);
                out.writeUTF(d.node());
                Wire.writeStrings(out, d.vips());
            } else if (this instanceof Drain d) {
                out.writeByte(DRAIN_BY);
                out.writeUTF(d.node());
                out.writeBoolean(d.drained());
                out.writeLong(d.wallMillis());
                out.writeUTF(d.issuer());
                out.writeUTF(d.user());
            } else if (this instanceof Observed o) {
                out.writeByte(OBSERVED);
                out.writeUTF(o.node());
                Wire.writeStrings(out, o.facts());
            } else if (this instanceof Move m) {
                out.writeByte(MOVE);
                out.writeUTF(m.vip());
                out.writeLong(m.expectedEpoch());
                out.writeUTF(m.target());
                out.writeLong(m.wallMillis());
                out.writeUTF(m.issuer());
                out.writeUTF(m.user());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory stream
        }
        return bytes.toByteArray();
    }

    private static void writeAssigns(DataOutputStream out, java.util.List<Assign> assigns) throws IOException {
        out.writeInt(assigns.size());
        for (Assign a : assigns) {
            writeAssign(out, a);
        }
    }

    private static void writeAssign(DataOutputStream out, Assign a) throws IOException {
        out.writeUTF(a.vip());
        out.writeLong(a.expectedEpoch());
        out.writeLong(a.ownerRenewals());
        out.writeUTF(a.owner() == null ? "" : a.owner());
        out.writeLong(a.wallMillis());
        out.writeUTF(a.reason());
        out.writeBoolean(a.handover());
    }

    /** A count and that many assignments (of a batch, or of a group). */
    private static java.util.List<Assign> readAssigns(DataInputStream in) throws IOException {
        int count = in.readInt();
        // an assignment takes at least 30 bytes: a count the data cannot hold is a lie
        if (count < 1 || count > Assignments.MAX || count > in.available() / 30) {
            throw new IOException("implausible assignment count " + count);
        }
        java.util.List<Assign> assigns = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            assigns.add(readAssign(in));
        }
        return assigns;
    }

        private static Assign readAssign(DataInputStream in) throws IOException {
        String vip = in.readUTF();
        long epoch = in.readLong();
        long renewals = in.readLong();
        String owner = in.readUTF();
        return new Assign(vip, epoch, renewals, owner.isEmpty() ? null : owner, in.readLong(), in.readUTF(),
                in.readBoolean());
    }

    static Command decode(byte[] data) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte type = in.readByte();
            Command c = switch (type) {
                case RENEW -> new Renew(in.readUTF());
                case ASSIGN -> readAssign(in);
                case ASSIGNMENTS -> new Assignments(readAssigns(in));
                case TOGETHER -> new Together(readAssigns(in), in.readUTF(), in.readUTF());
                case LEAVE -> new Leave(in.readUTF(), in.readLong());
                case RELEASED -> new Released(in.readUTF(), in.readLong(), in.readUTF(), in.readUTF());
                case HEALTH -> new Health(in.readUTF(), Wire.readStrings(in));
                case DRAIN -> new Drain(in.readUTF(), in.readBoolean(), in.readLong());
                case DRAIN_BY -> new Drain(in.readUTF(), in.readBoolean(), in.readLong(), in.readUTF(), in.readUTF());
                case MOVE -> new Move(in.readUTF(), in.readLong(), in.readUTF(), in.readLong(), in.readUTF(),
                        in.readUTF());
                case DEFINITIONS -> new Definitions(in.readUTF(), Wire.readStrings(in));
                case OBSERVED -> new Observed(in.readUTF(), Wire.readStrings(in));
                default -> throw new IOException("unknown command type " + type);
            };
            if (in.available() != 0) {
                throw new IOException("trailing bytes after command " + c);
            }
            return c;
        }
    }
}
