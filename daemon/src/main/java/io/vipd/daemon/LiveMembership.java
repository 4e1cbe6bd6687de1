package io.vipd.daemon;

import io.vipd.cluster.Membership;
import io.vipd.config.Peer;
import io.vipd.config.VipdConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configuration the daemon acts on: the file's settings with the group's live membership as its peers. The
 * Raft log, not the file, says who the members are once a membership change has committed ({@code vipctl member},
 * or a reload that proposed one); the file is what the node started with and what an operator edits. Placement,
 * renewals, status and the TLS trust all follow the live membership; {@link #differences} tells the operator where
 * the file and the group disagree and how to reconcile them.
 */
final class LiveMembership {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LiveMembership.class);

    private volatile VipdConfig file;
    private volatile Membership seen;
    private VipdConfig effective;
    /** The last membership {@link #follow} logged and told the listener of. */
    private Membership announced;
    private java.util.function.Consumer<List<Peer>> listener = peers -> { };

    /** Told the members (of both sides while a change is under way) of every membership {@link #follow} sees. */
    void onChange(java.util.function.Consumer<List<Peer>> listener) {
        this.listener = listener;
    }

    /**
     * {@link #effective}, and on a change of the membership: a line in the journal (with where the file differs)
     * and the listener told.
     */
    VipdConfig follow(VipdConfig fileConfig, Optional<Membership> membership) {
        VipdConfig next = effective(fileConfig, membership);
        Membership m = seen;
        if (m != null && !m.equals(announced)) {
            if (announced != null || !differences().isEmpty()) {
                LOG.info("membership (log index {}): {}{}", m.index(), Membership.describe(m.peers()),
                        m.changing() ? "; changing from " + Membership.describe(m.previous()) : "");
                differences().forEach(d -> LOG.warn("membership: {}", d.line()));
            }
            announced = m;
            listener.accept(m.everyone());
        }
        return next;
    }

    /**
     * The configuration to act on, given the file's and the group's membership (empty: not known yet, the file's
     * peers count). The same instance while neither changed, so what caches on the configuration keeps its cache.
     */
    VipdConfig effective(VipdConfig fileConfig, Optional<Membership> membership) {
        // A membership without members is none known yet (a Raft server still starting): the file's peers count.
        Membership m = membership.filter(x -> !x.peers().isEmpty()).orElse(null);
        if (fileConfig == file && java.util.Objects.equals(m, seen) && effective != null) {
            return effective;
        }
        file = fileConfig;
        seen = m;
        effective = m == null || java.util.Set.copyOf(m.peers()).equals(java.util.Set.copyOf(fileConfig.peers()))
                ? fileConfig
                : fileConfig.withPeers(withSelf(m.peers(), fileConfig.self()));
        return effective;
    }

    /**
     * The members, and this node even when it is not one (removed, or not yet added): the daemon always knows
     * itself. A node that is not a member is never placed (the leader, a member, places) and its renewals are
     * refused, so it holds nothing.
     */
    private static List<Peer> withSelf(List<Peer> members, Peer self) {
        if (members.stream().anyMatch(p -> p.id().equals(self.id()))) {
            return members;
        }
        List<Peer> out = new ArrayList<>(members);
        out.add(self);
        return out;
    }

    /** Whether this node is a member of the group as its log says (true while that is not known yet). */
    boolean selfIsMember() {
        return seen == null || seen.contains(file.nodeId());
    }

    Optional<Membership> membership() {
        return Optional.ofNullable(seen);
    }

    /**
     * One way the file and the live membership differ: what, and how to reconcile it.
     *
     * @param problem whether this node cannot serve because of it (it is not a member); else a warning
     */
    record Difference(boolean problem, String what, String fix) {
        /** For status and the journal: what, then the fix. */
        String line() {
            return what + ": " + fix;
        }
    }

    /**
     * Where the file and the live membership differ, each with how to reconcile; empty when they agree. This node
     * not a member, a change under way, a member the file does not name (or names with another address or role),
     * and a peer of the file that is no member.
     */
    List<Difference> differences() {
        List<Difference> out = new ArrayList<>();
        VipdConfig file = this.file;
        Membership seen = this.seen;
        if (seen == null) {
            return out;
        }
        String where = file.source() == null ? "the configuration file" : file.source().toString();
        if (!seen.contains(file.nodeId())) {
            out.add(new Difference(true, file.nodeId() + " (this node) is not a member of the group: it was removed, "
                    + "or is not added yet, and holds no VIP", "add it with 'vipctl member add " + file.nodeId()
                    + " " + file.self().address() + "' on a member, or stop vipd here"));
        }
        if (seen.changing()) {
            out.add(new Difference(false, "a membership change is under way: from " + Membership.describe(
                    seen.previous()) + " to " + Membership.describe(seen.peers()), "wait for it to finish (seconds)"));
        }
        for (Peer member : seen.peers()) {
            Optional<Peer> inFile = file.peer(member.id());
            if (inFile.isEmpty()) {
                out.add(new Difference(false, member.id() + " at " + member.address() + " is a member but not in "
                        + where, "add 'peer." + member.id() + " = " + member.address() + "' there"
                        + roleHint(member)));
            } else if (!inFile.get().equals(member)) {
                out.add(new Difference(false, member.id() + " is a member at " + member.address()
                        + Membership.role(member) + " but " + where + " says " + inFile.get().address()
                        + Membership.role(inFile.get()),
                        "change the file to match, or change the member with 'vipctl member replace' or a reload"));
            }
        }
        for (Peer peer : file.peers()) {
            if (!seen.contains(peer.id())) {
                out.add(new Difference(false, peer.id() + " is in " + where + " but not a member", "remove 'peer."
                        + peer.id() + "' there, or add it with 'vipctl member add " + peer.id() + " "
                        + peer.address() + (peer.witness() ? " --witness" : peer.voter() ? "" : " --listener") + "'"));
            }
        }
        return out;
    }

    private static String roleHint(Peer p) {
        return p.witness() ? " and list it in 'witnesses'" : p.voter() ? "" : " and leave it out of 'voters'";
    }
}
