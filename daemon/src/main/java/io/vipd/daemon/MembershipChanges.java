package io.vipd.daemon;

import io.vipd.cluster.Consensus;
import io.vipd.cluster.Membership;
import io.vipd.cluster.VipState;
import io.vipd.cluster.VipTable;
import io.vipd.config.Peer;
import io.vipd.config.keys.AddressTypes;
import io.vipd.config.keys.ValueType;
import io.vipd.control.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vipctl member add | remove | replace}: one change of the group's membership at a time, through Raft's joint
 * consensus. Each is checked first and refused with its reason: another change under way, an unknown or duplicate
 * member, or a change after which the voters reachable now would not be a majority (the group would stop
 * confirming leases, and every VIP would go dark). A member that leaves and still holds VIPs is drained first, so
 * they move by handover, not by failover.
 */
final class MembershipChanges {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipChanges.class);
    /** Catching a new member up (a snapshot and the log after it) and two commits: seconds, even on a slow host. */
    static final long CHANGE_TIMEOUT_MS = 30_000;

    /** Whether a member's renewals are confirmed now (as the leader sees it, or as it told this node). */
    interface Reachability {
        boolean reachable(String node, long nowNanos);
    }

    /** Drains a member (waiting, bounded, until it holds nothing it can hand over) or undrains it. */
    interface Drainer {
        String drain(Caller caller, String node, boolean drained) throws Exception;
    }

    private final String self;
    private final Supplier<Consensus> cluster;
    private final Supplier<VipTable> table;
    private final Reachability reachability;
    private final Drainer drainer;
    private final LongSupplier nanos;
    private final Pause pause;

    MembershipChanges(String self, Supplier<Consensus> cluster, Supplier<VipTable> table, Reachability reachability,
                      Drainer drainer, LongSupplier nanos, Pause pause) {
        this.self = self;
        this.cluster = cluster;
        this.table = table;
        this.reachability = reachability;
        this.drainer = drainer;
        this.nanos = nanos;
        this.pause = pause;
    }

    /** The role a new member takes. */
    enum Role {
        VOTER, WITNESS, LISTENER;

        static Role parse(String text) {
            return switch (text) {
                case "voter" -> VOTER;
                case "witness" -> WITNESS;
                case "listener" -> LISTENER;
                default -> throw new IllegalArgumentException("unknown role '" + text
                        + "' (voter, witness or listener)");
            };
        }

        static Role of(Peer p) {
            return p.witness() ? WITNESS : p.voter() ? VOTER : LISTENER;
        }

        String description() {
            return "a " + name().toLowerCase(java.util.Locale.ROOT);
        }

        Peer peer(String id, AddressTypes.HostPort at) {
            return new Peer(id, at.host(), at.port(), this == WITNESS, this != LISTENER);
        }
    }

    String add(Caller caller, String id, String address, Role role) throws Exception {
        Membership from = current();
        if (from.contains(id)) {
            throw new IllegalArgumentException(id + " is already a member (members: " + Membership.describe(
                    from.peers()) + ")");
        }
        Peer added = role.peer(id, hostPort(address));
        List<Peer> to = new ArrayList<>(from.peers());
        to.add(added);
        return change(caller, "add " + id + " at " + added.address() + " as " + role.description(), from, to,
                null);
    }

    String remove(Caller caller, String id) throws Exception {
        Membership from = current();
        Peer leaving = member(from, id);
        List<Peer> to = new ArrayList<>(from.peers());
        to.remove(leaving);
        return change(caller, "remove " + id, from, to, leaving);
    }

    String replace(Caller caller, String old, String id, String address) throws Exception {
        Membership from = current();
        Peer leaving = member(from, old);
        if (from.contains(id)) {
            throw new IllegalArgumentException(id + " is already a member (members: " + Membership.describe(
                    from.peers()) + ")");
        }
        AddressTypes.HostPort at = hostPort(address);
        Peer joining = new Peer(id, at.host(), at.port(), leaving.witness(), leaving.voter());
        List<Peer> to = new ArrayList<>(from.peers());
        to.set(to.indexOf(leaving), joining);
        return change(caller, "replace " + old + " by " + id + " at " + joining.address(), from, to, leaving);
    }

    /**
     * Proposes the membership a reloaded file names, if it is one change away from the live one (one member added,
     * one removed, or one replaced by another); null if the file names the live membership.
     */
    String propose(Caller caller, List<Peer> file) throws Exception {
        Membership from = current();
        List<Peer> added = file.stream().filter(p -> !from.peers().contains(p)).toList();
        List<Peer> removed = from.peers().stream().filter(p -> !file.contains(p)).toList();
        if (added.isEmpty() && removed.isEmpty()) {
            return null;
        }
        if (added.size() == 1 && removed.isEmpty()) {
            Peer p = added.get(0);
            return add(caller, p.id(), p.address(), Role.of(p));
        }
        if (removed.size() == 1 && added.isEmpty()) {
            return remove(caller, removed.get(0).id());
        }
        if (removed.size() == 1 && added.size() == 1 && removed.get(0).id().equals(added.get(0).id())) {
            return changeRole(caller, from, removed.get(0), added.get(0));
        }
        if (removed.size() == 1 && added.size() == 1 && removed.get(0).voter() == added.get(0).voter()
                && removed.get(0).witness() == added.get(0).witness()) {
            return replace(caller, removed.get(0).id(), added.get(0).id(), added.get(0).address());
        }
        throw new IllegalArgumentException("the file's peers differ from the members by more than one change ("
                + (added.isEmpty() ? "" : "to add or change: " + Membership.describe(added) + "; ")
                + (removed.isEmpty() ? "" : "to remove or change: " + Membership.describe(removed) + "; ")
                + "members now: " + Membership.describe(from.peers()) + "); change one member at a time, with "
                + "'vipctl member' or one edit and reload each");
    }

    /**
     * One member's role changed in the file (voter, witness, listener): a change of the membership like any other.
     * Its address may not change with it: Ratis keys its connections by member id.
     */
    private String changeRole(Caller caller, Membership from, Peer member, Peer now) throws Exception {
        if (!member.address().equals(now.address())) {
            throw new IllegalArgumentException(member.id() + "'s address changed (" + member.address() + " -> "
                    + now.address() + "): a member keeps its address; replace it by a member of another id at the "
                    + "new address instead (vipctl member replace " + member.id() + " NEW " + now.address() + ")");
        }
        List<Peer> to = new ArrayList<>(from.peers());
        to.set(to.indexOf(member), now);
        boolean holds = member.holdsVips() && !now.holdsVips();
        return change(caller, "make " + member.id() + " " + Role.of(now).description(), from, to,
                holds ? member : null);
    }

    private String change(Caller caller, String what, Membership from, List<Peer> to, Peer leaving)
            throws Exception {
        LOG.info("membership change requested by {}: {}", caller.describe(), what);
        String refusal = refusal(from, to, nanos.getAsLong());
        if (refusal != null) {
            throw new IllegalStateException("refused to " + what + ": " + refusal);
        }
        boolean drained = leaving != null && holdsVips(leaving.id()) && reachability.reachable(leaving.id(),
                nanos.getAsLong());
        if (drained) {
            LOG.info("{} holds VIPs: draining it before it leaves the group", leaving.id());
            drainer.drain(caller, leaving.id(), true);
        }
        long start = nanos.getAsLong();
        Consensus.Outcome outcome = cluster.get().changeMembership(from, to, CHANGE_TIMEOUT_MS);
        if (!outcome.committed()) {
            if (drained) {
                drainer.drain(caller, leaving.id(), false);
            }
            throw new IllegalStateException("the group did not " + what + ": " + outcome.error()
                    + (drained ? " (" + leaving.id() + " was drained for it and is undrained again)" : ""));
        }
        long ms = (nanos.getAsLong() - start) / 1_000_000L;
        awaitMembership(to);
        // A member that was drained when it left (see above) starts undrained when it is added back; so does one
        // that was drained when it became a witness, when it may hold VIPs again.
        for (Peer joining : to) {
            VipTable t = table.get();
            boolean starts = from.peer(joining.id()).map(p -> !p.holdsVips() && joining.holdsVips()).orElse(true);
            if (starts && t != null && t.drained().contains(joining.id())) {
                drainer.drain(caller, joining.id(), false);
            }
        }
        LOG.info("membership changed ({}) in {} ms: members {}", what, ms, Membership.describe(to));
        return "done: " + what + " (" + ms + " ms); members now: " + Membership.describe(to)
                + (leaving == null ? "" : "; stop vipd on " + leaving.id() + " and remove 'peer." + leaving.id()
                        + "' from every node's configuration file");
    }

    /**
     * Why the change from {@code from} to {@code to} may not be made now, or null. Counted with the voters reachable
     * now: a member being added is not counted (it has yet to be caught up), so the change cannot make the group
     * depend on it.
     */
    String refusal(Membership from, List<Peer> to, long now) {
        if (from.changing()) {
            return "another membership change is under way (from " + Membership.describe(from.previous()) + " to "
                    + Membership.describe(from.peers()) + "); wait for it to finish";
        }
        Set<String> ids = new TreeSet<>();
        for (Peer p : to) {
            if (!ids.add(p.id())) {
                return p.id() + " would be a member twice";
            }
            if (to.stream().filter(q -> q.address().equals(p.address())).count() > 1) {
                return p.address() + " would be the address of two members";
            }
        }
        List<String> voters = to.stream().filter(Peer::voter).map(Peer::id).toList();
        if (voters.isEmpty()) {
            return "no voting member would be left";
        }
        if (to.stream().allMatch(Peer::witness)) {
            return "no member that may hold VIPs would be left (only witnesses)";
        }
        List<String> reachable = voters.stream().filter(from::contains)
                .filter(v -> v.equals(self) || reachability.reachable(v, now)).toList();
        int majority = voters.size() / 2 + 1;
        if (reachable.size() < majority) {
            return "it would lose the majority: " + majority + " of the " + voters.size() + " voters after it ("
                    + String.join(", ", voters) + ") must be reachable, and only " + reachable.size() + " are now ("
                    + (reachable.isEmpty() ? "none" : String.join(", ", reachable)) + "); bring the others back "
                    + "first, or remove an unreachable member instead";
        }
        return null;
    }

    private Membership current() {
        Consensus c = cluster.get();
        if (c == null) {
            throw new IllegalStateException("still starting; try again in a moment");
        }
        return c.membership().orElseThrow(() -> new IllegalStateException(
                "this node does not know the group's membership yet; try again in a moment"));
    }

    private static Peer member(Membership m, String id) {
        return m.peer(id).orElseThrow(() -> new IllegalArgumentException("'" + id + "' is not a member (members: "
                + Membership.describe(m.peers()) + ")"));
    }

    private static AddressTypes.HostPort hostPort(String text) {
        try {
            return AddressTypes.peerAddress().parse(text.trim());
        } catch (ValueType.InvalidValue e) {
            throw new IllegalArgumentException("address: " + e.getMessage());
        }
    }

    private boolean holdsVips(String node) {
        VipTable t = table.get();
        return t != null && t.vips().values().stream().map(VipState::owner).anyMatch(node::equals);
    }

    /** Waits (bounded) until this node's log has the new membership, so what the caller sees next shows it. */
    private void awaitMembership(List<Peer> to) throws InterruptedException {
        Set<Peer> wanted = Set.copyOf(to);
        long deadline = nanos.getAsLong() + 5_000_000_000L;
        while (nanos.getAsLong() < deadline) {
            Membership m = cluster.get().membership().orElse(null);
            if (m != null && !m.changing() && Set.copyOf(m.peers()).equals(wanted)) {
                return;
            }
            pause.sleep(10);
        }
    }
}
